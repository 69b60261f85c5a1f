# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import uuid

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class PrepaidWalletAdjust(models.TransientModel):
    _name = "prepaid.wallet.adjust"
    _description = "Adjust a Prepaid Wallet"

    wallet_id = fields.Many2one("prepaid.wallet", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="wallet_id.currency_id")
    direction = fields.Selection(
        [("increase", "Add credit"), ("decrease", "Remove credit")],
        required=True,
        default="increase",
    )
    kind = fields.Selection(
        [("paid", "Paid"), ("bonus", "Bonus"), ("voucher", "Voucher")],
        required=True,
        default="bonus",
        help="Kind of the lot that an increase creates.",
    )
    amount = fields.Monetary(required=True)
    expiry_date = fields.Date(help="Leave empty to apply the company's expiry policy.")
    reason = fields.Text(required=True)
    # Guards against a double click submitting the same adjustment twice. The
    # ledger key is built from it under "adjust:", whatever a caller sets
    # here: an adjustment can never take the key of another movement.
    idempotency_key = fields.Char(default=lambda self: str(uuid.uuid4()), required=True)

    @api.constrains("reason")
    def _check_reason(self):
        for wizard in self:
            if not (wizard.reason or "").strip():
                raise ValidationError(_("Say why the balance is adjusted."))

    def action_apply(self):
        self.ensure_one()
        self.wallet_id._check_prepaid_group("group_prepaid_manager")
        wallet = self.wallet_id.sudo()
        wallet._ledger_apply(
            "adjustment",
            self.amount,
            f"adjust:{self.idempotency_key}",
            kind=self.kind,
            decrease=self.direction == "decrease",
            reason=self.reason.strip(),
            description=wallet._customer_env()._("Adjustment by %(user)s", user=self.env.user.name),
            expiry_date=self.expiry_date or None,
            source=self.env.user,
        )
        return {"type": "ir.actions.act_window_close"}
