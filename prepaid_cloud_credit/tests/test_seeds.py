# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from .common import PrepaidCommon, PrepaidPortalCommon


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


@tagged("post_install", "-at_install")
class TestLowBalanceThresholdDefault(PrepaidCommon):
    """The default low-balance threshold is set per company and currency."""

    def test_new_wallets_take_the_threshold_of_their_currency(self):
        """Test that new wallets start with the company's threshold for their currency, not a fixed 10."""
        rub = self.setup_other_currency("RUB")
        Limit = self.env["prepaid.recharge.limit"]
        Limit.create({"company_id": self.company.id, "currency_id": self.currency.id, "low_balance_threshold": 25})
        Limit.create({"company_id": self.company.id, "currency_id": rub.id, "min_amount": 20,
                      "low_balance_threshold": 1500})
        Wallet = self.env["prepaid.wallet"].sudo()
        partner = self.env["res.partner"].create({"name": "Thresholds", "is_company": True})
        in_company_currency = Wallet._get_or_create(partner, self.currency, self.company)
        in_rub = Wallet._get_or_create(partner, rub, self.company)
        self.assertEqual((in_company_currency.low_balance_threshold, in_rub.low_balance_threshold), (25, 1500))
        chosen = Wallet.create({
            "partner_id": self.env["res.partner"].create({"name": "Chooser", "is_company": True}).id,
            "company_id": self.company.id, "currency_id": rub.id, "low_balance_threshold": 300,
        })
        self.assertEqual(chosen.low_balance_threshold, 300, "a threshold given explicitly is kept")

    def test_without_a_setting_the_threshold_is_zero(self):
        """Test that a currency without a setting alerts when the credit runs out, whatever its unit."""
        eur = self.setup_other_currency("EUR")
        wallet = self.env["prepaid.wallet"].sudo()._get_or_create(self.customer, eur, self.company)
        self.assertEqual(wallet.low_balance_threshold, 0)

    def test_negative_default_threshold_is_refused(self):
        """Test that the company setting refuses a negative threshold."""
        with self.assertRaises(ValidationError):
            self.env["prepaid.recharge.limit"].create(
                {"company_id": self.company.id, "currency_id": self.currency.id, "low_balance_threshold": -1})
