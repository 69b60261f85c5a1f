# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import json
from datetime import date
from urllib.parse import parse_qs
from xmlrpc.client import Fault

from freezegun import freeze_time

from odoo import http
from odoo.tests import tagged

from .domain_common import PrepaidDomainPortalCommon


@tagged("post_install", "-at_install")
class TestDomainPortal(PrepaidDomainPortalCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.own_domain = cls.Domain.create({"name": "acme.com", "wallet_id": cls.wallet.id})
        cls.other_domain = cls.Domain.create({"name": "rival.com", "wallet_id": cls.other_wallet.id})
        cls.credit(cls, 100)
        cls.credit(cls, 100, wallet=cls.other_wallet)
        with freeze_time("2026-11-21"):
            cls.own_domain.sudo()._execute_operation("register", 1)
            cls.other_domain.sudo()._execute_operation("register", 1)

    def test_domain_list_shows_only_the_customers_domains(self):
        """Test that /my/domains lists the customer's own domains and never another customer's."""
        self.authenticate("pia", "pia-pass-123")
        html = self.url_open("/my/domains").text
        self.assertIn("acme.com", html)
        self.assertNotIn("rival.com", html)
        html = self.url_open("/my/domains?filterby=expired").text
        self.assertNotIn("acme.com", html)

    def test_other_customers_domain_redirects_and_cannot_be_renewed(self):
        """Test that another customer's domain id in the URL redirects to /my and its renewal debits nothing."""
        before = (self.ledger_snapshot(self.other_wallet), self.other_domain.expiry_date)
        self.authenticate("pia", "pia-pass-123")
        response = self.url_open(f"/my/domains/{self.other_domain.id}", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.location(response).path, "/my")
        response = self.post(f"/my/domains/{self.other_domain.id}/renew", years=1)
        self.assertEqual(self.location(response).path, "/my")
        response = self.post("/my/domains/999999/renew", years=1)
        self.assertEqual(self.location(response).path, "/my")
        self.other_domain.invalidate_recordset()
        self.assertEqual((self.ledger_snapshot(self.other_wallet), self.other_domain.expiry_date), before)

    def test_customer_renews_its_domain_from_the_portal(self):
        """Test that renewing from the portal debits the plan price and moves the expiry date once."""
        self.wallet._set_plan(self.elite, reason="test")
        self.authenticate("pia", "pia-pass-123")
        html = self.url_open(f"/my/domains/{self.own_domain.id}").text
        self.assertIn("Renew from my credit", html)
        response = self.post(f"/my/domains/{self.own_domain.id}/renew", years=2)
        self.assertIn("success", parse_qs(self.location(response).query))
        self.own_domain.invalidate_recordset()
        self.assertEqual(self.own_domain.expiry_date, date(2029, 11, 21))
        self.assertEqual(self.wallet.balance, 100 - 12 - 18)
        op = self.own_domain.operation_ids.filtered(lambda o: o.operation == "renew")
        self.assertEqual(op.transaction_id.balance_after, 70)
        self.assertEqual(op.user_id, self.portal)

    def test_same_portal_renewal_form_submitted_twice_renews_once(self):
        """Test that submitting the renewal form twice (same expiry date shown) renews and debits once."""
        self.authenticate("pia", "pia-pass-123")
        html = self.url_open(f"/my/domains/{self.own_domain.id}").text
        self.assertIn('name="expiry" value="2027-11-21"', html)
        for _attempt in range(2):
            response = self.post(f"/my/domains/{self.own_domain.id}/renew", years=1, expiry="2027-11-21")
            self.assertIn("success", parse_qs(self.location(response).query))
        self.own_domain.invalidate_recordset()
        self.assertEqual(self.own_domain.expiry_date, date(2028, 11, 21))
        self.assertEqual(self.wallet.balance, 100 - 12 - 11)
        self.assertEqual(len(self.own_domain.operation_ids), 2, "register and one renewal")
        # A form showing the new date renews again, as the customer asked.
        self.post(f"/my/domains/{self.own_domain.id}/renew", years=1, expiry="2028-11-21")
        self.own_domain.invalidate_recordset()
        self.assertEqual(self.own_domain.expiry_date, date(2029, 11, 21))

    def test_portal_renewal_with_short_credit_or_bad_years_writes_nothing(self):
        """Test that a portal renewal beyond the credit or with bad years shows an error and changes nothing."""
        self.authenticate("pia", "pia-pass-123")
        self.set_price("renew", 10, 500)
        before = (self.ledger_snapshot(), self.own_domain.expiry_date)
        for years in ("10", "0", "abc"):
            response = self.post(f"/my/domains/{self.own_domain.id}/renew", years=years)
            self.assertIn("error", parse_qs(self.location(response).query), years)
        self.own_domain.invalidate_recordset()
        self.assertEqual((self.ledger_snapshot(), self.own_domain.expiry_date), before)

    def post_many(self, url, ids, **data):
        data["csrf_token"] = http.Request.csrf_token(self)
        form = [(key, value) for key, value in data.items()] + [("domain_ids", str(i)) for i in ids]
        return self.url_open(url, data=form, allow_redirects=False)

    def test_customer_renews_several_domains_at_once(self):
        """Test that ticking two domains renews both, each as its own debit with the remaining credit."""
        second = self.Domain.create({"name": "acme-shop.com", "wallet_id": self.wallet.id})
        with freeze_time("2026-11-21"):
            second.sudo()._execute_operation("register", 1)
        self.authenticate("pia", "pia-pass-123")
        html = self.url_open("/my/domains").text
        self.assertIn('name="domain_ids"', html)
        response = self.post_many("/my/domains/renew", [self.own_domain.id, second.id], years="1")
        self.assertIn("success", parse_qs(self.location(response).query))
        (self.own_domain | second).invalidate_recordset()
        self.assertEqual((self.own_domain | second).mapped("expiry_date"), [date(2028, 11, 21)] * 2)
        self.assertEqual(self.wallet.balance, 100 - 24 - 22)
        renewals = (self.own_domain | second).operation_ids.filtered(lambda o: o.operation == "renew")
        self.assertEqual(sorted(renewals.transaction_id.mapped("balance_after")), [54, 65])

    def test_bulk_renewal_is_all_or_nothing(self):
        """Test that a batch with another customer's domain, or beyond the credit, renews none of them."""
        self.authenticate("pia", "pia-pass-123")
        before = (self.ledger_snapshot(), self.ledger_snapshot(self.other_wallet),
                  self.own_domain.expiry_date, self.other_domain.expiry_date)
        response = self.post_many("/my/domains/renew", [self.own_domain.id, self.other_domain.id], years="1")
        self.assertEqual(self.location(response).path, "/my")
        self.set_price("renew", 9, 95)
        second = self.Domain.create({"name": "acme-shop.com", "wallet_id": self.wallet.id})
        with freeze_time("2026-11-21"):
            second.sudo().with_context(prepaid_domain_operation=True).write(
                {"state": "active", "expiry_date": date(2027, 11, 21)})
        response = self.post_many("/my/domains/renew", [self.own_domain.id, second.id], years="9")
        self.assertIn("Insufficient credit", parse_qs(self.location(response).query)["error"][0])
        (self.own_domain | self.other_domain).invalidate_recordset()
        self.assertEqual((self.ledger_snapshot(), self.ledger_snapshot(self.other_wallet),
                          self.own_domain.expiry_date, self.other_domain.expiry_date), before)

    def rpc(self, login, model, method, *args, **kwargs):
        password = f"{login}-pass-123"
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, login, password, {})
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, uid, password, model, method, list(args), kwargs)

    def test_integration_user_renews_over_xmlrpc_and_customers_cannot(self):
        """Test that the bridge's integration user renews a domain over XML-RPC and a portal user cannot."""
        before = self.ledger_snapshot()
        with self.assertRaises(Fault):
            self.rpc("pia", "prepaid.domain", "execute_operation", [self.own_domain.id], "renew", 1)
        self.assertEqual(self.ledger_snapshot(), before)
        result = self.rpc("bridge", "prepaid.domain", "execute_operation", [self.own_domain.id], "renew", 1,
                          idempotency_key="whmcs:renew:42")
        self.assertEqual(result["expiry_date"], "2028-11-21")
        self.assertEqual(result["balance"], 100 - 12 - 11)
        again = self.rpc("bridge", "prepaid.domain", "execute_operation", [self.own_domain.id], "renew", 1,
                         idempotency_key="whmcs:renew:42")
        self.assertEqual(again["operation_id"], result["operation_id"])
        self.own_domain.invalidate_recordset()
        self.assertEqual(self.own_domain.expiry_date, date(2028, 11, 21))


@tagged("post_install", "-at_install")
class TestTldPricingEndpoint(PrepaidDomainPortalCommon):

    def api_key(self, user):
        # Generating a key for another user needs sudo; the key belongs to ``user``.
        return self.env["res.users.apikeys"].with_user(user).sudo()._generate(None, "bridge", None)

    def get_pricing(self, key=None, **params):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.url_open(f"/prepaid/api/tld-pricing?{query}", headers=headers)

    def test_customer_gets_its_own_plan_prices_in_the_whmcs_shape(self):
        """Test that a customer's API key returns its plan prices per operation and years, like GetTLDPricing."""
        self.wallet._set_plan(self.elite, reason="test")
        response = self.get_pricing(self.api_key(self.portal))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/json")
        payload = json.loads(response.text)
        self.assertEqual(payload["result"], "success")
        self.assertEqual(payload["currency"]["code"], self.currency.name)
        self.assertEqual(payload["plan"]["code"], "elite")
        com = payload["pricing"]["com"]
        self.assertEqual(com["register"], {"1": "12.00", "2": "24.00"})
        self.assertEqual(com["renew"], {"1": "9.00", "2": "18.00"})
        self.assertEqual(com["transfer"], {"1": "10.00"})
        self.assertEqual(com["redemption_period"]["price"], "60.00")

    def test_endpoint_refuses_other_customers_and_anonymous_callers(self):
        """Test that a customer cannot read another customer's prices and that a call without a valid key is refused."""
        self.other_wallet._set_plan(self.elite, reason="test")
        key = self.api_key(self.portal)
        response = self.get_pricing(key, clientid=self.other_customer.id)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(json.loads(response.text)["result"], "error")
        self.assertNotIn("18.00", response.text)
        self.assertEqual(self.get_pricing().status_code, 401)
        self.assertEqual(self.get_pricing("not-a-key").status_code, 401)
        # Its own id is fine.
        response = self.get_pricing(key, clientid=self.customer.id)
        self.assertEqual(json.loads(response.text)["pricing"]["com"]["renew"]["1"], "11.00")

    def test_integration_user_reads_any_customers_prices(self):
        """Test that the bridge's integration user may ask for a given customer's prices."""
        self.other_wallet._set_plan(self.elite, reason="test")
        response = self.get_pricing(self.api_key(self.integration), clientid=self.other_customer.id)
        payload = json.loads(response.text)
        self.assertEqual(payload["pricing"]["com"]["renew"]["2"], "18.00")
        response = self.get_pricing(self.api_key(self.integration), clientid=self.customer.id, currency="ZZZ")
        self.assertEqual(response.status_code, 400)


@tagged("post_install", "-at_install")
class TestDomainPricePortal(PrepaidDomainPortalCommon):

    def test_domain_price_page_shows_plan_prices_next_to_list_prices(self):
        """Test that the price page shows the customer's plan price and, struck through, the list price."""
        self.wallet._set_plan(self.elite, reason="test")
        self.authenticate("pia", "pia-pass-123")
        html = self.url_open("/my/domain-prices?years=2").text
        self.assertIn(".com", html)
        self.assertRegex(html, r'o_prepaid_price"[^>]*>[^<]*<span[^>]*>18\.00')
        self.assertRegex(html, r'o_prepaid_list_price"[^>]*>[^<]*<span[^>]*>22\.00')
        self.assertIn("Elite", html)
