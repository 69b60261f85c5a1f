# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    l10n_it_fatturapa_pkcs12 = fields.Binary(
        related="company_id.l10n_it_fatturapa_pkcs12",
        readonly=False,
        groups="account.group_account_manager",
    )
    l10n_it_fatturapa_pkcs12_name = fields.Char(
        related="company_id.l10n_it_fatturapa_pkcs12_name",
        readonly=False,
        groups="account.group_account_manager",
    )
    l10n_it_fatturapa_pkcs12_password = fields.Char(
        related="company_id.l10n_it_fatturapa_pkcs12_password",
        readonly=False,
        groups="account.group_account_manager",
    )
    l10n_it_fatturapa_sign = fields.Selection(
        related="company_id.l10n_it_fatturapa_sign",
        readonly=False,
    )

    def set_values(self):
        """Override of `base_setup` to refuse a signing certificate that
        cannot be opened with its password, when the settings are saved."""
        super().set_values()
        if self.env.user.has_group("account.group_account_manager") \
                and self.company_id.l10n_it_fatturapa_pkcs12:
            self.company_id._l10n_it_fatturapa_signer()
