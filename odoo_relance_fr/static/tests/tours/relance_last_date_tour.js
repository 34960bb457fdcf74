import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("relance_edit_last_date", {
    steps: () => [
        {
            content: "Open the Reminders tab of the invoice",
            trigger: ".o_form_view .o_notebook a.nav-link[name='relance']",
            run: "click",
        },
        {
            content: "The invoice is at Relance 1, next due Relance 2",
            trigger: "div[name='relance_next_level_id']:contains('Relance 2 (ferme)')",
        },
        {
            content: "Record a phone call made on 1 March 2026",
            trigger: "div[name='relance_last_date'] input",
            run: "edit 01/03/2026",
        },
        {
            content: "Save the invoice",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The next reminder is pushed to 15 days after the call",
            trigger: ".o_form_saved div[name='relance_next_date']:contains('16/03/2026')",
        },
    ],
});
