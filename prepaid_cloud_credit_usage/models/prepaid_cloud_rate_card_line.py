# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class PrepaidCloudRateCardLine(models.Model):
    _name = "prepaid.cloud.rate.card.line"
    _description = "Cloud Rate Card Price"
    _order = "rate_card_id, meter_id"

    rate_card_id = fields.Many2one("prepaid.cloud.rate.card", required=True, ondelete="cascade", index=True)
    currency_id = fields.Many2one(related="rate_card_id.currency_id")
    meter_id = fields.Many2one("prepaid.cloud.meter", required=True, ondelete="restrict")
    unit = fields.Char(related="meter_id.unit")
    # Hourly prices are fractions of a cent (0.0042 per GB-hour): more digits
    # than the currency; the statement lines round to the currency.
    price = fields.Float("Price per unit-hour", digits=(16, 6), required=True)

    _sql_constraints = [
        ("meter_uniq", "UNIQUE(rate_card_id, meter_id)", "A rate card has one price per meter."),
    ]

    @api.constrains("price")
    def _check_price(self):
        for line in self:
            if line.price < 0:
                raise ValidationError(_("A price cannot be negative."))
