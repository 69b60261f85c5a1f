# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class PrepaidPlanEntry(models.Model):
    """The price of a plan in one currency.

    A line per currency rather than one amount converted at the rate of the
    day: a plan is sold at round prices chosen per market (50 EUR, 5,000 RUB),
    and its price must not drift with the exchange rate.
    """

    _name = "prepaid.plan.entry"
    _description = "Prepaid Plan Price"
    _order = "plan_id, currency_id"

    plan_id = fields.Many2one("prepaid.plan", required=True, ondelete="cascade", index=True)
    currency_id = fields.Many2one("res.currency", required=True)
    amount = fields.Monetary(
        "Entry amount", required=True, help="Plan price, net of VAT, credited in full as paid credit."
    )

    _sql_constraints = [
        ("plan_currency_uniq", "UNIQUE(plan_id, currency_id)", "A plan has one price per currency."),
        ("amount_positive", "CHECK(amount > 0)", "The price of a plan must be greater than zero."),
    ]
