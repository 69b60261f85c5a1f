# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.prepaid_cloud_credit.tests.common import ExpiryPerSourceCommon


@tagged("post_install", "-at_install")
class TestPlanExpiry(ExpiryPerSourceCommon):
    """A plan is a source of credit that sets the expiry of the lots it opens.
    Plan credit that never expires and cloud credit that expires 13 months after
    purchase live side by side in one company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan = cls.env.ref("prepaid_cloud_credit_plan.plan_member")
        if not cls.plan.entry_ids.filtered(lambda entry: entry.currency_id == cls.currency):
            cls.plan.entry_ids = [Command.create({"currency_id": cls.currency.id, "amount": 50})]

    def order_plan(self, wallet=None):
        recharge = self.Recharge.create(self.Recharge._prepare_plan_recharge_vals(wallet or self.wallet, self.plan))
        recharge.action_confirm()
        return recharge

    @freeze_time("2026-11-21")
    def test_plan_credit_never_expires_while_cloud_credit_expires_13_months_after_purchase(self):
        """Test both policies in one company: the recharge product's 13 months, the plan's never."""
        self.product.write({"prepaid_expiry_policy": "months", "prepaid_expiry_months": 13})
        self.plan.prepaid_expiry_policy = "never"
        cloud_lot = self.pay(self.recharge(100))
        plan_lot = self.pay(self.order_plan())
        self.assertEqual(cloud_lot.expiry_date, date(2027, 12, 21))
        self.assertFalse(plan_lot.expiry_date)

    @freeze_time("2026-11-21")
    def test_company_default_applies_when_the_source_says_nothing(self):
        """Test that the product and the plan left to the company give the company's six months,
        and a plan left to the company follows the product."""
        self.product.prepaid_expiry_policy = "company"
        self.plan.prepaid_expiry_policy = "company"
        self.assertEqual(self.pay(self.recharge()).expiry_date, date(2027, 5, 21))
        self.product.write({"prepaid_expiry_policy": "date", "prepaid_expiry_date": "2030-01-31"})
        self.assertEqual(self.pay(self.order_plan()).expiry_date, date(2030, 1, 31))

    @freeze_time("2026-11-21")
    def test_advance_payment_follows_the_recharge_source(self):
        """Test that under VAT at consumption the advance payment of a plan opens a lot without expiry."""
        self.company.prepaid_vat_policy = "consumption"
        self.plan.prepaid_expiry_policy = "never"
        self.product.write({"prepaid_expiry_policy": "months", "prepaid_expiry_months": 13})
        recharge = self.order_plan()
        payment = self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": self.customer.id,
            "amount": recharge.total_amount, "prepaid_wallet_id": self.wallet.id, "prepaid_recharge_id": recharge.id,
            "journal_id": self.company_data["default_journal_bank"].id,
        })
        payment.action_post()
        self.assertEqual(recharge.state, "paid")
        self.assertFalse(recharge.lot_id.expiry_date)

    def test_plan_months_policy_needs_a_positive_number_of_months(self):
        """Test that a plan set to months without a positive number of months is refused."""
        with self.assertRaises(ValidationError):
            self.plan.write({"prepaid_expiry_policy": "months", "prepaid_expiry_months": 0})
