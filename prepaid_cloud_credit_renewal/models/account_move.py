# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    prepaid_renewal_order_id = fields.Many2one(
        "prepaid.renewal.order", "Renewal order", readonly=True, copy=False, index="btree_not_null"
    )

    def _invoice_paid_hook(self):
        """Override of `account` to renew the services of a paid renewal
        invoice: a card payment, or a bank transfer the accountant reconciled."""
        res = super()._invoice_paid_hook()
        orders = self.filtered(lambda move: move.move_type == "out_invoice").prepaid_renewal_order_id
        if orders:
            # The payer, or the accountant reconciling, has no rights on orders and services.
            orders.sudo().filtered(lambda order: order.state in ("awaiting", "failed", "draft"))._mark_paid()
        return res
