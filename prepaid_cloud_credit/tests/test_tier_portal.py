# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import json
from datetime import date
from urllib.parse import parse_qs, urlparse
from xmlrpc.client import Fault

from freezegun import freeze_time

from odoo import http
from odoo.tests import HttpCase, new_test_user, tagged

from .tier_common import PrepaidTierCommon


class PrepaidPortalCommon(PrepaidTierCommon, HttpCase):
    """A portal contact of the customer, another customer with its domain, and prices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company_ids = [(6, 0, cls.company.ids)]
        contact = cls.env["res.partner"].create(
            {"name": "Portal Pia", "parent_id": cls.customer.id, "email": "pia@example.com"}
        )
        cls.portal = new_test_user(cls.env, "pia", groups="base.group_portal", partner_id=contact.id,
                                   company_id=cls.company.id, company_ids=company_ids, password="pia-pass-123")
        cls.other_customer = cls.env["res.partner"].create({"name": "Rival Hosting", "is_company": True})
        cls.other_wallet = cls.env["prepaid.wallet"].sudo().create({
            "partner_id": cls.other_customer.id, "company_id": cls.company.id,
            "currency_id": cls.currency.id, "scope": "all",
        })
        other_contact = cls.env["res.partner"].create(
            {"name": "Rival Rob", "parent_id": cls.other_customer.id, "email": "rob@example.com"}
        )
        cls.other_portal = new_test_user(cls.env, "rob", groups="base.group_portal", partner_id=other_contact.id,
                                         company_id=cls.company.id, company_ids=company_ids, password="rob-pass-123")
        cls.integration = new_test_user(
            cls.env, "bridge", groups="base.group_user,prepaid_cloud_credit.group_prepaid_integration",
            company_id=cls.company.id, company_ids=company_ids, password="bridge-pass-123")
        for years in (1, 2):
            cls.set_price("register", years, 12 * years)
            cls.set_price("renew", years, 11 * years)
            cls.set_price("renew", years, 9 * years, tier=cls.elite)
        cls.set_price("transfer", 1, 10)
        cls.set_price("restore", 1, 60)
        cls.Domain = cls.env["prepaid.domain"]

    def post(self, url, **data):
        data["csrf_token"] = http.Request.csrf_token(self)
        return self.url_open(url, data=data, allow_redirects=False)

    def location(self, response):
        return urlparse(response.headers.get("Location", ""))


@tagged("post_install", "-at_install")
class TestTierPortal(PrepaidPortalCommon):

    def test_plans_page_lists_plans_with_their_price(self):
        """Test that the plans page shows each plan sold in the customer's currency and marks the current one."""
        self.buy_plan(self.prestige)
        self.authenticate("pia", "pia-pass-123")
        response = self.url_open("/my/plans")
        self.assertEqual(response.status_code, 200)
        html = response.text
        for name in ("Member", "Prestige", "Elite"):
            self.assertIn(name, html)
        self.assertIn("Your plan", html)
        self.assertIn("Lower than your plan", html)
        self.assertEqual(html.count('name="tier_id"'), 1, "only Elite can be bought")

    def test_buying_a_plan_creates_a_confirmed_recharge_and_redirects_to_its_payment(self):
        """Test that buying a plan orders a recharge of the plan price and sends the customer to pay it."""
        self.authenticate("pia", "pia-pass-123")
        response = self.post("/my/plans/buy", tier_id=self.member.id, currency_id=self.currency.id)
        recharge = self.env["prepaid.recharge"].search([("wallet_id", "=", self.wallet.id)])
        self.assertEqual(len(recharge), 1)
        self.assertRecordValues(recharge, [{"tier_id": self.member.id, "amount": 50, "state": "awaiting"}])
        self.assertEqual(self.location(response).path, f"/my/recharges/{recharge.id}")
        self.assertFalse(self.wallet.tier_id)
        self.pay_recharge(recharge)
        self.assertEqual(self.wallet.tier_id, self.member)

    def test_buying_a_lower_or_equal_plan_from_the_portal_is_refused(self):
        """Test that the portal refuses a plan that is not higher, with the reason, and creates nothing."""
        self.buy_plan(self.prestige)
        before = self.env["prepaid.recharge"].search_count([])
        self.authenticate("pia", "pia-pass-123")
        for tier in (self.member, self.prestige):
            response = self.post("/my/plans/buy", tier_id=tier.id, currency_id=self.currency.id)
            location = self.location(response)
            self.assertEqual(location.path, "/my/plans")
            self.assertIn("only a higher plan", parse_qs(location.query)["error"][0])
        response = self.post("/my/plans/buy", tier_id="x", currency_id=self.currency.id)
        self.assertIn("error", parse_qs(self.location(response).query))
        self.assertEqual(self.env["prepaid.recharge"].search_count([]), before)
        self.assertEqual(self.wallet.tier_id, self.prestige)

    def test_first_plan_of_a_customer_without_wallet_creates_its_wallet(self):
        """Test that a customer without a wallet gets one (paying every product) when it orders a plan."""
        self.authenticate("rob", "rob-pass-123")
        eur = self.env.ref("base.EUR")
        eur.active = True
        response = self.post("/my/plans/buy", tier_id=self.member.id, currency_id=eur.id)
        wallet = self.env["prepaid.wallet"].sudo().search(
            [("partner_id", "=", self.other_customer.id), ("currency_id", "=", eur.id)])
        self.assertEqual(wallet.scope, "all")
        self.assertEqual(wallet.recharge_ids.amount, 50)
        self.assertEqual(self.location(response).path, f"/my/recharges/{wallet.recharge_ids.id}")

    def test_domain_price_page_shows_tier_prices_next_to_list_prices(self):
        """Test that the price page shows the customer's tier price and, struck through, the list price."""
        self.wallet._set_tier(self.elite, reason="test")
        self.authenticate("pia", "pia-pass-123")
        html = self.url_open("/my/domain-prices?years=2").text
        self.assertIn(".com", html)
        self.assertRegex(html, r'o_prepaid_price"[^>]*>[^<]*<span[^>]*>18\.00')
        self.assertRegex(html, r'o_prepaid_list_price"[^>]*>[^<]*<span[^>]*>22\.00')
        self.assertIn("Elite", html)


@tagged("post_install", "-at_install")
class TestDomainPortal(PrepaidPortalCommon):

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
        """Test that renewing from the portal debits the tier price and moves the expiry date once."""
        self.wallet._set_tier(self.elite, reason="test")
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
class TestTldPricingEndpoint(PrepaidPortalCommon):

    def api_key(self, user):
        # Generating a key for another user needs sudo; the key belongs to ``user``.
        return self.env["res.users.apikeys"].with_user(user).sudo()._generate(None, "bridge", None)

    def get_pricing(self, key=None, **params):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.url_open(f"/prepaid/api/tld-pricing?{query}", headers=headers)

    def test_customer_gets_its_own_tier_prices_in_the_whmcs_shape(self):
        """Test that a customer's API key returns its tier prices per operation and years, like GetTLDPricing."""
        self.wallet._set_tier(self.elite, reason="test")
        response = self.get_pricing(self.api_key(self.portal))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/json")
        payload = json.loads(response.text)
        self.assertEqual(payload["result"], "success")
        self.assertEqual(payload["currency"]["code"], self.currency.name)
        self.assertEqual(payload["tier"]["code"], "elite")
        com = payload["pricing"]["com"]
        self.assertEqual(com["register"], {"1": "12.00", "2": "24.00"})
        self.assertEqual(com["renew"], {"1": "9.00", "2": "18.00"})
        self.assertEqual(com["transfer"], {"1": "10.00"})
        self.assertEqual(com["redemption_period"]["price"], "60.00")

    def test_endpoint_refuses_other_customers_and_anonymous_callers(self):
        """Test that a customer cannot read another customer's prices and that a call without a valid key is refused."""
        self.other_wallet._set_tier(self.elite, reason="test")
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
        self.other_wallet._set_tier(self.elite, reason="test")
        response = self.get_pricing(self.api_key(self.integration), clientid=self.other_customer.id)
        payload = json.loads(response.text)
        self.assertEqual(payload["pricing"]["com"]["renew"]["2"], "18.00")
        response = self.get_pricing(self.api_key(self.integration), clientid=self.customer.id, currency="ZZZ")
        self.assertEqual(response.status_code, 400)
