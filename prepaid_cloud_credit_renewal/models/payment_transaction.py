# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    prepaid_renewal_order_id = fields.Many2one("prepaid.renewal.order", readonly=True, index="btree_not_null")
    prepaid_topup_request_id = fields.Many2one("prepaid.topup.request", readonly=True, index="btree_not_null")

    def _set_canceled(self, state_message=None, extra_allowed_states=()):
        """Override of `payment` to mark the renewal order failed: it renews nothing."""
        txs = super()._set_canceled(state_message=state_message, extra_allowed_states=extra_allowed_states)
        for tx in txs:
            tx.prepaid_renewal_order_id.sudo()._payment_failed(tx.state_message)
        return txs

    def _set_error(self, state_message, extra_allowed_states=()):
        """Override of `payment` to mark the renewal order failed: it renews nothing."""
        txs = super()._set_error(state_message, extra_allowed_states=extra_allowed_states)
        for tx in txs:
            tx.prepaid_renewal_order_id.sudo()._payment_failed(tx.state_message)
        return txs
