from odoo.tests import tagged

from .common import AbsHttpCase


@tagged("post_install", "-at_install")
class TestCustomerCreate(AbsHttpCase):
    def test_create_stamps_and_dual_writes_the_assignment(self):
        status, payload, _r = self.api(
            "POST",
            "/api/customers",
            {
                "name": "Kofi Mensah",
                "phone": "+228 99 00 11 22",
                "email": "kofi@example.tg",
                "city": "Kara",
                "country_code": "tg",
                "outlet_id": self.outlet_togo.id,
                "ref": "CUST-1",
            },
            token=self.tok_agent_tg,
        )
        self.assertEqual(status, 201, payload)
        customer = payload["customer"]
        partner = self.env["res.partner"].browse(customer["id"])
        self.assertEqual(partner.x_sa_id, self.sa_togo)
        self.assertEqual(partner.x_actor_id, self.agent_tg)
        self.assertEqual(partner.x_outlet_id, self.outlet_togo)
        self.assertEqual(partner.country_id.code, "TG")
        self.assertEqual(customer["service_accounts"], [{"id": self.sa_togo.id, "name": self.sa_togo.display_name}])
        self.assertFalse(customer["has_portal_pin"])
        assignment = partner.abs_sa_assignment_ids
        self.assertRecordValues(
            assignment, [{"account_id": self.sa_togo.id, "actor_id": self.agent_tg.id, "state": "active"}]
        )

    def test_create_with_pin_enables_customer_login(self):
        status, payload, _r = self.api(
            "POST",
            "/api/customers",
            {"name": "Efua", "phone": "+228 98 76 54 32", "pin": "2468"},
            token=self.tok_agent_tg,
        )
        self.assertEqual(status, 201, payload)
        self.assertTrue(payload["customer"]["has_portal_pin"])
        self.assertNotIn("pin", payload["customer"])
        status, login, _r = self.api("POST", "/api/customer/auth/login", {"phone": "+22898765432", "pin": "2468"})
        self.assertEqual((status, login["customer"]["id"]), (200, payload["customer"]["id"]))

    def test_agent_with_several_sas_must_name_one_for_writes(self):
        count = self.env["res.partner"].search_count([])
        self.assertError(
            self.api("POST", "/api/customers", {"name": "Nobody"}, token=self.tok_agent_multi), 400, "sa_required"
        )
        self.assertEqual(self.env["res.partner"].search_count([]), count)
        status, payload, _r = self.api(
            "POST", "/api/customers", {"name": "Somebody"}, token=self.tok_agent_multi, sa=self.sa_kenya
        )
        self.assertEqual(status, 201, payload)
        self.assertEqual(self.env["res.partner"].browse(payload["customer"]["id"]).x_sa_id, self.sa_kenya)

    def test_api_key_creates_in_the_sa_it_names(self):
        key = self.new_api_key()
        self.assertError(self.api("POST", "/api/customers", {"name": "No SA"}, api_key=key), 400, "sa_required")
        status, payload, _r = self.api("POST", "/api/customers", {"name": "Via key"}, api_key=key, sa=self.sa_togo)
        self.assertEqual(status, 201, payload)
        partner = self.env["res.partner"].browse(payload["customer"]["id"])
        self.assertEqual((partner.x_sa_id, partner.x_actor_id.id), (self.sa_togo, False))

    def _assert_nothing_written(self, body, code="invalid_body", token=None, status=400):
        partners = self.env["res.partner"].search_count([])
        assignments = self.env["ov.sa_customer_assignment"].search_count([])
        payload = self.assertError(
            self.api("POST", "/api/customers", body, token=token or self.tok_agent_tg), status, code
        )
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        self.assertEqual(self.env["ov.sa_customer_assignment"].search_count([]), assignments)
        return payload

    def test_unknown_field_is_400_with_field_errors(self):
        payload = self._assert_nothing_written({"name": "X", "is_company": True})
        self.assertEqual(payload["details"]["fields"], {"is_company": "unknown field"})

    def test_missing_name_is_400(self):
        payload = self._assert_nothing_written({"phone": "+22890000000"})
        self.assertIn("name", payload["details"]["fields"])

    def test_malformed_json_is_400(self):
        partners = self.env["res.partner"].search_count([])
        self.assertError(
            self.api("POST", "/api/customers", raw='{"name": ', token=self.tok_agent_tg), 400, "invalid_json"
        )
        self.assertError(
            self.api("POST", "/api/customers", raw='["a list"]', token=self.tok_agent_tg), 400, "invalid_json"
        )
        self.assertEqual(self.env["res.partner"].search_count([]), partners)

    def test_bad_pin_email_and_types_are_400(self):
        self._assert_nothing_written({"name": "X", "phone": "+22890000001", "pin": "12ab"})
        self._assert_nothing_written({"name": "X", "email": "not-an-email"})
        self._assert_nothing_written({"name": "X", "outlet_id": "5"})
        self._assert_nothing_written({"name": "X", "outlet_id": -3})

    def test_unknown_country_is_400_and_rolls_back(self):
        self._assert_nothing_written({"name": "X", "country_code": "QQ"}, code="rejected")

    def test_outlet_of_another_sa_is_400_and_rolls_back(self):
        self._assert_nothing_written({"name": "X", "outlet_id": self.outlet_kenya.id}, code="rejected")

    def test_pin_without_phone_is_refused_after_the_partner_was_created_and_rolls_back(self):
        self._assert_nothing_written({"name": "X", "pin": "1234"}, code="rejected")

    def test_pin_on_a_phone_already_used_for_login_is_refused(self):
        self.customer_ke._abs_set_pin("1111")
        self._assert_nothing_written({"name": "Twin", "phone": "+254 700 111 111", "pin": "2222"}, code="rejected")

    def test_create_without_token_is_401_and_writes_nothing(self):
        partners = self.env["res.partner"].search_count([])
        self.assertError(self.api("POST", "/api/customers", {"name": "Anon"}), 401)
        self.assertError(self.api("POST", "/api/customers", {"name": "Anon"}, token="bad.token.value"), 401)
        self.assertEqual(self.env["res.partner"].search_count([]), partners)


@tagged("post_install", "-at_install")
class TestCustomerRead(AbsHttpCase):
    def test_list_is_scoped_to_the_callers_sa(self):
        status, payload, _r = self.api("GET", "/api/customers?limit=200", token=self.tok_agent_ke)
        self.assertEqual(status, 200)
        ids = {c["id"] for c in payload["customers"]}
        self.assertIn(self.customer_ke.id, ids)
        self.assertNotIn(self.customer_tg.id, ids)
        accounts = {sa["id"] for c in payload["customers"] for sa in c["service_accounts"]}
        self.assertEqual(accounts, {self.sa_kenya.id})

    def test_multi_sa_agent_reads_across_its_sas_or_one_with_header(self):
        _s, both, _r = self.api("GET", "/api/customers?limit=200", token=self.tok_agent_multi)
        self.assertTrue({self.customer_tg.id, self.customer_ke.id} <= {c["id"] for c in both["customers"]})
        _s, kenya, _r = self.api("GET", "/api/customers?limit=200", token=self.tok_agent_multi, sa=self.sa_kenya)
        self.assertNotIn(self.customer_tg.id, {c["id"] for c in kenya["customers"]})

    def test_search_by_q_and_pagination(self):
        Partner = self.env["res.partner"]
        for index in range(5):
            Partner._abs_create_customer(
                {"name": f"Zebra Farmer {index}", "phone": f"+228 93 00 00 0{index}"}, self.sa_togo, self.agent_tg
            )
        status, page1, _r = self.api("GET", "/api/customers?q=zebra&limit=2", token=self.tok_agent_tg)
        self.assertEqual(status, 200)
        self.assertEqual((page1["total"], page1["page"], page1["limit"], len(page1["customers"])), (5, 1, 2, 2))
        _s, page3, _r = self.api("GET", "/api/customers?q=zebra&limit=2&page=3", token=self.tok_agent_tg)
        self.assertEqual((page3["total"], len(page3["customers"])), (5, 1))
        _s, page4, _r = self.api("GET", "/api/customers?q=zebra&limit=2&page=4", token=self.tok_agent_tg)
        self.assertEqual((page4["total"], page4["customers"]), (5, []))
        seen = [c["id"] for p in (page1,) for c in p["customers"]] + [c["id"] for c in page3["customers"]]
        self.assertEqual(len(seen), len(set(seen)))
        _s, by_phone, _r = self.api("GET", "/api/customers?q=93 00 00 03", token=self.tok_agent_tg)
        self.assertEqual([c["name"] for c in by_phone["customers"]], ["Zebra Farmer 3"])

    def test_get_own_customer(self):
        status, payload, _r = self.api("GET", f"/api/customers/{self.customer_tg.id}", token=self.tok_agent_tg)
        self.assertEqual(status, 200)
        self.assertEqual(payload["customer"]["name"], "Test Ama Togo")

    def test_agent_of_kenya_reading_a_togo_customer_gets_404(self):
        self.assertError(
            self.api("GET", f"/api/customers/{self.customer_tg.id}", token=self.tok_agent_ke), 404, "not_found"
        )

    def test_missing_customer_is_404(self):
        self.assertError(self.api("GET", "/api/customers/999999999", token=self.tok_agent_tg), 404)

    def test_customer_whose_assignment_ended_is_no_longer_visible(self):
        self.customer_tg.abs_sa_assignment_ids.action_end()
        self.assertError(self.api("GET", f"/api/customers/{self.customer_tg.id}", token=self.tok_agent_tg), 404)

    def test_list_query_count_does_not_grow_with_page_size(self):
        Partner = self.env["res.partner"]
        for index in range(30):
            Partner._abs_create_customer(
                {
                    "name": f"Bulk {index}",
                    "phone": f"+228 94 00 00 {index:02d}",
                    "country_code": "TG",
                    "outlet_id": self.outlet_togo.id,
                },
                self.sa_togo,
                self.agent_tg,
            )
        self.api("GET", "/api/customers?limit=5", token=self.tok_agent_tg)  # warm the caches
        small = self.count_queries(lambda: self.api("GET", "/api/customers?limit=20", token=self.tok_agent_tg))
        with self.assertQueryCount(small + 2):
            status, payload, _r = self.api("GET", "/api/customers?limit=200", token=self.tok_agent_tg)
        self.assertEqual(status, 200)
        self.assertGreaterEqual(len(payload["customers"]), 31)
        large = self.count_queries(lambda: self.api("GET", "/api/customers?limit=200", token=self.tok_agent_tg))
        self.assertLessEqual(large, small + 2, (small, large))


@tagged("post_install", "-at_install")
class TestCustomerUpdate(AbsHttpCase):
    def test_update_changes_only_the_given_fields(self):
        status, payload, _r = self.api(
            "PUT",
            f"/api/customers/{self.customer_tg.id}",
            {"city": "Sokodé", "email": "ama@example.tg"},
            token=self.tok_agent_tg,
        )
        self.assertEqual(status, 200, payload)
        self.assertEqual(
            (self.customer_tg.city, self.customer_tg.email, self.customer_tg.name),
            ("Sokodé", "ama@example.tg", "Test Ama Togo"),
        )

    def test_update_sets_a_pin_and_phone_change_moves_the_login(self):
        self.api("PUT", f"/api/customers/{self.customer_tg.id}", {"pin": "9753"}, token=self.tok_agent_tg)
        self.assertEqual(self.api("POST", "/api/customer/auth/login", {"phone": "+22890111111", "pin": "9753"})[0], 200)
        self.api("PUT", f"/api/customers/{self.customer_tg.id}", {"phone": "+228 97 00 00 00"}, token=self.tok_agent_tg)
        self.assertError(self.api("POST", "/api/customer/auth/login", {"phone": "+22890111111", "pin": "9753"}), 401)
        self.assertEqual(self.api("POST", "/api/customer/auth/login", {"phone": "+22897000000", "pin": "9753"})[0], 200)

    def test_update_of_another_sas_customer_is_404_and_writes_nothing(self):
        self.assertError(
            self.api("PUT", f"/api/customers/{self.customer_tg.id}", {"city": "Mombasa"}, token=self.tok_agent_ke), 404
        )
        self.assertFalse(self.customer_tg.city)

    def test_update_with_bad_input_is_400_and_writes_nothing(self):
        self.assertError(
            self.api(
                "PUT", f"/api/customers/{self.customer_tg.id}", {"city": "X", "vat": "1"}, token=self.tok_agent_tg
            ),
            400,
            "invalid_body",
        )
        self.assertError(
            self.api("PUT", f"/api/customers/{self.customer_tg.id}", {"name": None}, token=self.tok_agent_tg),
            400,
            "invalid_body",
        )
        self.assertError(
            self.api(
                "PUT",
                f"/api/customers/{self.customer_tg.id}",
                {"city": "X", "country_code": "QQ"},
                token=self.tok_agent_tg,
            ),
            400,
            "rejected",
        )
        self.assertFalse(self.customer_tg.city)
        self.assertEqual(self.customer_tg.name, "Test Ama Togo")

    def test_update_without_token_is_401(self):
        self.assertError(self.api("PUT", f"/api/customers/{self.customer_tg.id}", {"city": "X"}), 401)
        self.assertFalse(self.customer_tg.city)


@tagged("post_install", "-at_install")
class TestIdempotentWrites(AbsHttpCase):
    def test_retried_create_with_the_same_key_creates_one_customer(self):
        headers = {"Idempotency-Key": "create-kofi-1"}
        body = {"name": "Kofi Retry", "phone": "+228 92 00 00 01"}
        first = self.api("POST", "/api/customers", body, token=self.tok_agent_tg, headers=headers)
        second = self.api("POST", "/api/customers", body, token=self.tok_agent_tg, headers=headers)
        self.assertEqual((first[0], second[0]), (201, 201))
        self.assertEqual(first[1], second[1])
        self.assertEqual(second[2].headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(self.env["res.partner"].search_count([("name", "=", "Kofi Retry")]), 1)

    def test_same_key_with_another_body_is_409_and_writes_nothing(self):
        headers = {"Idempotency-Key": "create-kofi-2"}
        self.api("POST", "/api/customers", {"name": "Kofi A"}, token=self.tok_agent_tg, headers=headers)
        self.assertError(
            self.api("POST", "/api/customers", {"name": "Kofi B"}, token=self.tok_agent_tg, headers=headers),
            409,
            "idempotency_key_reused",
        )
        self.assertFalse(self.env["res.partner"].search_count([("name", "=", "Kofi B")]))

    def test_keys_are_per_caller(self):
        headers = {"Idempotency-Key": "shared-key"}
        self.api("POST", "/api/customers", {"name": "Per Caller TG"}, token=self.tok_agent_tg, headers=headers)
        status, _payload, _r = self.api(
            "POST", "/api/customers", {"name": "Per Caller KE"}, token=self.tok_agent_ke, headers=headers
        )
        self.assertEqual(status, 201)

    def test_a_failed_request_is_not_remembered(self):
        headers = {"Idempotency-Key": "fails-first"}
        self.assertError(
            self.api(
                "POST", "/api/customers", {"name": "X", "country_code": "QQ"}, token=self.tok_agent_tg, headers=headers
            ),
            400,
        )
        self.assertFalse(self.env["abs.idempotency.record"].search_count([("key", "=", "fails-first")]))


@tagged("post_install", "-at_install")
class TestMultiCompany(AbsHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Abs Company B"})
        cls.sa_b = cls.env["ov.serviced_account"].create({"name": "SA B", "code": "SB", "company_id": cls.company_b.id})
        cls.agent_b = cls.env["abs.employee"].create({"name": "Agent B", "login": "t.agent.b"})
        cls.env["ov.membership"].create({"employee_id": cls.agent_b.id, "account_id": cls.sa_b.id})
        cls.tok_agent_b = cls.token_for(cls.agent_b)

    def test_customer_created_in_an_sa_of_another_company_belongs_to_that_company(self):
        status, payload, _r = self.api("POST", "/api/customers", {"name": "Company B Customer"}, token=self.tok_agent_b)
        self.assertEqual(status, 201, payload)
        partner = self.env["res.partner"].browse(payload["customer"]["id"])
        self.assertEqual((partner.company_id, partner.x_sa_id), (self.company_b, self.sa_b))
        self.assertError(self.api("GET", f"/api/customers/{partner.id}", token=self.tok_agent_tg), 404)
        self.assertEqual(self.api("GET", f"/api/customers/{partner.id}", token=self.tok_agent_b)[0], 200)

    def test_company_level_reads_follow_the_callers_company(self):
        _status, mine, _r = self.api("GET", "/api/warehouses", token=self.tok_agent_b)
        self.assertEqual({w["company"]["id"] for w in mine["warehouses"]}, {self.company_b.id})
        _status, theirs, _r = self.api("GET", "/api/warehouses", token=self.tok_agent_tg)
        self.assertNotIn(self.company_b.id, {w["company"]["id"] for w in theirs["warehouses"]})
