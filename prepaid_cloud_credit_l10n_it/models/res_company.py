# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    prepaid_l10n_it_auto_send = fields.Boolean(
        string="Send recharge invoices to the SdI",
        default=True,
        help="A recharge invoice is sent to the SdI as soon as it is posted, when its payment arrives.",
    )
