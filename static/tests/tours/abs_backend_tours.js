/** @odoo-module **/
// Backend journeys of the users of core groups on SA records (tests/test_backend_tours.py opens each
// tour on the record it is about, logged in as the user of that door).
import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

tours.add("abs_warehouse_validates_sa_delivery", {
    steps: () => [
        {
            content: "The delivery shows the service account it belongs to",
            trigger: ".o_form_view .o_field_widget[name=abs_sa_id]:contains('Test SA Togo')",
        },
        {
            content: "Its serial is reserved: validate",
            trigger: ".o_form_view .o_statusbar_buttons button[name=button_validate]",
            run: "click",
        },
        {
            content: "The delivery is done",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Done')",
        },
    ],
});

tours.add("abs_billing_posts_and_pays_sa_invoice", {
    steps: () => [
        {
            content: "The draft invoice belongs to SA Togo",
            trigger: ".o_form_view .o_field_widget[name=x_sa_id] input:value(Test SA Togo)",
        },
        {
            content: "Confirm (post) the invoice",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_post]",
            run: "click",
        },
        {
            content: "Register its payment",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_register_payment]",
            run: "click",
        },
        {
            content: "Create the payment from the dialog",
            trigger: ".modal button[name=action_create_payments]",
            run: "click",
        },
        {
            content: "The invoice is paid",
            trigger: ".o_form_view .ribbon:contains('In Payment'), .o_form_view .ribbon:contains('Paid')",
        },
    ],
});

tours.add("abs_sa_manager_approves_quotation", {
    steps: () => [
        {
            content: "Approve the quotation waiting for approval",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_abs_open_decision]:contains('Approve')",
            run: "click",
        },
        {
            content: "Confirm the decision in the dialog",
            trigger: ".modal button[name=action_confirm_decision]:contains('Approve')",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The decision buttons are gone",
            trigger: ".o_form_view:not(:has(button[name=action_abs_open_decision]))",
        },
        {
            content: "The approval is in the order's chatter",
            trigger: ".o-mail-Message-body:contains('Approved')",
        },
    ],
});

tours.add("abs_restricted_user_sees_own_sa_orders", {
    steps: () => [
        {
            content: "The officer's SA Togo order is listed",
            trigger: ".o_list_view .o_data_row .o_data_cell[name=x_sa_id]:contains('Test SA Togo')",
        },
        {
            content: "No order of another SA is listed",
            trigger: ".o_list_view:not(:has(.o_data_cell[name=x_sa_id]:contains('Test SA Kenya')))",
        },
    ],
});

tours.add("abs_cashier_counts_a_handover_short", {
    steps: () => [
        {
            content: "The agent's handover waits to be counted",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Declared')",
        },
        {
            content: "Enter the amount counted: 5.00 less than the payments",
            trigger: ".o_form_view .o_field_widget[name=counted_amount] input",
            run: "edit 35",
        },
        {
            content: "Confirm the counted amount",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]",
            run: "click",
        },
        {
            content: "Book it in the service account's cash journal",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The handover is confirmed",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Confirmed')",
        },
        {
            content: "The shortage is highlighted",
            trigger: ".o_form_view .alert-danger:contains('Shortage')",
        },
        {
            content: "The difference is shown, in red",
            trigger: ".o_form_view .o_field_widget[name=difference].text-danger:contains('5.00')",
        },
    ],
});
