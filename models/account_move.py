import base64
from datetime import timedelta

from odoo import Command, api, fields, models

from ..refusals import invoice as rules
from ..refusals import payment as payment_rules
from ..refusals import sale as sale_rules

# Odoo's payment states as the API shows them: seed workflow 7, "in_payment" is settled for operations.
# The window of the dates a payment booked by the API may carry (ir.config_parameter, days).
PAYMENT_DAYS_BACK_PARAM = "abs_connector.payment_date_days_back"
PAYMENT_DAYS_AHEAD_PARAM = "abs_connector.payment_date_days_ahead"
PAYMENT_STATE_API = {"in_payment": "paid", "invoicing_legacy": "paid"}
CUSTOMER_DOCUMENTS = ("out_invoice", "out_refund")


def api_payment_state(payment_state):
    """Odoo's ``payment_state`` normalised for the API: ``in_payment`` is ``paid``."""
    return PAYMENT_STATE_API.get(payment_state, payment_state or "not_paid")


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["ov.sa_governed.mixin", "account.move"]  # mixin first: see its docstring
    _sa_assignment_model = "ov.sa_invoice_assignment"

    # V2 stamp: the SA of the sale order an invoice comes from (sale.order._prepare_invoice), of the
    # invoice a credit note reverses (copied). Governance (V3) is ov.sa_invoice_assignment, dual-written
    # at creation, on a change of the stamp and at posting; API reads go through it (seed Gap 1).
    x_sa_id = fields.Many2one(
        "ov.serviced_account",
        string="Service Account",
        index="btree_not_null",
        copy=True,
        default=lambda self: self.env.user._abs_default_sa(),
        help="The service account the invoice belongs to. Set from its sale order; on an invoice made by "
        "hand, from the customer when exactly one SA serves it. Can be changed while the invoice is a draft.",
    )
    abs_sa_assignment_ids = fields.One2many(
        "ov.sa_invoice_assignment", "move_id", string="Service Account Assignments", copy=False
    )
    abs_subscription_id = fields.Many2one(
        "abs.subscription", string="Subscription", index="btree_not_null", readonly=True, copy=False
    )

    # ------------------------------------------------------------------ CRUD / core hooks

    def _post(self, soft=True):
        # Catch-all: whatever made the invoice (API, backend, a cron), it is governed once posted.
        posted = super()._post(soft)
        posted._abs_govern()
        return posted

    # ------------------------------------------------------------------ governance

    def _abs_sa_origin(self):
        """The stamp; else the SA of the invoice's sale orders; else that of the invoice it reverses;
        else the customer's SA when exactly one serves it (an invoice made by hand in the backend)."""
        self.ensure_one()
        if self.x_sa_id:
            return self.x_sa_id
        if not self.is_sale_document(include_receipts=True):
            return self.env["ov.serviced_account"]
        return (
            self.line_ids.sale_line_ids.order_id.x_sa_id[:1]
            or self.reversed_entry_id.x_sa_id
            or self.partner_id._abs_single_sa()
        )

    def _abs_sa_actor(self):
        """The agent who took the order (seed: ``actor_id`` = the agent who created the order)."""
        self.ensure_one()
        orders = self.line_ids.sale_line_ids.order_id or self.reversed_entry_id.line_ids.sale_line_ids.order_id
        return orders.x_actor_id[:1]

    def _abs_govern(self):
        """Only customer documents, or a move stamped by hand, belong to an SA (journal entries and
        vendor bills do not)."""
        moves = self.filtered(lambda m: m.x_sa_id or m.is_sale_document(include_receipts=True))
        return super(AccountMove, moves)._abs_govern()

    # ------------------------------------------------------------------ business methods

    def _abs_post(self):
        """Post draft invoices (seed workflow 7): the receivable, revenue and tax entries are written.

        Anything but a draft is refused (``invoice_not_draft``): a posted invoice is undone by a credit note.
        """
        for move in self:
            if move.state != "draft":
                raise rules.INVOICE_NOT_DRAFT(
                    self.env._("%(invoice)s is not a draft (%(state)s).", invoice=move.display_name, state=move.state),
                    details={"state": move.state},
                )
        self.action_post()
        return self

    def _abs_credit_note(self, reason, date=None, lines=None):
        """Reverse a posted customer invoice by a posted credit note, reconciled with it.

        ``lines``: None for the whole invoice, else ``[(invoice line, quantity)]`` for a partial one.
        The credit note inherits the invoice's SA (stamp copied, governance follows).
        """
        self.ensure_one()
        today = fields.Date.context_today(self)
        date = date or today
        if self.move_type != "out_invoice":
            raise rules.NOT_AN_INVOICE(self.env._("Only a customer invoice can be credited."))
        if self.state != "posted":
            raise rules.INVOICE_NOT_POSTED(
                self.env._("%(invoice)s is not posted: a draft is changed, not credited.", invoice=self.display_name),
                details={"state": self.state},
            )
        if self.payment_state == "reversed":
            raise rules.INVOICE_REVERSED(
                self.env._("%(invoice)s is already fully reversed.", invoice=self.display_name),
                details={"payment_state": self.payment_state},
            )
        if date > today:
            raise rules.INVALID_DATE(self.env._("A credit note cannot be dated in the future."))
        wanted = self._abs_check_credit_lines(lines) if lines else None
        ref = (
            self.env._("Reversal of: %(invoice)s, %(reason)s", invoice=self.name, reason=reason)
            if reason
            else self.env._("Reversal of: %(invoice)s", invoice=self.name)
        )
        credit_note = self._reverse_moves(
            [
                {
                    "ref": ref,
                    "date": date,
                    "invoice_date": date,
                    "invoice_date_due": date,
                    "invoice_payment_term_id": False,
                }
            ]
        )
        if wanted is not None:
            # The reversal copies the invoice's lines in their order: keep the ones asked for.
            originals = self._abs_product_lines()
            commands = []
            for original, copy in zip(originals, credit_note._abs_product_lines(), strict=True):
                if original.id in wanted:
                    commands.append(Command.update(copy.id, {"quantity": wanted[original.id]}))
                else:
                    commands.append(Command.delete(copy.id))
            credit_note.write({"invoice_line_ids": commands})
        credit_note.action_post()
        receivable = (self.line_ids | credit_note.line_ids).filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        )
        if len(receivable.move_id) == 2:
            receivable.reconcile()
        return credit_note

    def _abs_check_credit_lines(self, lines):
        """``{invoice line id: quantity}`` of a partial credit note, each line checked."""
        errors, wanted = {}, {}
        products = self._abs_product_lines()
        for index, (line, quantity) in enumerate(lines):
            where = f"lines.{index}"
            if line not in products:
                errors[f"{where}.invoice_line_id"] = self.env._("not a product line of %(inv)s", inv=self.name)
            elif line.id in wanted:
                errors[f"{where}.invoice_line_id"] = self.env._("given twice")
            elif quantity > line.quantity:
                raise rules.OVER_INVOICE(
                    self.env._(
                        "%(product)s: %(qty)s is more than the %(max)s invoiced.",
                        product=line.product_id.display_name or line.name,
                        qty=quantity,
                        max=line.quantity,
                    ),
                    details={"fields": {f"{where}.quantity": f"at most {line.quantity}"}},
                )
            else:
                wanted[line.id] = quantity
        if errors:
            raise rules.INVALID_INVOICE_LINES(
                self.env._("Lines that cannot be credited: %(list)s.", list="; ".join(errors.values())),
                details={"fields": errors},
            )
        return wanted

    def _abs_product_lines(self):
        return self.invoice_line_ids.filtered(lambda line: line.display_type == "product").sorted(
            lambda line: (line.sequence, line.id)
        )

    def _abs_pdf(self, force_rendering=True):
        """``(filename, pdf bytes)`` of the invoice: core's invoice report, rendered by wkhtmltopdf."""
        self.ensure_one()
        # force_report_rendering: a real PDF in test mode too, where Odoo renders HTML.
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=force_rendering)
        pdf, _report_type = Report._render_qweb_pdf("account.account_invoices", self.ids)
        return f"{self._get_move_display_name() or self.env._('Invoice')}.pdf".replace("/", "_"), pdf

    def _abs_pdf_payload(self):
        filename, pdf = self._abs_pdf()
        return {"filename": filename, "mimetype": "application/pdf", "content_base64": base64.b64encode(pdf).decode()}

    def _abs_send(self):
        """Queue the invoice mail (core's template, the PDF attached) to the customer; never sent in the request.

        Returns the queued mails. A draft is not sent: it may still change.
        """
        self.ensure_one()
        if self.state != "posted":
            raise rules.INVOICE_NOT_POSTED(
                self.env._("%(invoice)s is not posted: only a posted invoice is sent.", invoice=self.display_name),
                details={"state": self.state},
            )
        if not self.partner_id.email:
            raise sale_rules.NO_EMAIL(
                self.env._("%(customer)s has no email address to send the invoice to.", customer=self.partner_id.name)
            )
        # As core's mail does: a real PDF, except in test mode (HTML there).
        filename, pdf = self._abs_pdf(force_rendering=False)
        attachment = self.env["ir.attachment"].create(
            {"name": filename, "raw": pdf, "res_model": self._name, "res_id": self.id, "mimetype": "application/pdf"}
        )
        messages = self.message_post_with_source(
            self.env.ref("account.email_template_edi_invoice"),
            subtype_xmlid="mail.mt_comment",
            attachment_ids=attachment.ids,
            force_send=False,
        )
        self.is_move_sent = True
        # sudo: the mail queue is readable by administrators only; these are the mails just queued
        return self.env["mail.mail"].sudo().search([("mail_message_id", "in", messages.ids)])

    def _abs_queue_subscription_mails(self):
        """Queue the mail telling each customer (with an email) of its new subscription invoice.

        Only queued (``mail.mail``, sent later by the mail queue job), never sent in the billing
        transaction: a slow or failing mail server does not hold or roll back an invoice.
        """
        to_notify = self.filtered(lambda move: move.partner_id.email)
        if to_notify:
            template = self.env.ref("abs_connector.mail_template_subscription_invoice")
            # sudo: queuing mail is the system's job, for invoices this caller has just created
            template.sudo().send_mail_batch(to_notify.ids, force_send=False)

    @api.model
    def _abs_next_payment(self, domain):
        """The next instalment due among the open receivable lines of the invoices of ``domain``."""
        line = self.env["account.move.line"].search(
            [
                ("move_id", "any", domain),
                ("account_id.account_type", "=", "asset_receivable"),
                ("reconciled", "=", False),
                ("amount_residual", ">", 0),
                ("parent_state", "=", "posted"),
            ],
            order="date_maturity asc, id asc",
            limit=1,
        )
        if not line:
            return None
        # A pay-as-you-go invoice is paid by instalments: its PAYG account says which is next.
        instalment = self.env["abs.payg.account"]._abs_next_instalment_of(line.move_id)
        if instalment:
            return {
                **instalment,
                "currency": line.company_currency_id.name,
                "invoice": {"id": line.move_id.id, "name": line.move_id.name},
            }
        return {
            "due_date": line.date_maturity or line.move_id.invoice_date_due or None,
            "amount": line.amount_residual_currency if line.currency_id else line.amount_residual,
            "currency": line.currency_id.name or line.company_currency_id.name,
            "invoice": {"id": line.move_id.id, "name": line.move_id.name},
        }

    @api.model
    def _abs_sa_summary(self, accounts, date_from=None, date_to=None):
        """Revenue, receivables, collected (per SA) of the posted customer invoices and credit notes dated in
        the period, and the deliveries done in it; amounts in the company currency, in a fixed number of queries.

        collected = what is paid of those invoices (total - residual, signed: a credit note reconciled with an
        invoice cancels out), whatever registered the payments.
        """
        domain = [
            ("x_sa_id", "in", accounts.ids),
            ("state", "=", "posted"),
            ("move_type", "in", CUSTOMER_DOCUMENTS),
            *self._abs_sa_domain(accounts.ids),
        ]
        if date_from:
            domain.append(("invoice_date", ">=", date_from))
        if date_to:
            domain.append(("invoice_date", "<=", date_to))
        money = {
            account.id: (untaxed, total, residual)
            for account, untaxed, total, residual in self._read_group(
                domain,
                ["x_sa_id"],
                ["amount_untaxed_signed:sum", "amount_total_signed:sum", "amount_residual_signed:sum"],
            )
        }
        delivery_domain = [
            ("account_id", "in", accounts.ids),
            ("state", "=", "active"),
            ("picking_id.state", "=", "done"),
            ("picking_id.picking_type_code", "=", "outgoing"),
        ]
        if date_from:
            delivery_domain.append(("picking_id.date_done", ">=", fields.Datetime.to_datetime(date_from)))
        if date_to:
            delivery_domain.append(
                ("picking_id.date_done", "<", fields.Datetime.to_datetime(fields.Date.add(date_to, days=1)))
            )
        deliveries = dict(
            self.env["ov.sa_delivery_assignment"]._read_group(delivery_domain, ["account_id"], ["__count"])
        )
        summary = []
        for account in accounts.sorted(lambda a: (a.name, a.id)):
            untaxed, total, residual = money.get(account.id, (0.0, 0.0, 0.0))
            rounding = account.company_id.currency_id
            summary.append(
                {
                    "id": account.id,
                    "name": account.name,
                    "revenue": rounding.round(untaxed or 0.0),
                    "receivables": rounding.round(residual or 0.0),
                    "collected": rounding.round((total or 0.0) - (residual or 0.0)),
                    "deliveries": deliveries.get(account, 0),
                }
            )
        return summary

    # ------------------------------------------------------------------ payments (seed workflow 9)

    @api.model
    def _abs_payable_domain(self):
        """Customer invoices that can still be paid: posted, with money still due (not paid, or in part).

        The one definition of "an invoice that can be paid": pending lists, an order's open invoice, a
        subscription's amount due, the dashboard's outstanding all read it (``_abs_payable`` on records).
        """
        return [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
        ]

    def _abs_payable(self):
        """The invoices of ``self`` that can still be paid (see ``_abs_payable_domain``)."""
        return self.filtered_domain(self._abs_payable_domain())

    def _abs_payable_amount(self, amount=None):
        """The amount a payment of this invoice may take (default: its residual), or the refusal.

        The checks of every payment, and of a mobile-money attempt before it asks for one: a posted
        customer invoice (``invoice_not_posted``), not billing PAYG accounts written off (``payg_written_off``),
        not paid yet (``already_paid`` with its state), a positive
        amount within the residual (``amount_exceeds_residual``: never an overpayment).
        """
        self.ensure_one()
        if self.move_type != "out_invoice" or self.state != "posted":
            raise payment_rules.INVOICE_NOT_POSTED(
                self.env._("%(invoice)s is not a posted customer invoice.", invoice=self.display_name),
                details={"invoice_id": self.id, "state": self.state},
            )
        self.env["abs.payg.account"]._abs_check_invoice_payable(self)  # payg_written_off before already_paid
        currency, residual = self.currency_id, self.amount_residual
        if currency.is_zero(residual):
            raise payment_rules.ALREADY_PAID(
                self.env._("%(invoice)s is already paid.", invoice=self.name),
                details={"invoice_id": self.id, "payment_state": api_payment_state(self.payment_state)},
            )
        amount = residual if amount is None else currency.round(amount)
        if currency.compare_amounts(amount, residual) > 0:
            raise payment_rules.AMOUNT_EXCEEDS_RESIDUAL(
                self.env._(
                    "%(amount)s is more than the %(residual)s still due on %(invoice)s.",
                    amount=amount,
                    residual=residual,
                    invoice=self.name,
                ),
                details={"invoice_id": self.id, "amount_residual": residual},
            )
        if currency.compare_amounts(amount, 0) <= 0:
            raise payment_rules.INVALID_AMOUNT(self.env._("A payment amount must be positive."))
        return amount

    @api.model
    def _abs_check_payment_date(self, payment_date):
        """A payment booked here (the API, mobile money) is dated within the window around today:
        ``abs_connector.payment_date_days_back`` days back (default 90) to
        ``abs_connector.payment_date_days_ahead`` days ahead (default 0). Staff post outside it in the
        backend, with core's Register Payment."""
        if not payment_date:
            return
        # sudo: deployment settings, read whoever books the payment
        params = self.env["ir.config_parameter"].sudo()
        back = int(params.get_param(PAYMENT_DAYS_BACK_PARAM, 90))
        ahead = int(params.get_param(PAYMENT_DAYS_AHEAD_PARAM, 0))
        today = fields.Date.context_today(self)
        first, last = today - timedelta(days=back), today + timedelta(days=ahead)
        if not first <= fields.Date.to_date(payment_date) <= last:
            raise payment_rules.INVALID_DATE(
                self.env._(
                    "A payment is dated from %(first)s to %(last)s; a payment outside these dates is posted by "
                    "accounting staff.",
                    first=first,
                    last=last,
                ),
                details={"fields": {"payment_date": f"from {first} to {last}"}},
            )

    def _abs_register_payment(self, amount=None, journal=None, payment_date=None, memo=None, actor=None):
        """Register one customer payment of ``amount`` (default: the residual) on this posted invoice.

        The one way a payment is booked by the API, a mobile-money settlement and any other caller:
        the invoice row is locked and its residual re-read under the lock, so simultaneous calls pay
        it once (``already_paid`` for the others) and more than the residual is refused (
        ``amount_exceeds_residual``), never an overpayment. Core's Register Payment wizard books and
        reconciles the payment; less than the residual leaves the rest due. Returns the payment.
        """

        self.ensure_one()
        self._abs_check_payment_date(payment_date)
        # log_exceptions: a concurrent payment's commit makes this lock a serialization failure,
        # the expected race loser that Odoo retries, not a bad query.
        self.env.cr.execute(
            "SELECT id FROM account_move WHERE id = %s FOR NO KEY UPDATE", [self.id], log_exceptions=False
        )
        self.invalidate_recordset(["state", "payment_state", "amount_residual"])
        invoice = self.with_company(self.company_id)
        amount = invoice._abs_payable_amount(amount)
        wizard_vals = {"amount": amount, "payment_difference_handling": "open"}
        if journal:
            wizard_vals["journal_id"] = journal.id
        if payment_date:
            wizard_vals["payment_date"] = payment_date
        if memo:
            wizard_vals["communication"] = memo
        # abs_actor_id: the agent the wizard stamps on the payment (account.payment.register)
        context = {
            "active_model": "account.move",
            "active_ids": invoice.ids,
            "abs_actor_id": actor.id if actor else False,
        }
        wizard = self.env["account.payment.register"].with_company(invoice.company_id).with_context(**context)
        return wizard.create(wizard_vals)._create_payments()
