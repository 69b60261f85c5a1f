# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class PrepaidWalletRedeem(models.TransientModel):
    """A manager activates a voucher code for a customer (e.g. on the phone)."""

    _name = "prepaid.wallet.redeem"
    _description = "Activate a Voucher in a Prepaid Wallet"

    wallet_id = fields.Many2one("prepaid.wallet", required=True, ondelete="cascade")
    code = fields.Char("Voucher code", required=True)

    def action_redeem(self):
        self.ensure_one()
        self.wallet_id._check_prepaid_group("group_prepaid_manager")
        # The same service as the portal, with the same checks and rate limit
        # (the manager's own failed attempts count against the manager).
        self.env["prepaid.voucher"]._redeem_code(self.code, self.wallet_id, user=self.env.user)
        return {"type": "ir.actions.act_window_close"}
