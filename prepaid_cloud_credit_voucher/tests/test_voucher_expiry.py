# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.prepaid_cloud_credit.tests.common import ExpiryPerSourceCommon


@tagged("post_install", "-at_install")
class TestVoucherExpiry(ExpiryPerSourceCommon):
    """Voucher batches and promo codes are sources of credit that set the
    expiry of the lots they open."""

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
