# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import api, models


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _is_it_edi_applicable(self, move):
        # EXTENDS 'l10n_it_edi': Odoo's proxy sends only for companies that
        # chose it; the others send by their own channel.
        return (
            move.company_id.l10n_it_fatturapa_channel == "proxy"
            and move.l10n_it_fatturapa_sdi_state in (False, "to_send")
            and super()._is_it_edi_applicable(move)
        )
