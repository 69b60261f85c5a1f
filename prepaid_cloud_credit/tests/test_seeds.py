# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import PrepaidPortalCommon


@tagged("post_install", "-at_install")
class TestPlanWidensScope(PrepaidPortalCommon, HttpCase):
    """A plan is what extends credit beyond cloud usage."""

    def test_plan_bought_on_a_cloud_only_wallet_makes_it_pay_every_product(self):
        """Test that a customer whose wallet paid cloud usage only buys a plan on the portal, pays it,
        and can then renew a domain from its credit."""
        self.wallet.scope = "cloud"
        tier = self.env.ref("prepaid_cloud_credit.tier_member")
        if not tier.entry_ids.filtered(lambda entry: entry.currency_id == self.currency):
            tier.entry_ids = [Command.create({"currency_id": self.currency.id, "amount": 50})]
        tld = self.env["prepaid.domain.tld"].search([("name", "=", ".com")]) or self.env["prepaid.domain.tld"].create(
            {"name": ".com"})
        self.env["prepaid.domain.price"].create({
            "company_id": self.company.id, "currency_id": self.currency.id, "tld_id": tld.id,
            "operation": "renew", "years": 1, "price": 12,
        })
        domain = self.env["prepaid.domain"].create({"name": "acme-plan.com", "wallet_id": self.wallet.id})
        domain.sudo().with_context(prepaid_domain_operation=True).write({"state": "active", "expiry_date": "2099-01-01"})
        self.login(self.customer_user)
        self.post("/my/plans/buy", tier_id=str(tier.id), currency_id=str(self.currency.id))
        recharge = self.recharges().filtered(lambda r: r.tier_id == tier)
        self.assertEqual(self.wallet.scope, "cloud", "nothing changes before the plan is paid")
        self.notify(self.start_payment(recharge))
        self.assertEqual(recharge.state, "paid")
        self.assertEqual((self.wallet.tier_id, self.wallet.scope), (tier, "all"))
        response = self.post(f"/my/domains/{domain.id}/renew", years="1")
        self.assertIn("success", self.location(response).query)
        self.assertEqual(self.wallet.balance, 50 - 12)
