# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    prepaid_recharge_id = fields.Many2one("prepaid.recharge", readonly=True, index="btree_not_null")

    def _create_payment(self, **extra_create_values):
        """Override of `account_payment` to turn a recharge paid without an
        invoice (VAT at consumption) into an advance payment of its wallet.

        With an invoice (VAT at recharge) the standard reconciliation pays the
        invoice, and the paid invoice credits the wallet.
        """
        recharge = self.prepaid_recharge_id
        if recharge and not recharge.invoice_id:
            extra_create_values = {
                "prepaid_wallet_id": recharge.wallet_id.id,
                "prepaid_recharge_id": recharge.id,
                **extra_create_values,
            }
        return super()._create_payment(**extra_create_values)

    def _set_canceled(self, state_message=None, extra_allowed_states=()):
        """Override of `payment` to mark the recharge failed: it credits nothing."""
        txs = super()._set_canceled(state_message=state_message, extra_allowed_states=extra_allowed_states)
        txs.prepaid_recharge_id._prepaid_payment_failed()
        return txs

    def _set_error(self, state_message, extra_allowed_states=()):
        """Override of `payment` to mark the recharge failed: it credits nothing."""
        txs = super()._set_error(state_message, extra_allowed_states=extra_allowed_states)
        txs.prepaid_recharge_id._prepaid_payment_failed()
        return txs
