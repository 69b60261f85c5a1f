# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import AccessError


class PrepaidVoucherRedemption(models.Model):
    """One activation of a voucher code: who redeemed what, when, and its credit."""

    _name = "prepaid.voucher.redemption"
    _description = "Prepaid Voucher Redemption"
    _order = "date desc, id desc"
    _rec_name = "voucher_id"
    _check_company_auto = True

    voucher_id = fields.Many2one(
        "prepaid.voucher", string="Code", required=True, index=True, ondelete="restrict", readonly=True
    )
    batch_id = fields.Many2one(related="voucher_id.batch_id", store=True, index=True)
    wallet_id = fields.Many2one(
        "prepaid.wallet", required=True, index=True, ondelete="restrict", readonly=True
    )
    partner_id = fields.Many2one(related="wallet_id.partner_id", store=True, index=True, string="Customer")
    company_id = fields.Many2one(related="wallet_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="wallet_id.currency_id", store=True)
    user_id = fields.Many2one("res.users", string="Activated by", readonly=True)
    ip_address = fields.Char("IP address", readonly=True)
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True, index=True)
    amount = fields.Monetary(readonly=True)
    transaction_id = fields.Many2one("prepaid.wallet.transaction", string="Credit movement", readonly=True)
    lot_id = fields.Many2one("prepaid.credit.lot", compute="_compute_lot_id", string="Voucher lot")

    def _compute_lot_id(self):
        for redemption in self:
            redemption.lot_id = redemption.transaction_id.allocation_ids.filtered("is_creation").lot_id[:1]

    @api.model_create_multi
    def create(self, vals_list):
        # Written only by prepaid.voucher._redeem_code, in sudo, with its ledger credit.
        if not self.env.su:
            raise AccessError(_("Voucher redemptions are written by code activations only."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su or set(vals) - {"transaction_id"}:
            raise AccessError(_("Voucher redemptions cannot be changed."))
        return super().write(vals)
