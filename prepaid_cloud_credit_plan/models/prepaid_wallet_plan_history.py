# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, fields, models
from odoo.exceptions import AccessError


class PrepaidWalletPlanHistory(models.Model):
    """One change of a wallet's plan: an assignment, an upgrade or a downgrade."""

    _name = "prepaid.wallet.plan.history"
    _description = "Prepaid Wallet Plan History"
    _order = "date desc, id desc"
    _check_company_auto = True

    wallet_id = fields.Many2one("prepaid.wallet", required=True, readonly=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one(related="wallet_id.partner_id", store=True, index=True)
    company_id = fields.Many2one(related="wallet_id.company_id", store=True, index=True)
    old_plan_id = fields.Many2one("prepaid.plan", string="Old plan", readonly=True, ondelete="restrict")
    new_plan_id = fields.Many2one("prepaid.plan", string="New plan", readonly=True, ondelete="restrict")
    change_type = fields.Selection(
        [("assign", "Assignment"), ("upgrade", "Upgrade"), ("downgrade", "Downgrade")],
        required=True,
        readonly=True,
    )
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    reason = fields.Text(readonly=True)
    recharge_id = fields.Many2one("prepaid.recharge", readonly=True, ondelete="restrict")
    user_id = fields.Many2one("res.users", default=lambda self: self.env.uid, readonly=True)

    def write(self, vals):  # pylint: disable=method-required-super
        # The history is evidence of what the customer paid for: append-only.
        raise AccessError(_("The plan history cannot be changed."))
