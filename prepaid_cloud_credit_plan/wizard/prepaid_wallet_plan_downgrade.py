# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class PrepaidWalletPlanDowngrade(models.TransientModel):
    _name = "prepaid.wallet.plan.downgrade"
    _description = "Lower the Plan of a Prepaid Wallet"

    wallet_id = fields.Many2one("prepaid.wallet", required=True, ondelete="cascade")
    current_plan_id = fields.Many2one(related="wallet_id.plan_id", string="Current plan")
    current_level = fields.Integer(related="wallet_id.plan_id.level")
    plan_id = fields.Many2one(
        "prepaid.plan",
        string="New plan",
        domain="[('level', '<', current_level)]",
        help="Leave empty to remove the plan: the customer pays list prices.",
    )
    reason = fields.Text(required=True)

    @api.constrains("reason")
    def _check_reason(self):
        for wizard in self:
            if not (wizard.reason or "").strip():
                raise ValidationError(_("Say why the plan is lowered."))

    def action_apply(self):
        self.ensure_one()
        self.wallet_id._check_prepaid_group("group_prepaid_manager")
        wallet = self.wallet_id
        if not wallet.plan_id:
            raise UserError(_("%(wallet)s has no plan to lower.", wallet=wallet.display_name))
        if self.plan_id and not wallet.plan_id._is_higher_than(self.plan_id):
            raise UserError(
                _("%(plan)s is not lower than %(current)s: customers upgrade by buying a plan.",
                  plan=self.plan_id.name, current=wallet.plan_id.name)
            )
        wallet._set_plan(self.plan_id, reason=self.reason)
        return {"type": "ir.actions.act_window_close"}
