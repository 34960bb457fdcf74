import { registry } from "@web/core/registry";

// An anonymous visitor on its page, opened from the link of a reminder (no login).

registry.category("web_tour.tours").add("relance_portal_promise", {
    steps: () => [
        {
            content: "The page lists the customer's invoices",
            trigger: "h1:contains('Vos factures restant à régler')",
        },
        {
            content: "Tick the first invoice",
            trigger: "#relance_invoices tbody tr:first-child input[name='move_ids']",
            run: "click",
        },
        {
            content: "Choose the latest payment date allowed",
            trigger: "#relance_promise_date",
            run() {
                this.anchor.value = this.anchor.max;
            },
        },
        {
            content: "Announce the payment",
            trigger: "#relance_promise_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The page thanks the customer",
            trigger: "#relance_thanks:contains('est noté pour le')",
        },
        {
            content: "The invoice shows the payment announced",
            trigger: "#relance_invoices tbody tr:first-child .badge:contains('Règlement annoncé pour le')",
        },
    ],
});

registry.category("web_tour.tours").add("relance_portal_problem", {
    steps: () => [
        {
            content: "Choose the last invoice",
            trigger: "#relance_problem_move",
            run() {
                this.anchor.value = this.anchor.options[this.anchor.options.length - 1].value;
            },
        },
        {
            content: "The amount is disputed",
            trigger: "#relance_problem_reason",
            run: "select amount",
        },
        {
            content: "Say why",
            trigger: "#relance_problem_description",
            run: "edit La remise de 10 % convenue n'apparaît pas.",
        },
        {
            content: "Send it",
            trigger: "#relance_problem_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The page thanks the customer",
            trigger: "#relance_thanks:contains('est bien parvenu à notre service comptable')",
        },
        {
            content: "The invoice is under review",
            trigger: "#relance_invoices tbody tr:last-child .badge:contains(\"En cours d'examen\")",
        },
    ],
});

/** A step fetching the PDF its link gives, failing the tour when no PDF comes. */
function downloads(content, trigger) {
    return {
        content,
        trigger,
        async run() {
            const response = await fetch(this.anchor.href);
            const type = response.headers.get("Content-Type");
            if (!response.ok || type !== "application/pdf") {
                throw new Error(`${content}: no PDF came (${response.status} ${type})`);
            }
        },
    };
}

registry.category("web_tour.tours").add("relance_portal_download", {
    steps: () => [
        downloads("Download the first invoice's PDF", "#relance_invoices tbody tr:first-child a.o_relance_pdf"),
        downloads("Download the statement", "a[href$='/statement']"),
        {
            content: "Both came: the page is still there",
            trigger: "h1:contains('Vos factures restant à régler')",
        },
    ],
});
