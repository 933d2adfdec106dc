import psycopg2

from odoo.exceptions import AccessDenied, AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import AbsTransactionCase


@tagged("post_install", "-at_install")
class TestGovernanceModels(AbsTransactionCase):
    def test_employee_password_is_hashed_and_never_readable(self):
        self.assertTrue(self.manager_tg.sudo().password_hash.startswith("$pbkdf2"))
        self.assertEqual(self.manager_tg.password, "")
        self.assertTrue(self.manager_tg.has_password)
        self.assertFalse(self.agent_tg.has_password)
        officer = new_test_user(self.env, "abs_officer", groups="abs_connector.group_abs_user")
        with self.assertRaises(AccessError):
            self.manager_tg.with_user(officer).read(["password_hash"])

    def test_short_password_is_refused(self):
        with self.assertRaises(ValidationError):
            self.agent_tg.password = "1234567"
        self.assertFalse(self.agent_tg.has_password)

    def test_authenticate_checks_login_password_and_active(self):
        Employee = self.env["abs.employee"]
        self.assertEqual(Employee._authenticate("t.tg.manager", self.PASSWORD), self.manager_tg)
        with self.assertRaises(AccessDenied):
            Employee._authenticate("t.tg.manager", "wrong")
        with self.assertRaises(AccessDenied):
            Employee._authenticate("t.tg.agent", "")  # no password set: never logs in
        self.manager_tg.active = False
        with self.assertRaises(AccessDenied):
            Employee._authenticate("t.tg.manager", self.PASSWORD)

    @mute_logger("odoo.sql_db")
    def test_login_is_unique(self):
        with self.assertRaises(psycopg2.IntegrityError):
            self.env["abs.employee"].create({"name": "Dup", "login": "T.TG.AGENT"})
            self.env.flush_all()

    def test_one_active_membership_per_employee_and_sa(self):
        with self.assertRaises(ValidationError):
            self.env["ov.membership"].create({"employee_id": self.agent_tg.id, "account_id": self.sa_togo.id})

    def test_membership_cannot_end_before_it_starts(self):
        membership = self.agent_tg.membership_ids
        with self.assertRaises(ValidationError):
            membership.write({"date_from": "2026-05-10", "date_to": "2026-05-01"})

    def test_active_memberships_follow_dates_and_archiving(self):
        self.assertEqual(self.agent_multi._active_memberships().account_id, self.sa_togo | self.sa_kenya)
        self.agent_multi.membership_ids.filtered(lambda m: m.account_id == self.sa_kenya).action_end_membership()
        self.assertEqual(self.agent_multi._active_memberships().account_id, self.sa_togo)
        self.sa_togo.active = False
        self.assertFalse(self.agent_multi._active_memberships())

    def test_backend_created_customer_with_sa_stamp_is_assigned(self):
        partner = self.env["res.partner"].create({"name": "Backend Customer", "x_sa_id": self.sa_kenya.id})
        self.assertEqual(partner.abs_sa_assignment_ids.account_id, self.sa_kenya)
        partner.x_sa_id = self.sa_togo
        active = partner.abs_sa_assignment_ids.filtered(lambda a: a.state == "active")
        self.assertEqual(active.account_id, self.sa_togo | self.sa_kenya)

    def test_assign_is_idempotent(self):
        Assignment = self.env["ov.sa_customer_assignment"]
        first = Assignment._assign(self.customer_tg, self.sa_togo)
        again = Assignment._assign(self.customer_tg, self.sa_togo)
        self.assertEqual(first, again)
        self.assertEqual(len(self.customer_tg.abs_sa_assignment_ids), 1)

    def test_sa_code_unique_per_company_and_threshold_not_negative(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            with self.env.cr.savepoint():
                self.env["ov.serviced_account"].create({"name": "Dup", "code": "TTG"})
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            with self.env.cr.savepoint():
                self.env["ov.serviced_account"].create({"name": "Neg", "code": "NEG", "approval_threshold": -1})

    def test_sa_counts(self):
        self.assertEqual(self.sa_togo.membership_count, 3)
        self.assertEqual(self.sa_togo.customer_count, 1)

    def test_officer_sees_only_the_sas_on_their_user(self):
        officer = new_test_user(self.env, "abs_officer2", groups="abs_connector.group_abs_user")
        officer.abs_sa_ids = self.sa_togo
        Assignment = self.env["ov.sa_customer_assignment"].with_user(officer)
        visible = Assignment.search([("partner_id", "in", (self.customer_tg | self.customer_ke).ids)])
        self.assertEqual(visible.partner_id, self.customer_tg)
        self.assertEqual(
            self.env["ov.serviced_account"].with_user(officer).search([("code", "like", "T")]), self.sa_togo
        )

    def test_multi_company_rule_hides_other_company_sas(self):
        other = self.env["res.company"].create({"name": "Abs Other Co"})
        foreign = self.env["ov.serviced_account"].create({"name": "Foreign SA", "code": "FX", "company_id": other.id})
        manager = new_test_user(
            self.env,
            "abs_mgr",
            groups="abs_connector.group_abs_manager",
            company_id=self.company.id,
            company_ids=[(6, 0, [self.company.id])],
        )
        self.assertFalse(self.env["ov.serviced_account"].with_user(manager).search([("id", "=", foreign.id)]))
        self.assertIn(other, self.api_user.company_ids, "the API user follows new companies")

    def test_backend_membership_form(self):
        with Form(self.env["ov.membership"]) as form:
            form.employee_id = self.agent_ke
            form.account_id = self.sa_togo
            form.role_code = "staff"
        self.assertEqual(self.agent_ke._active_memberships().account_id, self.sa_togo | self.sa_kenya)

    def test_batch_of_stamped_customers_costs_a_fixed_number_of_assignment_queries(self):
        def queries(count, stamped):
            extra = {"x_sa_id": self.sa_togo.id} if stamped else {}
            vals = [{"name": f"Batch {stamped} {count} {i}", **extra} for i in range(count)]
            self.env.flush_all()
            before = self.cr.sql_log_count
            partners = self.env["res.partner"].create(vals)
            self.env.flush_all()
            return partners, self.cr.sql_log_count - before

        self.env["res.partner"].create({"name": "warm-up", "x_sa_id": self.sa_togo.id})
        # What the governance adds on top of core's own partner creation, for 2 and for 20 partners.
        few, few_stamped = queries(2, True)
        few_extra = few_stamped - queries(2, False)[1]
        many, many_stamped = queries(20, True)
        many_extra = many_stamped - queries(20, False)[1]
        self.assertEqual(len(many.abs_sa_assignment_ids), 20)
        self.assertEqual(few.abs_sa_assignment_ids.account_id, self.sa_togo)
        self.assertLessEqual(many_extra, few_extra + 2, (few_extra, many_extra))
