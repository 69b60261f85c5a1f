# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from urllib.parse import parse_qs

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.prepaid_cloud_credit.tests.common import PrepaidPortalCommon

from .plan_common import PrepaidPlanPortalCommon


@tagged("post_install", "-at_install")
class TestPlanPortal(PrepaidPlanPortalCommon):

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
        self.assertEqual(html.count('name="plan_id"'), 1, "only Elite can be bought")

    def test_buying_a_plan_creates_a_confirmed_recharge_and_redirects_to_its_payment(self):
        """Test that buying a plan orders a recharge of the plan price and sends the customer to pay it."""
        self.authenticate("pia", "pia-pass-123")
        response = self.post("/my/plans/buy", plan_id=self.member.id, currency_id=self.currency.id)
        recharge = self.env["prepaid.recharge"].search([("wallet_id", "=", self.wallet.id)])
        self.assertEqual(len(recharge), 1)
        self.assertRecordValues(recharge, [{"plan_id": self.member.id, "amount": 50, "state": "awaiting"}])
        self.assertEqual(self.location(response).path, f"/my/recharges/{recharge.id}")
        self.assertFalse(self.wallet.plan_id)
        self.pay(recharge.invoice_id)
        self.assertEqual(self.wallet.plan_id, self.member)

    def test_buying_a_lower_or_equal_plan_from_the_portal_is_refused(self):
        """Test that the portal refuses a plan that is not higher, with the reason, and creates nothing."""
        self.buy_plan(self.prestige)
        before = self.env["prepaid.recharge"].search_count([])
        self.authenticate("pia", "pia-pass-123")
        for plan in (self.member, self.prestige):
            response = self.post("/my/plans/buy", plan_id=plan.id, currency_id=self.currency.id)
            location = self.location(response)
            self.assertEqual(location.path, "/my/plans")
            self.assertIn("only a higher plan", parse_qs(location.query)["error"][0])
        response = self.post("/my/plans/buy", plan_id="x", currency_id=self.currency.id)
        self.assertIn("error", parse_qs(self.location(response).query))
        self.assertEqual(self.env["prepaid.recharge"].search_count([]), before)
        self.assertEqual(self.wallet.plan_id, self.prestige)

    def test_first_plan_of_a_customer_without_wallet_creates_its_wallet(self):
        """Test that a customer without a wallet gets one (paying every product) when it orders a plan."""
        self.authenticate("rob", "rob-pass-123")
        eur = self.env.ref("base.EUR")
        eur.active = True
        response = self.post("/my/plans/buy", plan_id=self.member.id, currency_id=eur.id)
        wallet = self.env["prepaid.wallet"].sudo().search(
            [("partner_id", "=", self.other_customer.id), ("currency_id", "=", eur.id)])
        self.assertEqual(wallet.scope, "all")
        self.assertEqual(wallet.recharge_ids.amount, 50)
        self.assertEqual(self.location(response).path, f"/my/recharges/{wallet.recharge_ids.id}")


@tagged("post_install", "-at_install")
class TestPlanPortalReplay(PrepaidPortalCommon, HttpCase):
    """A plan ordered twice from the portal."""

    def test_plan_order_sent_again_leads_to_the_same_order(self):
        """Test that ordering the same plan twice while the first order awaits payment creates one recharge."""
        plan = self.env.ref("prepaid_cloud_credit_plan.plan_member")
        if not plan.entry_ids.filtered(lambda entry: entry.currency_id == self.currency):
            plan.entry_ids = [Command.create({"currency_id": self.currency.id, "amount": 50})]
        self.login(self.customer_user)
        paths = [
            self.location(self.post("/my/plans/buy", plan_id=str(plan.id), currency_id=str(self.currency.id))).path
            for _attempt in range(2)
        ]
        recharge = self.recharges().filtered(lambda r: r.plan_id == plan)
        self.assertEqual(len(recharge), 1)
        self.assertEqual(paths, [recharge.access_url] * 2)
