# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
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
    # Set by the ledger for the allocations to a lot: the change of the lot's
    # booked value (see prepaid.credit.lot), what the booking posts.
    booked_amount = fields.Monetary(
        "Booked value", readonly=True, help="Change of the lot's booked value, in the wallet currency."
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company currency")
    booked_balance = fields.Monetary(
        "Booked value in company currency", currency_field="company_currency_id", readonly=True
    )
    is_debt_repayment = fields.Boolean(readonly=True)
    is_creation = fields.Boolean(readonly=True, help="The allocation that opened its lot.")
    origin_allocation_id = fields.Many2one(
        "prepaid.wallet.allocation",
        readonly=True,
        index="btree_not_null",
        help="For refunds: the allocation of the debit given back.",
    )

    def write(self, vals):  # pylint: disable=method-required-super
        # Append-only: an allocation is never changed, not even by the ledger.
        raise AccessError(_("Ledger allocations cannot be changed."))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_ledger(self):
        raise AccessError(_("Ledger allocations cannot be deleted."))
