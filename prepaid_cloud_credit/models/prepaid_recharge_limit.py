# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class PrepaidRechargeLimit(models.Model):
    """Per company and currency: the recharge limits and the default low-balance threshold."""

    _name = "prepaid.recharge.limit"
    _description = "Prepaid Recharge Limits"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one("res.currency", required=True)
    min_amount = fields.Monetary("Minimum recharge", help="Net of VAT.")
    max_amount = fields.Monetary("Maximum recharge", help="Net of VAT; zero means no maximum.")
    low_balance_threshold = fields.Monetary(
        "Default low-balance threshold",
        help="The low-balance alert threshold of new wallets in this currency; each customer may change its own.",
    )

    _sql_constraints = [
        ("company_currency_uniq", "UNIQUE(company_id, currency_id)", "One set of limits per company and currency."),
    ]

    @api.constrains("min_amount", "max_amount", "low_balance_threshold")
    def _check_amounts(self):
        for limit in self:
            if limit.min_amount < 0 or limit.max_amount < 0 or limit.low_balance_threshold < 0:
                raise ValidationError(_("Recharge limits and the low-balance threshold cannot be negative."))
            if limit.max_amount and limit.max_amount < limit.min_amount:
                raise ValidationError(_("The maximum recharge is below the minimum."))
