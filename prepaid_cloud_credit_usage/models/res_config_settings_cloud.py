# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    prepaid_suspension_floor = fields.Monetary(related="company_id.prepaid_suspension_floor", readonly=False)
    prepaid_suspension_grace_hours = fields.Integer(
        related="company_id.prepaid_suspension_grace_hours", readonly=False
    )
    prepaid_usage_max_age_days = fields.Integer(related="company_id.prepaid_usage_max_age_days", readonly=False)
