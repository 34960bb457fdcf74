import { registry } from "@web/core/registry";

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
