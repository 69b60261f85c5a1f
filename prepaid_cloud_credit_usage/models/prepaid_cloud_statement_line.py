# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class PrepaidCloudStatementLine(models.Model):
    """The usage of one server and meter in a statement, and its price.

    Written in bulk by the rating (``INSERT ... SELECT ... GROUP BY``), never
    by hand.
    """

    _name = "prepaid.cloud.statement.line"
    _description = "Cloud Usage Statement Line"
    _order = "statement_id, server_id, meter_id"

    statement_id = fields.Many2one(
        "prepaid.cloud.statement", required=True, index=True, ondelete="cascade", readonly=True
    )
    date = fields.Date(related="statement_id.date", store=True)
    wallet_id = fields.Many2one(related="statement_id.wallet_id", store=True)
    partner_id = fields.Many2one(related="statement_id.partner_id", store=True, index=True, string="Customer")
    company_id = fields.Many2one(related="statement_id.company_id", store=True)
    currency_id = fields.Many2one(related="statement_id.currency_id", store=True)
    server_id = fields.Many2one("prepaid.cloud.server", required=True, readonly=True, index=True)
    meter_id = fields.Many2one("prepaid.cloud.meter", required=True, readonly=True)
    hours = fields.Integer(readonly=True, help="Hours with usage of this meter.")
    quantity = fields.Float(readonly=True, help="Sum of the hourly quantities (unit-hours).")
    unit_price = fields.Float("Price per unit-hour", digits=(16, 6), readonly=True)
    amount = fields.Monetary(readonly=True)
