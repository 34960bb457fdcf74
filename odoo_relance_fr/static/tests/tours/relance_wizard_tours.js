import { registry } from "@web/core/registry";

const openReminders = [
    {
        content: "Open the app switcher",
        trigger: ".o_navbar_apps_menu button",
        run: "click",
    },
    {
        content: "Open the Invoicing app",
        trigger: ".o-dropdown--menu .dropdown-item:contains('Facturation')",
        run: "click",
    },
    {
        content: "Open the Customers menu",
        trigger: ".o_main_navbar .o_menu_sections .dropdown-toggle:contains('Clients')",
        run: "click",
    },
    {
        content: "Open Reminders",
        trigger: ".dropdown-menu .dropdown-item:contains('Relances')",
        run: "click",
    },
];

registry.category("web_tour.tours").add("relance_remind_from_invoice", {
    steps: () => [
        {
            content: "Remind this invoice",
            trigger: ".o_form_view .o_statusbar_buttons button:contains('Relancer')",
            run: "click",
        },
        {
            content: "The wizard proposes the customer at Relance 1",
            trigger: ".modal .o_data_row:contains('Boulangerie Martin SARL'):contains('Relance 1 (courtoise)')",
        },
        {
            content: "Send",
            trigger: ".modal footer button[name='action_send']",
            run: "click",
        },
        {
            content: "The summary says it was sent",
            trigger: ".modal .o_data_row:contains('Boulangerie Martin SARL') .badge:contains('Envoyée')",
        },
    ],
});

registry.category("web_tour.tours").add("relance_morning_batch", {
    steps: () => [
        ...openReminders,
        {
            content: "Both customers are proposed",
            trigger: ".modal .o_data_row:contains('Garage Leroy SA')",
        },
        {
            content: "Skip Garage Leroy",
            trigger: ".modal .o_data_row:contains('Garage Leroy SA') td[name='skip'] input",
            run: "click",
        },
        {
            content: "Send",
            trigger: ".modal footer button[name='action_send']",
            run: "click",
        },
        {
            content: "Garage Leroy was skipped",
            trigger: ".modal .o_data_row:contains('Garage Leroy SA') .badge:contains('Passée')",
        },
        {
            content: "Boulangerie Martin was reminded",
            trigger: ".modal .o_data_row:contains('Boulangerie Martin SARL') .badge:contains('Envoyée')",
        },
    ],
});

registry.category("web_tour.tours").add("relance_call_outcome", {
    steps: () => [
        {
            content: "Record the outcome of the call",
            trigger: ".o_form_view button[name='action_relance_call_outcome']",
            run: "click",
        },
        {
            content: "The customer disputes the invoice",
            trigger: ".modal div[name='outcome'] input[data-value='dispute']",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal div[name='note'] textarea",
            run: "edit Livraison incomplète",
        },
        {
            content: "Record",
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The call is done",
            trigger: "body:not(:has(.modal)) .o_form_view",
        },
    ],
});

function assertNotCut(selector) {
    // the text of every cell or tag matching selector is shown whole
    return function () {
        const cut = [...document.querySelectorAll(selector)].filter((el) => el.scrollWidth > el.clientWidth + 1);
        if (cut.length) {
            throw new Error(`Cut at this width: ${cut.map((el) => el.textContent.trim()).join(" | ")}`);
        }
    };
}

registry.category("web_tour.tours").add("relance_preview_and_edit", {
    steps: () => [
        ...openReminders,
        {
            content: "Preview the email of Boulangerie Martin",
            trigger: ".modal .o_data_row:contains('Boulangerie Martin SARL') button[name='action_preview']",
            run: "click",
        },
        {
            content: "The email opens, in French, editable",
            trigger: ".modal .modal-title:contains('E-mail à Boulangerie Martin SARL')",
        },
        {
            content: "The body is the reminder of this customer",
            trigger: ".modal div[name='body']:contains('Madame, Monsieur')",
        },
        {
            content: "Change the subject",
            trigger: ".modal div[name='subject'] input",
            run: "edit Relance – suite à notre appel de ce matin",
        },
        {
            content: "Save and go back",
            trigger: ".modal footer button[name='action_back']",
            run: "click",
        },
        {
            content: "Back in the wizard, both customers there",
            trigger: ".modal .o_data_row:contains('Garage Leroy SA')",
        },
        {
            content: "Send",
            trigger: ".modal footer button[name='action_send']",
            run: "click",
        },
        {
            content: "Boulangerie Martin was reminded",
            trigger: ".modal .o_data_row:contains('Boulangerie Martin SARL') .badge:contains('Envoyée')",
        },
    ],
});

registry.category("web_tour.tours").add("relance_due_levels_and_reasons", {
    steps: () => [
        {
            content: "Select every invoice of the list",
            trigger: ".o_list_view thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Open the actions",
            trigger: ".o_control_panel button:contains('Actions')",
            run: "click",
        },
        {
            content: "Remind them",
            trigger: ".o-dropdown--menu .dropdown-item:contains('Relancer')",
            run: "click",
        },
        {
            content: "Claire Petit, reminded this morning, is left out and says why",
            trigger:
                ".modal .o_data_row:contains('Mme Claire Petit') td[name='issue']:contains('a déjà été relancée le')",
        },
        {
            content: "Her line is skipped",
            trigger: ".modal .o_data_row:contains('Mme Claire Petit') td[name='skip'] input:checked",
        },
        {
            content: "Columns show their whole content at 1440 px",
            trigger: ".modal .o_data_row:contains('Boulangerie Martin SARL') td[name='level_id']",
            run: assertNotCut(
                ".modal .o_data_row td[name='partner_id'], .modal .o_data_row td[name='level_id'], " +
                    ".modal .o_data_row td[name='channel'], .modal .o_data_row td[name='move_ids'] .o_tag, " +
                    ".modal .o_list_table th .o_column_title"
            ),
        },
        {
            content: "Open the level of Boulangerie Martin",
            trigger: ".modal .o_data_row:contains('Boulangerie Martin SARL') td[name='level_id']",
            run: "click",
        },
        {
            content: "Open its choices",
            trigger: ".modal .o_data_row:contains('Boulangerie Martin SARL') td[name='level_id'] input",
            run: "click",
        },
        {
            content: "Only the level due is offered",
            trigger: ".o-autocomplete--dropdown-menu:contains('Relance 1 (courtoise)'):not(:contains('Relance 3'))",
        },
        {
            content: "Close the choices",
            trigger: ".modal .o_data_row:contains('Boulangerie Martin SARL') td[name='level_id'] input",
            run: "press Escape",
        },
        {
            content: "Send",
            trigger: ".modal footer button[name='action_send']",
            run: "click",
        },
        {
            content: "Boulangerie Martin was reminded",
            trigger: ".modal .o_data_row:contains('Boulangerie Martin SARL') .badge:contains('Envoyée')",
        },
        {
            content: "Claire Petit was left out",
            trigger: ".modal .o_data_row:contains('Mme Claire Petit') .badge:contains('Passée')",
        },
    ],
});

registry.category("web_tour.tours").add("relance_settings_ladder_whole", {
    steps: () => [
        {
            content: "The ladder in Settings",
            trigger: "#relance_ladder .o_data_row:contains('Appel de courtoisie')",
            run: assertNotCut("#relance_ladder .o_data_row td[name='name'], #relance_ladder .o_data_row td[name='channel']"),
        },
    ],
});

registry.category("web_tour.tours").add("relance_history_invoice_totals", {
    steps: () => [
        {
            content: "Open the invoices of the reminder",
            trigger: ".o_notebook a:contains('Factures')",
            run: "click",
        },
        {
            content: "The totals of the invoices are amounts, not « — »",
            trigger: ".o_field_widget[name='move_ids'] tfoot td:contains('€')",
        },
        {
            content: "Columns show their whole content at 1440 px",
            trigger: ".o_field_widget[name='move_ids'] .o_data_row td[name='name']",
            run: assertNotCut(".o_field_widget[name='move_ids'] .o_data_row td"),
        },
    ],
});
