# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class PrepaidTierEntry(models.Model):
    """The price of a plan in one currency.

    A line per currency rather than one amount converted at the rate of the
    day: a plan is sold at round prices chosen per market (50 EUR, 5,000 RUB),
    and its price must not drift with the exchange rate.
    """

    _name = "prepaid.tier.entry"
    _description = "Prepaid Plan Price"
    _order = "tier_id, currency_id"

    tier_id = fields.Many2one("prepaid.tier", required=True, ondelete="cascade", index=True)
    currency_id = fields.Many2one("res.currency", required=True)
    amount = fields.Monetary(
        "Entry amount", required=True, help="Plan price, net of VAT, credited in full as paid credit."
    )

    _sql_constraints = [
        ("tier_currency_uniq", "UNIQUE(tier_id, currency_id)", "A plan has one price per currency."),
        ("amount_positive", "CHECK(amount > 0)", "The price of a plan must be greater than zero."),
    ]
