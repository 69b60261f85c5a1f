# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class PrepaidPlanRenewalPrice(models.Model):
    """The renewal price of a product, per period and currency, for the customers of a plan."""

    _name = "prepaid.plan.renewal.price"
    _description = "Plan Renewal Price"
    _order = "plan_id, product_tmpl_id, period"

    plan_id = fields.Many2one("prepaid.plan", required=True, index=True, ondelete="cascade")
    product_tmpl_id = fields.Many2one(
        "product.template", "Product", required=True, ondelete="cascade", domain="[('prepaid_renewable', '=', True)]"
    )
    period = fields.Selection([("month", "Month"), ("year", "Year")], required=True, default="year")
    currency_id = fields.Many2one("res.currency", required=True, default=lambda self: self.env.company.currency_id)
    price = fields.Monetary(required=True)

    _sql_constraints = [
        ("price_uniq", "UNIQUE(plan_id, product_tmpl_id, period, currency_id)",
         "This plan already prices this product for this period and currency."),
    ]

    @api.constrains("price")
    def _check_price(self):
        for line in self:
            if line.price < 0:
                raise ValidationError(_("A renewal price cannot be negative."))
