# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    prepaid_l10n_it_office_code = fields.Char(
        string="PA office code",
        size=6,
        copy=False,
        help="The office code (Codice Univoco Ufficio) the public administration gave with its recharge.",
    )
    prepaid_l10n_it_send_error = fields.Text(
        string="SdI sending error",
        readonly=True,
        copy=False,
        help="Why the automatic sending of this recharge invoice to the SdI failed; the credit was granted.",
    )
