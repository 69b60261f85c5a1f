# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import models

from .account_tax import MEMO


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _l10n_it_edi_get_values(self):
        # EXTENDS 'l10n_it_edi': asked five times per invoice (sender, seller,
        # buyer, representative, document type), each time looking up the
        # EU countries; remembered per partner while files are built.
        memo = self.env.cr.cache.get(MEMO)
        if memo is None or len(self) != 1:
            return super()._l10n_it_edi_get_values()
        partners = memo.setdefault("partner_values", {})
        if self.id not in partners:
            partners[self.id] = super()._l10n_it_edi_get_values()
        return dict(partners[self.id])
