# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import api, fields, models


class PrepaidRenewalOrderLine(models.Model):
    """One service renewed for some periods, or the handling fee of a bank transfer."""

    _name = "prepaid.renewal.order.line"
    _description = "Renewal Order Line"
    _order = "order_id, sequence, id"

    order_id = fields.Many2one("prepaid.renewal.order", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    currency_id = fields.Many2one(related="order_id.currency_id", store=True)
    service_id = fields.Many2one("prepaid.renewal.service", index="btree_not_null", ondelete="restrict")
    product_id = fields.Many2one("product.product", required=True, ondelete="restrict")
    name = fields.Char("Description", required=True)
    period = fields.Selection([("month", "Month"), ("year", "Year")])
    quantity = fields.Integer("Periods", default=1, required=True)
    from_expiry_date = fields.Date(help="The expiry the renewal extends: it applies only while the service has it.")
    to_expiry_date = fields.Date("New expiry")
    price_unit = fields.Monetary("Unit price", required=True)
    tax_ids = fields.Many2many("account.tax", string="Taxes")
    price_subtotal = fields.Monetary("Net", compute="_compute_amounts", store=True)
    price_tax = fields.Monetary("VAT", compute="_compute_amounts", store=True)
    price_total = fields.Monetary("Total", compute="_compute_amounts", store=True)
    is_fee = fields.Boolean(readonly=True)

    _sql_constraints = [
        ("quantity_positive", "CHECK(quantity > 0)", "A renewal lasts at least one period."),
    ]

    @api.depends("price_unit", "quantity", "tax_ids", "order_id.partner_id")
    def _compute_amounts(self):
        for line in self:
            result = line.tax_ids.compute_all(
                line.price_unit, currency=line.currency_id, quantity=line.quantity,
                product=line.product_id, partner=line.order_id.partner_id,
            )
            line.price_subtotal = result["total_excluded"]
            line.price_total = result["total_included"]
            line.price_tax = result["total_included"] - result["total_excluded"]
