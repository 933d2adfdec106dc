import csv
import io
from collections import defaultdict

from odoo import api, fields, models

from ..helpers.phone import normalize_phone
from ..refusals import reconciliation as recon_rules
from .abs_payment_attempt import PROVIDERS

ORIGINS = [("csv", "CSV File"), ("lines", "Lines (API)"), ("provider", "Fetched from the Provider")]
CSV_COLUMNS = ("reference", "date", "amount", "phone")
MAX_LINES = 20000


class AbsMomoStatement(models.Model):
    """A mobile-money provider's statement for one SA and period, reconciled with the SA's mobile-money
    payments (seed workflow 9 gap, "mobile money reconciliation per SA").

    Imported once (``_abs_import``: the backend's wizard and the API call it alike), it keeps one line per
    provider transaction, ``matched`` to our payment or ``missing_ours`` (the provider collected money we
    have no payment for), and one line per payment of ours in the period the provider does not list
    (``missing_provider``). The matching rule is ``_abs_match``, the only place it is written.
    A provider transaction is reconciled once: its reference is unique per company and provider
    (``abs.momo.statement.line``), so importing a statement again adds only the transactions not seen yet.
    """

    _name = "abs.momo.statement"
    _inherit = ["ov.sa_governed.mixin"]
    _description = "Mobile Money Provider Statement"
    _order = "date_to desc, id desc"
    _sa_assignment_model = "ov.sa_momo_statement_assignment"
    _check_company_auto = True

    name = fields.Char(readonly=True, copy=False, default="/")
    x_sa_id = fields.Many2one("ov.serviced_account", string="Service Account", required=True, readonly=True, index=True)
    x_actor_id = fields.Many2one("abs.employee", string="Imported by (API)", readonly=True)
    company_id = fields.Many2one(related="x_sa_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    provider = fields.Selection(PROVIDERS, required=True, default="sandbox", readonly=True)
    date_from = fields.Date(required=True, readonly=True)
    date_to = fields.Date(required=True, readonly=True)
    origin = fields.Selection(ORIGINS, required=True, default="csv", readonly=True)
    line_ids = fields.One2many("abs.momo.statement.line", "statement_id", string="Lines", readonly=True)
    matched_count = fields.Integer(readonly=True)
    missing_ours_count = fields.Integer("Missing on Our Side", readonly=True)
    missing_provider_count = fields.Integer("Missing on the Provider's Side", readonly=True)
    duplicate_count = fields.Integer(
        "Already Reconciled", readonly=True, help="Provider transactions skipped: another statement has them."
    )
    statement_amount = fields.Monetary("Provider Total", readonly=True)
    matched_amount = fields.Monetary(readonly=True)
    missing_ours_amount = fields.Monetary("Missing on Our Side (Amount)", readonly=True)
    missing_provider_amount = fields.Monetary("Missing on the Provider's Side (Amount)", readonly=True)
    abs_sa_assignment_ids = fields.One2many(
        "ov.sa_momo_statement_assignment", "statement_id", string="Service Account Assignments"
    )

    _sql_constraints = [
        ("period_ordered", "CHECK(date_to >= date_from)", "A statement's period ends after it starts."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        statements = super().create(vals_list)
        for statement in statements:
            statement.name = f"MMS-{statement.id:05d}"
        return statements

    # ------------------------------------------------------------------ actions

    def action_open_unmatched(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("abs_connector.abs_momo_statement_line_action")
        action["domain"] = [("statement_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------ business methods

    @api.model
    def _abs_import(self, account, provider, date_from, date_to, lines, origin="lines", actor=None):
        """Import the provider ``provider``'s statement of ``account`` for ``date_from``..``date_to``: ``lines``
        (``[{"reference", "date", "amount", "phone"}]``, see ``_abs_clean_lines``), then reconcile it.

        Transactions already reconciled in a statement (same company, provider and reference) are skipped
        and counted; if that is every line, the import is refused (``statement_already_imported``). Checked
        first; the unique reference of a line is the last guard against an import running beside this one.
        """
        cleaned = self._abs_clean_lines(lines, date_from, date_to)
        Line = self.env["abs.momo.statement.line"]
        seen = Line.search(
            [
                ("company_id", "=", account.company_id.id),
                ("provider", "=", provider),
                ("reference", "in", [line["reference"] for line in cleaned]),
            ]
        )
        if cleaned and len(seen) == len(cleaned):
            raise recon_rules.STATEMENT_ALREADY_IMPORTED(
                self.env._(
                    "Every transaction of this statement is reconciled already (%(statements)s).",
                    statements=", ".join(seen.statement_id.mapped("name")),
                ),
                details={"statement_ids": seen.statement_id.ids},
            )
        self._abs_lock_imports(account)
        seen_references = set(seen.mapped("reference"))
        statement = self.create(
            {
                "x_sa_id": account.id,
                "x_actor_id": actor.id if actor else False,
                "provider": provider,
                "date_from": date_from,
                "date_to": date_to,
                "origin": origin,
                "duplicate_count": len(seen),
            }
        )
        statement._abs_match([line for line in cleaned if line["reference"] not in seen_references])
        return statement

    @api.model
    def _abs_lock_imports(self, account):
        """One import of ``account``'s statements at a time, the others told what it imported.

        A row version of the SA is written (its values unchanged): a parallel import waits for it, then fails to
        serialise and is retried by Odoo (a request; the cron or the wizard: an error to try again), and its
        retry's check finds the lines this one committed (``statement_already_imported``). Taken after the
        check, so a retry that is refused takes no lock. The lines' unique reference stays the last guard.
        """
        # log_exceptions: the parallel import's failure to serialise is the expected loser, not a bad query.
        self.env.cr.execute(
            "UPDATE ov_serviced_account SET write_date = write_date WHERE id = %s", [account.id], log_exceptions=False
        )

    @api.model
    def _abs_fetch(self, account, provider, date_from, date_to, actor=None):
        """Import the statement the provider itself serves for ``account`` and the period (its adapter's
        ``_abs_statement``)."""
        lines = self.env[f"abs.payment.provider.{provider}"]._abs_statement(account, date_from, date_to)
        lines = [{key: line[key] for key in CSV_COLUMNS} for line in lines]
        return self._abs_import(account, provider, date_from, date_to, lines, origin="provider", actor=actor)

    def _abs_match(self, provider_lines):
        """The matching rule: the provider's lines against the SA's mobile-money payments, in a fixed number of
        queries whatever the statement's size.

        1. By reference: the provider's transaction reference is the reference of our attempt (what we sent
           the provider) or the memo of a payment (a reference an agent typed). An attempt that registered a
           payment: ``matched``; one that did not (pending, failed, cancelled): ``missing_ours``.
        2. Then, only when it is unambiguous: a line left is matched to a payment left with the same amount,
           the same phone (normalised) and the same date, when exactly one line and exactly one payment have
           that amount, phone and date. Anything less certain stays unmatched, for a person to decide.
        3. The SA's mobile-money payments dated in the period that no line matched (here or in an earlier
           statement): ``missing_provider``.
        """
        self.ensure_one()
        account = self.x_sa_id
        currency = self.currency_id
        Payment = self.env["account.payment"]
        Line = self.env["abs.momo.statement.line"]
        references = [line["reference"] for line in provider_lines]
        attempts = {
            attempt.reference: attempt
            for attempt in self.env["abs.payment.attempt"].search(
                [("reference", "in", references), ("provider", "=", self.provider), ("x_sa_id", "=", account.id)]
            )
        }
        reconciled_before = Line.search(
            [("company_id", "=", self.company_id.id), ("status", "=", "matched"), ("statement_id", "!=", self.id)]
        ).payment_id
        ours_domain = [
            ("x_sa_id", "=", account.id),
            *Payment._abs_sa_domain(account.ids),
            *Payment._abs_received_domain(),
            ("journal_id.abs_payment_source", "=", "mobile_money"),
            ("id", "not in", reconciled_before.ids),
        ]
        in_period = Payment.search([*ours_domain, ("date", ">=", self.date_from), ("date", "<=", self.date_to)])
        by_memo = Payment.search([*ours_domain, ("memo", "in", references)])
        attempt_payment_ids = [attempt.payment_id.id for attempt in attempts.values() if attempt.payment_id]
        ours = in_period | by_memo | Payment.search([*ours_domain, ("id", "in", attempt_payment_ids)])
        attempt_of_payment = {
            attempt.payment_id: attempt
            for attempt in self.env["abs.payment.attempt"].search([("payment_id", "in", ours.ids)])
        }
        payment_by_memo = defaultdict(list)
        for payment in ours:
            if payment.memo:
                payment_by_memo[payment.memo].append(payment)

        vals_list, left, taken = [], [], set()
        for line in provider_lines:
            vals = {
                "statement_id": self.id,
                "reference": line["reference"],
                "amount": line["amount"],
                "phone": line["phone"],
                "date": line["date"],
                "status": "missing_ours",
            }
            attempt = attempts.get(line["reference"])
            memo_hits = payment_by_memo.get(line["reference"], [])
            if attempt:
                vals["attempt_id"] = attempt.id
                if attempt.payment_id in ours and attempt.payment_id.id not in taken:
                    vals.update(status="matched", match_rule="reference", payment_id=attempt.payment_id.id)
                    taken.add(attempt.payment_id.id)
                else:
                    vals["note"] = self.env._("Our attempt is %(state)s: no payment.", state=attempt.state)
            elif len(memo_hits) == 1 and memo_hits[0].id not in taken:
                vals.update(status="matched", match_rule="reference", payment_id=memo_hits[0].id)
                taken.add(memo_hits[0].id)
            if vals["status"] != "matched" and not attempt:
                left.append(vals)
            vals_list.append(vals)

        def key(amount, phone, date):
            return (currency.round(amount), normalize_phone(phone) or "", date)

        free = ours.filtered(lambda p: p.id not in taken)
        candidates = defaultdict(list)
        for payment in free:
            attempt = attempt_of_payment.get(payment)
            phone = attempt.phone if attempt else payment.partner_id.phone or payment.partner_id.mobile
            candidates[key(payment.amount, phone, payment.date)].append(payment)
        lines_by_key = defaultdict(list)
        for vals in left:
            lines_by_key[key(vals["amount"], vals["phone"], vals["date"])].append(vals)
        for line_key, group in lines_by_key.items():
            payments = candidates.get(line_key, [])
            if len(group) == 1 and len(payments) == 1:
                group[0].update(status="matched", match_rule="amount_phone_date", payment_id=payments[0].id)
                taken.add(payments[0].id)
            elif payments:
                for vals in group:
                    vals["note"] = self.env._("Several payments or lines share its amount, phone and date.")

        for payment in in_period.filtered(lambda p: p.id not in taken):
            attempt = attempt_of_payment.get(payment)
            vals_list.append(
                {
                    "statement_id": self.id,
                    "status": "missing_provider",
                    "payment_id": payment.id,
                    "attempt_id": attempt.id if attempt else False,
                    "amount": payment.amount,
                    "phone": attempt.phone if attempt else payment.partner_id.phone or payment.partner_id.mobile,
                    "date": payment.date,
                }
            )
        lines = Line.create(vals_list)
        self._abs_write_totals(lines)
        return lines

    def _abs_write_totals(self, lines):
        totals = defaultdict(lambda: [0, 0.0])
        for line in lines:
            totals[line.status][0] += 1
            totals[line.status][1] += line.amount
        round_ = self.currency_id.round
        self.write(
            {
                "matched_count": totals["matched"][0],
                "missing_ours_count": totals["missing_ours"][0],
                "missing_provider_count": totals["missing_provider"][0],
                "matched_amount": round_(totals["matched"][1]),
                "missing_ours_amount": round_(totals["missing_ours"][1]),
                "missing_provider_amount": round_(totals["missing_provider"][1]),
                "statement_amount": round_(totals["matched"][1] + totals["missing_ours"][1]),
            }
        )

    @api.model
    def _abs_clean_lines(self, lines, date_from, date_to):
        """The provider's lines, checked: a reference, a positive amount, a phone and a date in the period
        each, no reference twice. ``invalid_statement`` (400) names the first wrong line (1-based)."""
        if len(lines) > MAX_LINES:
            raise recon_rules.INVALID_STATEMENT(
                self.env._("A statement has at most %(max)s lines.", max=MAX_LINES), details={"lines": len(lines)}
            )
        cleaned, seen = [], set()
        for number, line in enumerate(lines, start=1):
            try:
                reference = str(line.get("reference") or "").strip()
                amount = float(line.get("amount"))
                day = fields.Date.to_date(line.get("date"))
                phone = str(line.get("phone") or "").strip()
            except (TypeError, ValueError):
                reference, amount, day, phone = None, 0.0, None, ""
            problem = (
                not reference
                and self.env._("no reference")
                or len(reference) > 64
                and self.env._("a reference longer than 64 characters")
                or not (0 < amount < 1e12)
                and self.env._("no positive amount")
                or not day
                and self.env._("no date")
                or not date_from <= day <= date_to
                and self.env._("a date outside the statement's period")
                or not normalize_phone(phone)
                and self.env._("no phone number")
                or reference in seen
                and self.env._("a reference already on an earlier line")
            )
            if problem:
                raise recon_rules.INVALID_STATEMENT(
                    self.env._("Line %(line)s of the statement has %(problem)s.", line=number, problem=problem),
                    details={"line": number},
                )
            seen.add(reference)
            cleaned.append({"reference": reference, "amount": amount, "date": day, "phone": phone})
        return cleaned

    @api.model
    def _abs_parse_csv(self, text):
        """The lines of a provider's CSV export: a header naming ``reference``, ``date`` (YYYY-MM-DD),
        ``amount`` and ``phone`` (other columns are ignored)."""
        rows = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        try:
            header = {(name or "").strip().lower() for name in rows.fieldnames or ()}
            if not set(CSV_COLUMNS) <= header:
                raise recon_rules.INVALID_STATEMENT(
                    self.env._("The CSV needs the columns %(columns)s.", columns=", ".join(CSV_COLUMNS)),
                    details={"line": 1},
                )
            return [{(name or "").strip().lower(): value for name, value in row.items()} for row in rows]
        except csv.Error as error:
            raise recon_rules.INVALID_STATEMENT(
                self.env._("The CSV cannot be read: %(error)s", error=error), details={"line": rows.line_num}
            ) from error

    @api.model
    def _abs_csv(self, lines):
        """A provider's CSV export of ``lines`` (what ``_abs_parse_csv`` reads back)."""
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for line in lines:
            writer.writerow({**line, "date": fields.Date.to_string(line["date"])})
        return out.getvalue()
