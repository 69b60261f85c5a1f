# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    prepaid_renewal_expiring_days = fields.Integer(related="company_id.prepaid_renewal_expiring_days", readonly=False)
    prepaid_renewal_auto_days = fields.Integer(related="company_id.prepaid_renewal_auto_days", readonly=False)
    prepaid_renewal_reminder_days = fields.Char(related="company_id.prepaid_renewal_reminder_days", readonly=False)
    prepaid_renewal_transfer_fee = fields.Monetary(related="company_id.prepaid_renewal_transfer_fee", readonly=False)
    prepaid_renewal_fee_product_id = fields.Many2one(
        related="company_id.prepaid_renewal_fee_product_id", readonly=False
    )
