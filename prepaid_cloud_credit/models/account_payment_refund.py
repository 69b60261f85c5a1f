# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Extra payments of a recharge: flagged until the accountant refunds them.

Kept apart from ``account_payment.py`` while the accounting of payments is
being worked on in parallel; it may be folded into it.
"""

from odoo import api, fields, models


class AccountPayment(models.Model):
    _inherit = "account.payment"

    prepaid_extra_payment = fields.Boolean(
        "Extra recharge payment",
        readonly=True,
        copy=False,
        help="This payment arrived for a recharge already paid or cancelled: it credited nothing.",
    )
    prepaid_refund_due = fields.Boolean(
        "Refund due",
        compute="_compute_prepaid_refund_due",
        store=True,
        help="An extra recharge payment not yet refunded (reconciled) nor cancelled.",
    )

    @api.depends("prepaid_extra_payment", "is_reconciled", "state")
    def _compute_prepaid_refund_due(self):
        for payment in self:
            payment.prepaid_refund_due = (
                payment.prepaid_extra_payment and not payment.is_reconciled and payment.state != "canceled"
            )
