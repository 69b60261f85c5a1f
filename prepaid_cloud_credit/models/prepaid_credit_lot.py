# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import AccessError


class PrepaidCreditLot(models.Model):
    _name = "prepaid.credit.lot"
    _description = "Prepaid Credit Lot"
    _order = "wallet_id, expiry_date asc nulls last, id"
    _check_company_auto = True

    wallet_id = fields.Many2one(
        "prepaid.wallet", required=True, index=True, ondelete="restrict", readonly=True
    )
    partner_id = fields.Many2one(related="wallet_id.partner_id", store=True, index=True)
    company_id = fields.Many2one(related="wallet_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="wallet_id.currency_id", store=True)
    kind = fields.Selection(
        [("paid", "Paid"), ("bonus", "Bonus"), ("voucher", "Voucher")],
        required=True,
        readonly=True,
    )
    original_amount = fields.Monetary(readonly=True)
    remaining_amount = fields.Monetary(readonly=True)
    consumed_amount = fields.Monetary(compute="_compute_consumed_amount")
    expiry_date = fields.Date(
        readonly=True, index=True, help="From this day on the lot can no longer be spent."
    )
    state = fields.Selection(
        [("open", "Open"), ("exhausted", "Used up"), ("expired", "Expired")],
        default="open",
        required=True,
        readonly=True,
        index=True,
    )
    source_transaction_id = fields.Many2one(
        "prepaid.wallet.transaction", readonly=True, string="Opening transaction"
    )
    source_ref = fields.Reference(
        related="source_transaction_id.source_ref", string="Source document"
    )
    replaced_lot_id = fields.Many2one(
        "prepaid.credit.lot",
        readonly=True,
        help="The expired lot whose refunded credit this lot holds.",
    )
    allocation_ids = fields.One2many("prepaid.wallet.allocation", "lot_id", readonly=True)

    @api.depends("original_amount", "remaining_amount")
    def _compute_consumed_amount(self):
        for lot in self:
            lot.consumed_amount = lot.original_amount - lot.remaining_amount

    @api.depends("kind", "original_amount", "currency_id")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for lot in self:
            lot.display_name = _(
                "%(kind)s lot #%(id)s", kind=kinds.get(lot.kind, ""), id=lot.id or "-"
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_ledger_write()
        return super().create(vals_list)

    def write(self, vals):
        self._check_ledger_write()
        return super().write(vals)

    def unlink(self):
        self._check_ledger_write(unlink=True)
        return super().unlink()

    def _check_ledger_write(self, unlink=False):
        # Lots change only through the ledger service, which runs in sudo
        # after checking its caller; a lot is never deleted.
        if unlink or not self.env.su:
            raise AccessError(_("Credit lots change only through wallet movements."))
