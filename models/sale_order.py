import base64

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import float_compare

from ..refusals import invoice as invoice_rules
from ..refusals import payment as payment_rules
from ..refusals import sale as rules
from .account_move import api_payment_state

APPROVAL_STATES = [
    ("none", "Not Requested"),
    ("waiting", "Waiting Approval"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]
QUOTATION_STATES = ("draft", "sent")
# Written only by the approval actions (in sudo mode): a plain write would bypass the staff rule.
APPROVAL_FIELDS = {
    "abs_approval_state",
    "abs_approval_note",
    "abs_reject_reason",
    "abs_approved_by",
    "abs_approval_user_id",
    "abs_approval_date",
}
# What an approval judged on the order itself (the lines: sale_order_line.APPROVED_LINE_FIELDS): a change of
# any of them on an approved quotation withdraws its approval.
APPROVAL_JUDGED_FIELDS = (
    "partner_id",
    "partner_invoice_id",
    "pricelist_id",
    "payment_term_id",
    "fiscal_position_id",
    "currency_id",
    "company_id",
    "x_sa_id",
    "x_channel_partner_id",
)
# Header fields a quotation takes as they are from the API (values already validated by the schema).
PLAIN_HEADER_FIELDS = ("client_order_ref", "validity_date")


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["ov.sa_governed.mixin", "sale.order", "abs.sync.pushable"]  # governed mixin first: see its docstring
    _sa_assignment_model = "ov.sa_sale_order_assignment"

    # V2 stamps: the SA an order was taken for, the agent and the outlet, dual-written into the V3
    # ov.sa_sale_order_assignment. The order's deliveries inherit the SA (ov.sa_delivery_assignment,
    # see stock.picking), its invoices the stamp (_prepare_invoice).
    # A duplicated order stays in its SA (and outlet, channel); the agent is whoever takes the copy.
    x_sa_id = fields.Many2one(
        "ov.serviced_account",
        string="Service Account",
        index=True,
        tracking=True,
        default=lambda self: self.env.user._abs_default_sa(),
    )
    x_actor_id = fields.Many2one("abs.employee", string="Agent", copy=False)
    x_outlet_id = fields.Many2one("ov.outlet", string="Outlet")
    x_channel_partner_id = fields.Many2one(
        "res.partner", string="Channel Partner", help="The reseller or distributor the sale came through."
    )
    abs_sa_assignment_ids = fields.One2many(
        "ov.sa_sale_order_assignment", "order_id", string="Service Account Assignments"
    )

    # Approval (seed workflow 3), beside the sale state: a quotation stays draft/sent while it waits.
    abs_approval_state = fields.Selection(
        APPROVAL_STATES, string="Approval", required=True, default="none", copy=False, tracking=True, index=True
    )
    abs_approval_note = fields.Text(string="Approval Note", copy=False, readonly=True)
    abs_reject_reason = fields.Text(string="Rejection Reason", copy=False, readonly=True)
    abs_approved_by = fields.Many2one(
        "abs.employee",
        string="Decided By",
        copy=False,
        readonly=True,
        help="The SA staff member who approved or rejected the order (through the API).",
    )
    abs_approval_user_id = fields.Many2one(
        "res.users",
        string="Decided By (User)",
        copy=False,
        readonly=True,
        help="The backend user who approved or rejected the order.",
    )
    abs_approval_date = fields.Datetime(string="Decided On", copy=False, readonly=True)
    abs_needs_approval = fields.Boolean(
        string="Needs Approval",
        compute="_compute_abs_needs_approval",
        help="The total exceeds the SA's approval threshold, a product's category requires approval, "
        "or a line is priced below the pricelist.",
    )
    abs_approval_reasons = fields.Char(string="Why Approval", compute="_compute_abs_needs_approval")

    # ------------------------------------------------------------------ compute

    @api.depends(
        "x_sa_id.approval_threshold",
        "amount_total",
        "currency_id",
        "pricelist_id",
        "order_line.price_unit",
        "order_line.discount",
        "order_line.product_uom_qty",
        "order_line.product_id.categ_id.abs_requires_approval",
    )
    def _compute_abs_needs_approval(self):
        labels = dict(self._abs_approval_reason_labels())
        for order in self:
            reasons = order._abs_approval_reason_codes()
            order.abs_needs_approval = bool(reasons)
            order.abs_approval_reasons = ", ".join(labels[code] for code in reasons) or False

    # ------------------------------------------------------------------ CRUD / core hooks

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._abs_check_approval_fields(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._abs_check_approval_fields(vals)
        judged = self._abs_judged_values(vals)
        result = super().write(vals)
        self._abs_withdraw_approval_on_change(judged)
        return result

    def action_confirm(self):
        # Backend button, API and any other caller alike: no confirmation without a needed approval.
        self._abs_check_can_confirm()
        return super().action_confirm()

    def _action_confirm(self):
        """Seed 1d/4: besides the delivery (sale_stock), an SA order gets at once a draft invoice of
        its ``invoice_policy = order`` lines, and its recurring lines go to the subscription hook."""
        result = super()._action_confirm()
        governed = self.filtered("x_sa_id")
        governed._abs_invoice_ordered_lines()
        recurring = governed.order_line.filtered(lambda line: line._abs_is_recurring())
        if recurring:
            governed._abs_on_recurring_lines_confirmed(recurring)
        return result

    def _abs_govern(self):
        # The order's deliveries follow it to its SA (a new one ends the old assignments).
        super()._abs_govern()
        self.picking_ids._abs_govern()

    def _prepare_invoice(self):
        vals = super()._prepare_invoice()
        if self.x_sa_id:
            vals["x_sa_id"] = self.x_sa_id.id
        return vals

    # ------------------------------------------------------------------ actions (backend buttons)

    def action_abs_request_approval(self):
        """Submit the quotation for approval by a staff member of its SA."""
        return self._abs_request_approval()

    def action_abs_approve(self, note=None):
        """Approve as the current backend user (an SA Administrator, or an officer of the order's SA)."""
        return self._abs_approve(note)

    def action_abs_reject(self, reason):
        """Reject as the current backend user, with the reason the agent will see."""
        return self._abs_reject(reason)

    def action_abs_open_decision(self):
        """The approve/reject dialog of the backend (``decision`` in the context)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("abs_connector.abs_order_approval_wizard_action")
        action["context"] = {"default_order_id": self.id, "default_decision": self.env.context.get("decision")}
        return action

    # ------------------------------------------------------------------ business methods: quotations

    @api.model
    def _abs_create_quotation(self, values, account, actor=None):
        """Create a draft quotation in ``account`` (stamped and assigned) from plain values.

        ``values``: ``customer_id``, optional header fields (``outlet_id``, ``channel_partner_id``,
        ``client_order_ref``, ``validity_date``, ``payment_term_id``, ``company_id``), ``products``
        (dicts ``product_id``, ``quantity``, optional ``price_unit`` and ``discount``) and/or ``bop``
        (``bop_id``, ``property_value_ids``, ``quantity``). Prices default to the SA's pricelist.
        """
        vals = self._abs_prepare_header_vals(values, account)
        line_vals = self._abs_prepare_line_vals(values.get("products") or [], account)
        if values.get("bop"):
            line_vals += self._abs_prepare_bop_line_vals(values["bop"], account)
        if not line_vals:
            raise rules.NO_LINES(self.env._("A quotation needs product lines or a bill of products."))
        vals.update(
            company_id=account.company_id.id,
            x_sa_id=account.id,
            x_actor_id=actor.id if actor else False,
            order_line=[Command.create(line) for line in line_vals],
        )
        if account.pricelist_id:
            vals["pricelist_id"] = account.pricelist_id.id
        return self.create(vals)

    def _abs_update_quotation(self, values):
        """Change header fields of a quotation (draft or sent)."""
        self.ensure_one()
        self._abs_check_state(QUOTATION_STATES, self.env._("Only a quotation can be changed."))
        vals = self._abs_prepare_header_vals(values, self.x_sa_id, order=self)
        if "partner_id" in vals and self.x_sa_id.pricelist_id:
            vals["pricelist_id"] = self.x_sa_id.pricelist_id.id  # the customer's pricelist does not replace the SA's
        if vals:
            self.write(vals)
        return self

    def _abs_add_lines(self, products=None, bop=None):
        """Add product lines (and/or a bill of products) to a quotation; an approval is withdrawn."""
        self.ensure_one()
        self._abs_check_state(QUOTATION_STATES, self.env._("Lines can only be added to a quotation."))
        line_vals = self._abs_prepare_line_vals(products or [], self.x_sa_id, company=self.company_id)
        if bop:
            line_vals += self._abs_prepare_bop_line_vals(bop, self.x_sa_id, company=self.company_id)
        if not line_vals:
            raise rules.NO_LINES(self.env._("Give product lines or a bill of products to add."))
        self.write({"order_line": [Command.create(line) for line in line_vals]})
        return self.order_line[-len(line_vals) :]

    def _abs_quotation_line(self, line_id):
        """The product line ``line_id`` of this order (LINE_NOT_FOUND for a line of another order)."""
        self.ensure_one()
        line = self.order_line.filtered(lambda item: item.id == line_id and not item.display_type)
        if not line:
            raise rules.LINE_NOT_FOUND(
                self.env._("Line %(id)s is not a line of %(order)s.", id=line_id, order=self.name),
                details={"line_id": line_id},
            )
        return line

    def _abs_update_line(self, line_id, values):
        """Change a quotation line's ``quantity``, ``price_unit`` and/or ``discount`` (plain values, checked by
        the caller's schema). A quantity alone re-prices the line from the pricelist, as in the backend; an
        approval given before is withdrawn (``sale.order.line.write``)."""
        line = self._abs_quotation_line(line_id)
        self._abs_check_state(QUOTATION_STATES, self.env._("Only a quotation's lines can be changed."))
        names = {"quantity": "product_uom_qty", "price_unit": "price_unit", "discount": "discount"}
        vals = {names[key]: value for key, value in values.items() if key in names and value is not None}
        if vals:
            line.write(vals)
        return line

    def _abs_remove_line(self, line_id):
        """Remove a line from a quotation (it keeps one at least: cancel it instead); approval withdrawn."""
        line = self._abs_quotation_line(line_id)
        self._abs_check_state(QUOTATION_STATES, self.env._("Lines can only be removed from a quotation."))
        if not (self.order_line - line).filtered(lambda item: not item.display_type):
            raise rules.NO_LINES(
                self.env._("%(order)s would have no line left: cancel the quotation instead.", order=self.name),
                details={"line_id": line_id},
            )
        line.unlink()
        return self

    def _abs_cancel_quotation(self, actor=None, reason=None):
        """Cancel a quotation (draft or sent). Through the API: staff of its SA, or the agent who made it
        (``actor``, the calling employee; none: an API key or the backend, whose rights apply). An approval
        given before is withdrawn; the reason goes to the chatter."""
        self.ensure_one()
        self._abs_check_state(
            QUOTATION_STATES, self.env._("Only a quotation can be cancelled (a confirmed order is not).")
        )
        if actor and actor != self.x_actor_id:
            staff_of = {
                sa_id
                for sa_id, role, _company in self.env["ov.membership"]._abs_roles_in_force(actor.id)
                if role == "staff"
            }
            if self.x_sa_id.id not in staff_of:
                raise rules.CANCEL_FORBIDDEN(
                    self.env._(
                        "Only staff of its service account or the agent who made it may cancel %(order)s.",
                        order=self.name,
                    )
                )
        self._abs_withdraw_approval()
        self.with_context(disable_cancel_warning=True).action_cancel()
        self.message_post(
            body=self.env._("Quotation cancelled: %(reason)s", reason=reason)
            if reason
            else self.env._("Quotation cancelled.")
        )
        return self

    def _abs_send_quotation(self):
        """Queue the quotation mail (PDF attached) to the customer; the quotation becomes sent.

        The mail goes through Odoo's mail queue (never sent inside the request); returns the queued mails.
        """
        self.ensure_one()
        self._abs_check_state(QUOTATION_STATES, self.env._("Only a quotation can be sent."))
        if not self.partner_id.email:
            raise rules.NO_EMAIL(
                self.env._("%(customer)s has no email address to send the quotation to.", customer=self.partner_id.name)
            )
        template = self.env.ref("abs_connector.mail_template_abs_quotation")
        messages = self.with_context(mark_so_as_sent=True).message_post_with_source(
            template,
            subtype_xmlid="mail.mt_comment",
            email_layout_xmlid="mail.mail_notification_layout_with_responsible_signature",
            force_send=False,
        )
        # sudo: the mail queue is readable by administrators only; these are the mails just queued
        return self.env["mail.mail"].sudo().search([("mail_message_id", "in", messages.ids)])

    def _abs_proforma_pdf(self):
        """``(filename, pdf bytes)`` of the pro-forma: core's sale order report, rendered by wkhtmltopdf."""
        self.ensure_one()
        # proforma: the quotation report titled "Pro-Forma Invoice" (what core's pro-forma report does,
        # without its group). force_report_rendering: a real PDF in test mode too, where Odoo renders HTML.
        Report = self.env["ir.actions.report"].with_context(proforma=True, force_report_rendering=True)
        pdf, _report_type = Report._render_qweb_pdf("sale.action_report_saleorder", self.ids)
        return f"{self.env._('Pro-Forma')} - {self.name}.pdf".replace("/", "_"), pdf

    def _abs_proforma_payload(self):
        filename, pdf = self._abs_proforma_pdf()
        return {"filename": filename, "mimetype": "application/pdf", "content_base64": base64.b64encode(pdf).decode()}

    # ------------------------------------------------------------------ business methods: approval

    def _abs_request_approval(self):
        """Seed workflow 3: draft → waiting approval (also after a rejection or a withdrawn approval)."""
        for order in self:
            order._abs_check_state(QUOTATION_STATES, self.env._("Only a quotation can be submitted for approval."))
            if not order.x_sa_id:
                raise rules.NO_SERVICE_ACCOUNT(
                    self.env._("%(order)s belongs to no service account: nobody could approve it.", order=order.name)
                )
            if order.abs_approval_state in ("waiting", "approved"):
                raise rules.INVALID_STATE(
                    self.env._(
                        "%(order)s is already %(state)s.",
                        order=order.name,
                        state=dict(APPROVAL_STATES)[order.abs_approval_state].lower(),
                    ),
                    details={"approval_state": order.abs_approval_state},
                )
        self.sudo().write({"abs_approval_state": "waiting"})  # sudo: approval fields (see APPROVAL_FIELDS)
        for order in self:
            order.message_post(body=self.env._("Approval requested."))
        return True

    def _abs_approve(self, note=None, approver=None):
        """Approve an order waiting for approval. ``approver``: the employee deciding (API); without
        one, the current backend user decides. Either must be staff of the order's SA."""
        self._abs_check_decision(approver)
        self.sudo().write(  # sudo: approval fields, written once the rule above passed
            {
                "abs_approval_state": "approved",
                "abs_approval_note": note or False,
                "abs_reject_reason": False,
                **self._abs_decision_vals(approver),
            }
        )
        for order in self:
            order.message_post(
                body=self.env._("Approved: %(note)s", note=note) if note else self.env._("Approved."),
            )
        return True

    def _abs_reject(self, reason, approver=None):
        """Reject an order waiting for approval: back to draft, the reason kept for the agent."""
        reason = (reason or "").strip()
        if not reason:
            raise rules.REASON_REQUIRED(self.env._("Say why the order is rejected."))
        self._abs_check_decision(approver)
        self.filtered(lambda o: o.state == "sent").action_draft()
        self.sudo().write(  # sudo: approval fields, written once the rule above passed
            {
                "abs_approval_state": "rejected",
                "abs_reject_reason": reason,
                "abs_approval_note": False,
                **self._abs_decision_vals(approver),
            }
        )
        for order in self:
            order.message_post(body=self.env._("Rejected: %(reason)s", reason=reason))
        return True

    def _abs_withdraw_approval(self, what=None):
        """What an approved quotation was approved with changed (``what``: its labels; default the
        lines): what was approved is gone, so is the approval. The one rule, for the API and the
        backend alike: the lines call it from their create, write and unlink; the order's own
        fields from its write (``_abs_withdraw_approval_on_change``)."""
        approved = self.filtered(lambda o: o.abs_approval_state == "approved" and o.state in QUOTATION_STATES)
        if approved:
            approved.sudo().write({"abs_approval_state": "none"})  # sudo: approval fields
            for order in approved:
                order.message_post(
                    body=self.env._("Approval withdrawn: %(what)s changed.", what=what or self.env._("the lines"))
                )

    def _abs_judged_values(self, vals):
        """``{order: values}`` of the judged header fields, for the approved quotations ``vals`` may change."""
        if not APPROVAL_JUDGED_FIELDS & vals.keys():
            return {}
        approved = self.filtered(lambda o: o.abs_approval_state == "approved" and o.state in QUOTATION_STATES)
        return {order: order._abs_judged_snapshot() for order in approved}

    def _abs_judged_snapshot(self):
        self.ensure_one()
        return {name: self[name] for name in APPROVAL_JUDGED_FIELDS}

    def _abs_withdraw_approval_on_change(self, judged):
        """Withdraw the approval of the orders whose judged fields differ from ``judged`` (taken before a write)."""
        for order, before in judged.items():
            after = order._abs_judged_snapshot()
            changed = [name for name in APPROVAL_JUDGED_FIELDS if after[name] != before[name]]
            if changed:
                labels = ", ".join(order._fields[name].get_description(self.env)["string"] for name in changed)
                order._abs_withdraw_approval(labels)

    @api.model
    def _abs_check_approval_fields(self, vals):
        if APPROVAL_FIELDS & vals.keys() and not self.env.su:
            raise AccessError(
                self.env._("An order's approval changes only through its Request Approval, Approve and Reject actions.")
            )

    def _abs_check_decision(self, approver):
        for order in self:
            if order.abs_approval_state != "waiting":
                raise rules.INVALID_STATE(
                    self.env._("%(order)s is not waiting for approval.", order=order.name),
                    details={"approval_state": order.abs_approval_state},
                )
        self._abs_check_approver(approver)

    def _abs_check_approver(self, approver=None):
        """Only staff of the order's SA approve or reject: an employee with a staff membership in
        force there (API), or a backend user who is an SA Administrator or an officer of that SA."""
        user = self.env.user
        if approver:
            staff_of = self.env["ov.membership"]._abs_staff_account_ids(approver.id)
        elif user.has_group("abs_connector.group_abs_manager"):
            return
        else:
            staff_of = set(user.abs_sa_ids.ids)
        refused = self.filtered(lambda o: o.x_sa_id.id not in staff_of)
        if refused:
            raise rules.APPROVER_FORBIDDEN(
                self.env._(
                    "Only a staff member of the service account of %(order)s may approve or reject it.",
                    order=refused[0].name,
                )
            )

    def _abs_decision_vals(self, approver):
        return {
            "abs_approved_by": approver.id if approver else False,
            "abs_approval_user_id": False if approver else self.env.user.id,
            "abs_approval_date": fields.Datetime.now(),
        }

    @api.model
    def _abs_approval_reason_labels(self):
        return [
            ("threshold", self.env._("total above the SA's approval threshold")),
            ("category", self.env._("a product category requires approval")),
            ("discount", self.env._("a line is priced below the pricelist")),
        ]

    def _abs_approval_reason_codes(self):
        """Why this order needs a staff member's approval: ``threshold``, ``category``, ``discount``.

        Only orders of an SA go through approval (it is the SA's staff who approve).
        """
        self.ensure_one()
        # sudo: the rule binds whoever confirms, also a salesman who may not read service accounts
        account = self.x_sa_id.sudo()
        if not account:
            return []
        reasons = []
        threshold = account.approval_threshold
        if threshold > 0:
            total = self.currency_id._convert(
                self.amount_total, account.currency_id, account.company_id, self.date_order or fields.Date.today()
            )
            if account.currency_id.compare_amounts(total, threshold) > 0:
                reasons.append("threshold")
        lines = self.order_line.filtered(lambda line: line.product_id and not line.display_type)
        if any(line.product_id.categ_id.abs_requires_approval for line in lines):
            reasons.append("category")
        if lines._abs_below_pricelist():
            reasons.append("discount")
        return reasons

    # ------------------------------------------------------------------ business methods: confirmation

    def _abs_check_can_confirm(self):
        """A quotation confirms only when it needs no approval, or has it (``approval_required``), and every
        product line's quantity can be ordered (``invalid_quantity``)."""
        for order in self:
            order._abs_check_state(QUOTATION_STATES, self.env._("Only a quotation can be confirmed."))
            order.order_line._abs_check_quantities()
            if order.abs_needs_approval and order.abs_approval_state != "approved":
                raise rules.APPROVAL_REQUIRED(
                    self.env._(
                        "%(order)s needs a staff member's approval before confirmation (%(reasons)s).",
                        order=order.name,
                        reasons=order.abs_approval_reasons,
                    ),
                    details={
                        "approval_state": order.abs_approval_state,
                        "reasons": order._abs_approval_reason_codes(),
                    },
                )

    def _abs_confirm(self, reserve=True):
        """Confirm (seed workflow 4): the delivery of the physical lines, reserved unless ``reserve`` is
        false (an order without reservation), and the draft invoice of the ordered-quantity lines."""
        self.ensure_one()
        self.with_context(abs_no_reservation=not reserve).action_confirm()
        return self

    def _abs_finalize(self):
        """Close a confirmed order (Odoo's lock): no more changes, what is left is delivered and invoiced."""
        self.ensure_one()
        self._abs_check_state(("sale",), self.env._("Only a confirmed order can be finalized."))
        if not self.locked:
            self.action_lock()
        return self

    def _abs_invoice_ordered_lines(self):
        """Draft invoices of what is invoiceable right at confirmation: the ``invoice_policy = order``
        lines (delivered-quantity lines have nothing delivered yet). Core leaves this to a person."""
        to_invoice = self.filtered(lambda o: any(line.qty_to_invoice > 0 for line in o.order_line))
        if not to_invoice:
            return self.env["account.move"]
        invoices = to_invoice.with_context(raise_if_nothing_to_invoice=False)._create_invoices()
        if "abs_sa_assignment_ids" in invoices._fields:
            # Invoice governance (V3), once invoices are governed: idempotent beside any create hook.
            invoices._abs_sync_sa_assignment()
        return invoices

    def _abs_on_recurring_lines_confirmed(self, lines):
        """Called at confirmation with the order lines of recurring products (``recurring_invoice``):
        an active ``abs.subscription`` per line, its first period billed by the confirmation's invoice,
        the next ones by the scheduled job ``abs_connector.ir_cron_subscription_invoicing``."""
        return self.env["abs.subscription"]._abs_create_from_order_lines(lines)

    # ------------------------------------------------------------------ helpers

    def _abs_check_state(self, states, message):
        labels = dict(self._fields["state"]._description_selection(self.env))
        for order in self:
            if order.state not in states:
                raise rules.INVALID_STATE(
                    self.env._(
                        "%(message)s (%(order)s: %(state)s)",
                        message=message,
                        order=order.name,
                        state=labels[order.state],
                    ),
                    details={"state": order.state},
                )

    @api.model
    def _abs_prepare_header_vals(self, values, account, order=None):
        """sale.order values of the API's header fields, each reference checked against ``account``."""
        vals = {key: values[key] or False for key in PLAIN_HEADER_FIELDS if key in values}
        company = account.company_id
        if values.get("company_id") and values["company_id"] != company.id:
            raise rules.COMPANY_MISMATCH(
                self.env._("The quotation is made in the company of %(sa)s.", sa=account.display_name),
                details={"company_id": company.id},
            )
        if "customer_id" in values:
            Partner = self.env["res.partner"]
            customer = Partner.search(
                [("id", "=", values["customer_id"]), *Partner._abs_sa_domain([account.id])], limit=1
            )
            if not customer:
                raise rules.NOT_FOUND(self.env._("Customer not found."), details={"customer_id": values["customer_id"]})
            vals["partner_id"] = customer.id
        if "outlet_id" in values:
            outlet = self.env["ov.outlet"].browse(values["outlet_id"] or []).exists()
            if values["outlet_id"] and outlet.account_id != account:
                raise rules.INVALID_OUTLET(
                    self.env._("Outlet %(id)s is not an outlet of %(sa)s.", id=values["outlet_id"], sa=account.name)
                )
            vals["x_outlet_id"] = outlet.id
        if "channel_partner_id" in values:
            # A partner tagged Channel Partner, of no SA or of this SA: anything else (a customer, a
            # vendor, the company, another SA's partner) is as if missing, and nothing of it is echoed.
            vals["x_channel_partner_id"] = self._abs_reference(
                "res.partner",
                values["channel_partner_id"],
                company,
                self.env._("Channel partner"),
                domain=self.env["res.partner"]._abs_channel_partner_domain([account.id]),
            ).id
        if "payment_term_id" in values:
            vals["payment_term_id"] = self._abs_reference(
                "account.payment.term", values["payment_term_id"], company, self.env._("Payment terms")
            ).id
        return vals

    @api.model
    def _abs_reference(self, model, record_id, company, what, domain=()):
        """The record ``record_id`` of ``company`` (or shared) within ``domain``; else INVALID_REFERENCE."""
        Model = self.env[model]
        record = Model.search([("id", "=", record_id), *domain], limit=1) if record_id else Model
        if record_id and (not record or (record.company_id and record.company_id != company)):
            raise rules.INVALID_REFERENCE(
                self.env._("%(what)s %(id)s not found.", what=what, id=record_id), details={"id": record_id}
            )
        return record

    @api.model
    def _abs_prepare_line_vals(self, lines, account, company=None, where="products"):
        """sale.order.line values of the API's lines; every product resolved in one search."""
        company = company or account.company_id
        products = self._abs_sellable_products([line["product_id"] for line in lines], account, company, where)
        Line, errors = self.env["sale.order.line"], {}
        for index, line in enumerate(lines):
            product = products[line["product_id"]]
            problem = Line._abs_quantity_problem(product, product.uom_id, line["quantity"])
            if problem:
                errors[f"{where}.{index}.quantity"] = problem
        if errors:
            raise rules.INVALID_QUANTITY(
                self.env._("Quantities that cannot be ordered: %(list)s.", list="; ".join(errors.values())),
                details={"fields": errors},
            )
        vals_list = []
        for line in lines:
            vals = {"product_id": products[line["product_id"]].id, "product_uom_qty": line["quantity"]}
            if line.get("price_unit") is not None:
                vals["price_unit"] = line["price_unit"]
            if line.get("discount") is not None:
                vals["discount"] = line["discount"]
            vals_list.append(vals)
        return vals_list

    @api.model
    def _abs_sellable_products(self, product_ids, account, company, where="products"):
        """``{id: product}`` of the products ``account`` may sell in ``company`` (its catalogue), in one
        search; INVALID_PRODUCT names the others (unknown, another SA's, archived, not sold)."""
        Product = self.env["product.product"].with_context(active_test=False)
        domain = [("id", "in", list(set(product_ids))), *Product._abs_catalog_domain([account.id])]
        found = {product.id: product for product in Product.search_fetch(domain, ["active", "sale_ok", "company_id"])}
        errors = {}
        for index, product_id in enumerate(product_ids):
            product = found.get(product_id)
            if not product:
                problem = self.env._("product %(id)s not found", id=product_id)
            elif not product.active:
                problem = self.env._("%(product)s is archived", product=product.display_name)
            elif not product.sale_ok:
                problem = self.env._("%(product)s cannot be sold", product=product.display_name)
            elif product.company_id and product.company_id != company:
                problem = self.env._("%(product)s belongs to another company", product=product.display_name)
            else:
                continue
            errors[f"{where}.{index}.product_id"] = problem
        if errors:
            raise rules.INVALID_PRODUCT(
                self.env._("Products that cannot be sold: %(list)s.", list="; ".join(errors.values())),
                details={"fields": errors},
            )
        return {product_id: found[product_id].with_context(active_test=True) for product_id in product_ids}

    @api.model
    def _abs_prepare_bop_line_vals(self, bop, account, company=None):
        """Lines of a bill of products (``ov.bop.sheet``) expanded with the chosen property values."""
        Sheet = self.env["ov.bop.sheet"]
        sheet = Sheet.search([("id", "=", bop["bop_id"]), *Sheet._abs_catalog_domain([account.id])], limit=1)
        if not sheet:
            raise rules.NOT_FOUND(self.env._("Bill of products not found."), details={"bop_id": bop["bop_id"]})
        expanded = sheet._abs_expand(bop.get("property_value_ids") or [], multiplier=bop.get("quantity") or 1.0)
        lines = [{"product_id": product.id, "quantity": qty} for product, qty in expanded if qty > 0]
        return self._abs_prepare_line_vals(lines, account, company=company, where="bop")

    # ------------------------------------------------------------------ invoicing (workflow 6)
    # The invoicing half of issue 8: model methods the API, the backend and the payments side call.

    def _abs_invoice(self, lines=None):
        """``(invoice, created)``: the order's draft customer invoice (seed workflow 6).

        Without ``lines``: the existing draft if there is one (never a duplicate), else a new one of
        everything invoiceable now. ``lines``: ``[(sale.order.line, quantity)]`` for a partial invoice
        (the order stays open for the rest); refused while a draft waits. Concurrent calls for one
        order take turns on the order's row, and the loser is retried by Odoo and finds the draft.
        """
        self.ensure_one()
        self._abs_lock_for_invoicing()
        self._abs_check_state(("sale",), self.env._("Only a confirmed order can be invoiced."))
        draft = self.invoice_ids.filtered(lambda m: m.state == "draft" and m.move_type == "out_invoice")[:1]
        if draft and not lines:
            return draft, False
        if draft:
            raise invoice_rules.DRAFT_INVOICE_EXISTS(
                self.env._("%(order)s has a draft invoice: post it before a partial one.", order=self.name),
                details={"invoice_id": draft.id},
            )
        if lines:
            invoice = self._abs_create_partial_invoice(self._abs_check_invoice_lines(lines))
        else:
            if not any(line.qty_to_invoice > 0 for line in self.order_line if not line.display_type):
                raise invoice_rules.NOTHING_TO_INVOICE(
                    self.env._("%(order)s has nothing to invoice now.", order=self.name),
                    details={"invoice_status": self.invoice_status},
                )
            invoice = self._create_invoices()
        return invoice, True

    def _abs_lock_for_invoicing(self):
        # A write on the order's row: a concurrent invoicing of it waits, then (REPEATABLE READ) fails
        # to serialize and Odoo retries it, so the retry sees the invoice made here.
        self.env.cr.execute(
            "UPDATE sale_order SET write_date = write_date WHERE id = %s", [self.id], log_exceptions=False
        )

    def _abs_check_invoice_lines(self, lines):
        """``{order line: quantity}`` of a partial invoice; every line of this order, within what it has to invoice."""
        errors, wanted = {}, {}
        for index, (line, quantity) in enumerate(lines):
            where = f"lines.{index}"
            if line not in self.order_line or line.display_type:
                errors[f"{where}.order_line_id"] = self.env._(
                    "line %(id)s is not a line of %(order)s", id=line.id, order=self.name
                )
            elif line in wanted:
                errors[f"{where}.order_line_id"] = self.env._("line %(id)s given twice", id=line.id)
            elif float_compare(quantity, line.qty_to_invoice, precision_rounding=line.product_uom.rounding) > 0:
                raise invoice_rules.OVER_INVOICE(
                    self.env._(
                        "%(product)s: %(qty)s is more than the %(left)s left to invoice.",
                        product=line.product_id.display_name,
                        qty=quantity,
                        left=line.qty_to_invoice,
                    ),
                    details={"fields": {f"{where}.quantity": f"at most {line.qty_to_invoice}"}},
                )
            else:
                wanted[line] = quantity
        if errors:
            raise invoice_rules.INVALID_INVOICE_LINES(
                self.env._("Lines that cannot be invoiced: %(list)s.", list="; ".join(errors.values())),
                details={"fields": errors},
            )
        return wanted

    def _abs_create_partial_invoice(self, wanted):
        """A draft invoice of the given quantities, made as core makes one (``_prepare_invoice``,
        ``_prepare_invoice_line``, ``_create_account_invoices``)."""
        order = self.with_company(self.company_id)
        invoice_vals = order._prepare_invoice()
        invoice_vals["invoice_line_ids"] += [
            Command.create(line._prepare_invoice_line(sequence=sequence, quantity=quantity))
            for sequence, (line, quantity) in enumerate(sorted(wanted.items(), key=lambda item: item[0].sequence))
        ]
        return order._create_account_invoices([invoice_vals], final=False)

    # ------------------------------------------------------------------ payments (seed workflow 9)
    # The payments section (abs_connector payments): the seed's smart resolution of the invoice an
    # order's payment goes to; the payment itself is account.move._abs_register_payment.

    def _abs_register_payment(
        self, amount=None, journal=None, invoice_id=None, payment_date=None, memo=None, actor=None
    ):
        """Pay the order's invoice (``_abs_resolve_invoice_to_pay``); returns ``(invoice, payment)``."""
        invoice = self._abs_resolve_invoice_to_pay(invoice_id)
        return invoice, invoice._abs_register_payment(amount, journal, payment_date, memo, actor)

    def _abs_resolve_invoice_to_pay(self, invoice_id=None):
        """The posted invoice a payment of this order goes to (seed workflow 9, smart resolution).

        ``invoice_id`` picks one of the order's invoices (posted here if still a draft). Without it: the
        one open posted invoice; several → ``invoice_required``; none → the order's draft invoice
        (made first if needed) is posted, unless a delivery of a delivered-quantity line is still to
        validate (``delivery_not_validated`` naming it); everything paid → ``already_paid``.
        The order row is locked, so simultaneous payments do not make two invoices.
        """
        # The payments section's own codes, and the invoices' payment state as the API says it.

        self.ensure_one()
        if self.state != "sale":
            raise payment_rules.ORDER_NOT_CONFIRMED(
                self.env._(
                    "Only a confirmed order can be paid (%(order)s: %(state)s).", order=self.name, state=self.state
                ),
                details={"state": self.state},
            )
        # log_exceptions: a race loser's serialization failure is retried by Odoo, not a bad query
        self.env.cr.execute(
            "SELECT id FROM sale_order WHERE id = %s FOR NO KEY UPDATE", [self.id], log_exceptions=False
        )
        self.invalidate_recordset(["invoice_ids"])
        invoices = self.invoice_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state != "cancel")
        if invoice_id:
            invoice = invoices.filtered(lambda m: m.id == invoice_id)
            if not invoice:
                raise payment_rules.NOT_FOUND(
                    self.env._("Invoice not found on this order."), details={"invoice_id": invoice_id}
                )
            return invoice._abs_post() if invoice.state == "draft" else invoice
        posted = invoices.filtered(lambda m: m.state == "posted")
        open_invoices = posted._abs_payable()
        if len(open_invoices) > 1:
            raise payment_rules.INVOICE_REQUIRED(
                self.env._("%(order)s has several open invoices: say which one in invoice_id.", order=self.name),
                details={"invoice_ids": open_invoices.ids},
            )
        if open_invoices:
            return open_invoices
        self._abs_check_deliveries_validated()
        drafts = invoices.filtered(lambda m: m.state == "draft")
        if len(drafts) > 1:
            raise payment_rules.INVOICE_REQUIRED(
                self.env._("%(order)s has several draft invoices: say which one in invoice_id.", order=self.name),
                details={"invoice_ids": drafts.ids},
            )
        if not drafts and any(line.qty_to_invoice > 0 for line in self.order_line):
            drafts = self._abs_invoice()[0]
        if drafts:
            return drafts._abs_post()
        if posted:
            for invoice in posted:  # settled by a PAYG write-off: payg_written_off says why, not already_paid
                self.env["abs.payg.account"]._abs_check_invoice_payable(invoice)
            raise payment_rules.ALREADY_PAID(
                self.env._("%(order)s is already paid.", order=self.name),
                details={
                    "invoice_id": posted[-1].id,
                    "payment_state": api_payment_state(posted[-1].payment_state),
                },
            )
        raise payment_rules.INVOICE_NOT_POSTED(
            self.env._("%(order)s has nothing invoiced to pay.", order=self.name), details={"invoice_id": None}
        )

    def _abs_check_deliveries_validated(self):
        """Refused (``delivery_not_validated``) while a delivery of a delivered-quantity line is still open."""

        waiting = self.order_line.filtered(
            lambda line: (
                line.product_id.invoice_policy == "delivery"
                and line.product_id.type == "consu"
                and line.qty_delivered < line.product_uom_qty
            )
        )
        pickings = waiting.move_ids.picking_id.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
        )
        if pickings and all(pickings.mapped("backorder_id")) and self._abs_has_something_to_pay():
            # A partial delivery (the peer guide's backorders): what was delivered is invoiced and paid now,
            # the backorder's goods once delivered. The answer names the open backorders.
            return
        if pickings:
            picking = pickings.sorted("id")[0]
            raise payment_rules.DELIVERY_NOT_VALIDATED(
                self.env._("%(delivery)s is not validated yet: validate it before the payment.", delivery=picking.name),
                details={"delivery_id": picking.id},
            )

    def _abs_has_something_to_pay(self):
        """A draft customer invoice, or something invoiceable now (delivered goods, services)."""
        self.ensure_one()
        drafts = self.invoice_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state == "draft")
        return bool(drafts) or any(line.qty_to_invoice > 0 for line in self.order_line if not line.display_type)

    def _abs_open_backorders(self):
        """The order's deliveries still open that are backorders of a partial delivery."""
        self.ensure_one()
        return self.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.backorder_id and p.state not in ("done", "cancel")
        )

    # ------------------------------------------------------------------ end of the payments section
