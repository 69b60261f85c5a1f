# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    prepaid_l10n_it_auto_send = fields.Boolean(related="company_id.prepaid_l10n_it_auto_send", readonly=False)
