# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from urllib.parse import parse_qs

from freezegun import freeze_time

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.prepaid_cloud_credit.tests.common import PrepaidPortalCommon


@tagged("post_install", "-at_install")
class TestDomainPortalAccess(PrepaidPortalCommon, HttpCase):
    """The domain routes act for the logged-in user's own customer only, and
    what a customer types gets a message, never an error page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tld = cls.env["prepaid.domain.tld"].search([("name", "=", ".com")]) or cls.env["prepaid.domain.tld"].create(
            {"name": ".com"}
        )
        for operation in ("register", "renew"):
            cls.env["prepaid.domain.price"].create({
                "company_id": cls.company.id, "currency_id": cls.currency.id, "tld_id": tld.id,
                "operation": operation, "years": 1, "price": 10,
            })
        cls.other_domain = cls.env["prepaid.domain"].create(
            {"name": "rival-cloud.com", "wallet_id": cls.other_wallet.id}
        )
        with freeze_time("2026-11-21"):
            cls.other_domain.sudo()._execute_operation("register", 1)

    def other_state(self):
        """Everything a domain route could change for the other customer."""
        self.other_domain.invalidate_recordset()
        return self.ledger_snapshot(self.other_wallet), self.other_domain.expiry_date

    def assertRefusedToMy(self, response):
        self.assertIn(response.status_code, (301, 302, 303))
        self.assertEqual(self.location(response).path, "/my")

    def error_of(self, response):
        self.assertIn(response.status_code, (301, 302, 303), response.text[:500])
        return parse_qs(self.location(response).query)["error"][0]

    def test_nobody_renews_another_customers_domain_on_the_portal(self):
        """Test that another customer's portal user and an employee who reads every domain in the
        backend are refused by the renewal routes, and see no other customer's domain."""
        before = self.other_state()
        for user in (self.customer_user, self.staff_user):
            self.login(user)
            with self.subTest(user=user.login):
                self.assertRefusedToMy(
                    self.post(f"/my/domains/{self.other_domain.id}/renew", years="1", expiry="2027-11-21")
                )
                self.assertRefusedToMy(
                    self.post("/my/domains/renew", years="1", domain_ids=str(self.other_domain.id))
                )
                self.assertRefusedToMy(self.url_open(f"/my/domains/{self.other_domain.id}", allow_redirects=False))
                self.assertNotIn("rival-cloud.com", self.url_open("/my/domains").text)
                counters = self.make_jsonrpc_request("/my/counters", {"counters": ["prepaid_domain_count"]})
                self.assertEqual(counters["prepaid_domain_count"], 0)
        self.assertEqual(self.other_state(), before)

    def test_domain_and_plan_forms_answer_odd_numbers_with_a_message(self):
        self.login(self.customer_user)
        """Test that renewal years, expiry dates and plan ids written oddly get a message, never a crash."""
        self.credit(100)
        domain = self.env["prepaid.domain"].create({"name": "acme-input.com", "wallet_id": self.wallet.id})
        domain.sudo().with_context(prepaid_domain_operation=True).write(
            {"state": "active", "expiry_date": "2099-01-01"})
        snapshot = self.ledger_snapshot()
        for years in ("١", "1\x00", "²"):
            with self.subTest(years=years):
                self.assertIn("1 to 10", self.error_of(self.post(f"/my/domains/{domain.id}/renew", years=years)))
        response = self.post("/my/domains/renew", years="١", domain_ids=str(domain.id))
        self.assertIn("Choose the domains", self.error_of(response))
        self.assertIn("Choose a plan", self.error_of(self.post("/my/plans/buy", plan_id="١", currency_id="١")))
        self.assertEqual(self.url_open("/my/domain-prices?currency=EU%00&years=%D9%A1").status_code, 200)
        self.assertEqual(self.ledger_snapshot(), snapshot)
        # The expiry date shown only guards against a second submission: unreadable, it is ignored.
        response = self.post(f"/my/domains/{domain.id}/renew", years="1", expiry="\x00")
        self.assertIn("success", parse_qs(self.location(response).query))


@tagged("post_install", "-at_install")
class TestPlanWidensScope(PrepaidPortalCommon, HttpCase):
    """A plan is what extends credit beyond cloud usage."""

    def test_plan_bought_on_a_cloud_only_wallet_makes_it_pay_every_product(self):
        """Test that a customer whose wallet paid cloud usage only buys a plan on the portal, pays it,
        and can then renew a domain from its credit."""
        self.wallet.scope = "cloud"
        plan = self.env.ref("prepaid_cloud_credit_plan.plan_member")
        if not plan.entry_ids.filtered(lambda entry: entry.currency_id == self.currency):
            plan.entry_ids = [Command.create({"currency_id": self.currency.id, "amount": 50})]
        tld = self.env["prepaid.domain.tld"].search([("name", "=", ".com")]) or self.env["prepaid.domain.tld"].create(
            {"name": ".com"})
        self.env["prepaid.domain.price"].create({
            "company_id": self.company.id, "currency_id": self.currency.id, "tld_id": tld.id,
            "operation": "renew", "years": 1, "price": 12,
        })
        domain = self.env["prepaid.domain"].create({"name": "acme-plan.com", "wallet_id": self.wallet.id})
        domain.sudo().with_context(prepaid_domain_operation=True).write(
            {"state": "active", "expiry_date": "2099-01-01"}
        )
        self.login(self.customer_user)
        self.post("/my/plans/buy", plan_id=str(plan.id), currency_id=str(self.currency.id))
        recharge = self.recharges().filtered(lambda r: r.plan_id == plan)
        self.assertEqual(self.wallet.scope, "cloud", "nothing changes before the plan is paid")
        self.notify(self.start_payment(recharge))
        self.assertEqual(recharge.state, "paid")
        self.assertEqual((self.wallet.plan_id, self.wallet.scope), (plan, "all"))
        response = self.post(f"/my/domains/{domain.id}/renew", years="1")
        self.assertIn("success", self.location(response).query)
        self.assertEqual(self.wallet.balance, 50 - 12)
