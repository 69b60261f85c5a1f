# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.prepaid_domain_price import DOMAIN_OPERATIONS


class PrepaidDomainOperate(models.TransientModel):
    _name = "prepaid.domain.operate"
    _description = "Register, Transfer, Renew or Restore a Domain"

    domain_id = fields.Many2one("prepaid.domain", required=True, ondelete="cascade")
    wallet_id = fields.Many2one(related="domain_id.wallet_id")
    currency_id = fields.Many2one(related="domain_id.currency_id")
    balance = fields.Monetary(related="wallet_id.balance", string="Available credit")
    operation = fields.Selection(DOMAIN_OPERATIONS, required=True, default="renew")
    years = fields.Integer(required=True, default=1)
    price = fields.Monetary(compute="_compute_price")
    price_error = fields.Char(compute="_compute_price")
    new_expiry_date = fields.Date(compute="_compute_price", string="New expiry date")

    @api.depends("domain_id", "operation", "years")
    def _compute_price(self):
        Price = self.env["prepaid.domain.price"]
        for wizard in self:
            wizard.price = wizard.price_error = wizard.new_expiry_date = False
            if not wizard.domain_id:
                continue
            domain = wizard.domain_id
            try:
                domain._check_operation_allowed(wizard.operation, wizard.years)
                wizard.price = Price._get_domain_price(
                    domain.wallet_id, domain.tld_id, wizard.operation, wizard.years
                )[0]
                wizard.new_expiry_date = domain._get_new_expiry_date(wizard.operation, wizard.years)
            except UserError as error:
                wizard.price_error = error.args[0]

    def action_apply(self):
        self.ensure_one()
        self.domain_id.execute_operation(self.operation, self.years)
        return {"type": "ir.actions.act_window_close"}
