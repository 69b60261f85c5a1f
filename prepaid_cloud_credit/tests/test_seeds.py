# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ExpiryPerSourceCommon, PrepaidCommon


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
class TestExpiryPerSource(ExpiryPerSourceCommon):
    """Each source of credit sets the expiry of the lots it opens; the company default per kind is
    the fallback."""

    @freeze_time("2026-11-21")
    def test_recharge_product_sets_the_expiry_and_the_company_is_the_fallback(self):
        """Test that the recharge product's 13 months apply, and a product left to the company
        gives the company's six months."""
        self.product.write({"prepaid_expiry_policy": "months", "prepaid_expiry_months": 13})
        self.assertEqual(self.pay(self.recharge(100)).expiry_date, date(2027, 12, 21))
        self.product.prepaid_expiry_policy = "company"
        self.assertEqual(self.pay(self.recharge()).expiry_date, date(2027, 5, 21))

    def test_months_policy_needs_a_positive_number_of_months(self):
        """Test that a product set to months without a positive number, or to a date without one, is refused."""
        with self.assertRaises(ValidationError):
            self.product.write({"prepaid_expiry_policy": "months", "prepaid_expiry_months": 0})
        with self.assertRaises(ValidationError):
            self.product.write({"prepaid_expiry_policy": "date", "prepaid_expiry_date": False})
