# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from datetime import date

from freezegun import freeze_time

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
        domain.sudo().with_context(prepaid_domain_operation=True).write(
            {"state": "active", "expiry_date": "2099-01-01"}
        )
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


@tagged("post_install", "-at_install")
class TestExpiryPerSource(PrepaidCommon):
    """Each source of credit sets the expiry of the lots it opens; the company default per kind is
    the fallback. Plan credit that never expires and cloud credit that expires 13 months after
    purchase live side by side in one company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The company default for paid credit: six months.
        cls.company.write({"prepaid_paid_expiry": "months", "prepaid_paid_expiry_months": 6})
        cls.product = cls.company.prepaid_product_id.product_tmpl_id
        cls.tier = cls.env.ref("prepaid_cloud_credit.tier_member")
        if not cls.tier.entry_ids.filtered(lambda entry: entry.currency_id == cls.currency):
            cls.tier.entry_ids = [Command.create({"currency_id": cls.currency.id, "amount": 50})]
        cls.Recharge = cls.env["prepaid.recharge"]

    def pay(self, recharge):
        self.pay_recharge(recharge)
        self.assertEqual(recharge.state, "paid")
        return recharge.lot_id

    def recharge(self, amount=100, wallet=None):
        vals = self.Recharge._prepare_recharge_vals(wallet or self.wallet, amount, "bank_transfer")
        recharge = self.Recharge.create(vals)
        recharge.action_confirm()
        return recharge

    def plan(self, wallet=None):
        recharge = self.Recharge.create(self.Recharge._prepare_plan_recharge_vals(wallet or self.wallet, self.tier))
        recharge.action_confirm()
        return recharge

    @freeze_time("2026-11-21")
    def test_plan_credit_never_expires_while_cloud_credit_expires_13_months_after_purchase(self):
        """Test both policies in one company: the recharge product's 13 months, the plan's never."""
        self.product.write({"prepaid_expiry_policy": "months", "prepaid_expiry_months": 13})
        self.tier.prepaid_expiry_policy = "never"
        cloud_lot = self.pay(self.recharge(100))
        plan_lot = self.pay(self.plan())
        self.assertEqual(cloud_lot.expiry_date, date(2027, 12, 21))
        self.assertFalse(plan_lot.expiry_date)

    @freeze_time("2026-11-21")
    def test_company_default_applies_when_the_source_says_nothing(self):
        """Test that the product and the plan left to the company give the company's six months,
        and a plan left to the company follows the product."""
        self.product.prepaid_expiry_policy = "company"
        self.tier.prepaid_expiry_policy = "company"
        self.assertEqual(self.pay(self.recharge()).expiry_date, date(2027, 5, 21))
        self.product.write({"prepaid_expiry_policy": "date", "prepaid_expiry_date": "2030-01-31"})
        self.assertEqual(self.pay(self.plan()).expiry_date, date(2030, 1, 31))

    @freeze_time("2026-11-21")
    def test_advance_payment_follows_the_recharge_source(self):
        """Test that under VAT at consumption the advance payment of a plan opens a lot without expiry."""
        self.company.prepaid_vat_policy = "consumption"
        self.tier.prepaid_expiry_policy = "never"
        self.product.write({"prepaid_expiry_policy": "months", "prepaid_expiry_months": 13})
        recharge = self.plan()
        payment = self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": self.customer.id,
            "amount": recharge.total_amount, "prepaid_wallet_id": self.wallet.id, "prepaid_recharge_id": recharge.id,
            "journal_id": self.company_data["default_journal_bank"].id,
        })
        payment.action_post()
        self.assertEqual(recharge.state, "paid")
        self.assertFalse(recharge.lot_id.expiry_date)

    @freeze_time("2026-11-21")
    def test_voucher_batch_and_promo_code_may_never_expire(self):
        """Test that a voucher batch and a promo code set to never open lots without expiry,
        though the company's bonus and voucher credit expire."""
        self.company.write({"prepaid_bonus_expiry": "months", "prepaid_voucher_expiry": "months"})
        batch = self.env["prepaid.voucher.batch"].create({
            "name": "Forever", "company_id": self.company.id, "currency_id": self.currency.id,
            "amount": 10, "code_count": 1, "expiry_policy": "never",
        })
        batch.action_generate_codes()
        batch.action_activate()
        voucher_tx = self.env["prepaid.voucher"]._redeem_code(batch.voucher_ids.code, self.wallet, ip="192.0.2.9")
        self.assertFalse(voucher_tx.allocation_ids.lot_id.expiry_date)
        self.env["prepaid.promo.code"].create({
            "code": "FOREVER", "company_id": self.company.id, "bonus_type": "fixed", "bonus_fixed": 5,
            "expiry_policy": "never",
        })
        recharge = self.Recharge.create(
            self.Recharge._prepare_recharge_vals(self.wallet, 50, "bank_transfer", promo_code="FOREVER"))
        recharge.action_confirm()
        self.pay(recharge)
        self.assertFalse(recharge.bonus_transaction_id.allocation_ids.lot_id.expiry_date)

    def test_months_policy_needs_a_positive_number_of_months(self):
        """Test that a source set to months without a positive number, or to a date without one, is refused."""
        with self.assertRaises(ValidationError):
            self.tier.write({"prepaid_expiry_policy": "months", "prepaid_expiry_months": 0})
        with self.assertRaises(ValidationError):
            self.product.write({"prepaid_expiry_policy": "date", "prepaid_expiry_date": False})
