# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, fields, models
from odoo.exceptions import AccessError


class PrepaidWalletAllocation(models.Model):
    _name = "prepaid.wallet.allocation"
    _description = "Prepaid Transaction Allocation"
    _order = "transaction_id, id"

    transaction_id = fields.Many2one(
        "prepaid.wallet.transaction", required=True, index=True, ondelete="cascade", readonly=True
    )
    wallet_id = fields.Many2one(related="transaction_id.wallet_id", store=True, index=True)
    company_id = fields.Many2one(related="transaction_id.company_id", store=True)
    currency_id = fields.Many2one(related="transaction_id.currency_id", store=True)
    lot_id = fields.Many2one(
        "prepaid.credit.lot",
        index=True,
        readonly=True,
        ondelete="restrict",
        help="Empty when the amount is debt: usage that no credit covered.",
    )
    kind = fields.Selection(
        [("paid", "Paid"), ("bonus", "Bonus"), ("voucher", "Voucher"), ("debt", "Debt")],
        required=True,
        readonly=True,
    )
    amount = fields.Monetary(readonly=True, help="Change of the lot (or of the debt's credit side).")
    is_debt_repayment = fields.Boolean(readonly=True)
    is_creation = fields.Boolean(readonly=True, help="The allocation that opened its lot.")
    origin_allocation_id = fields.Many2one(
        "prepaid.wallet.allocation",
        readonly=True,
        index="btree_not_null",
        help="For refunds: the allocation of the debit given back.",
    )

    def write(self, vals):
        raise AccessError(_("Ledger allocations cannot be changed."))

    def unlink(self):
        raise AccessError(_("Ledger allocations cannot be deleted."))
