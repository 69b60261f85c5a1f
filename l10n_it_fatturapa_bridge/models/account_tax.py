# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import models

#: Key of the memo that lives in ``cr.cache`` while FatturaPA files are built.
MEMO = "l10n_it_fatturapa_memo"


class AccountTax(models.Model):
    _inherit = "account.tax"

    def _l10n_it_is_split_payment(self):
        # EXTENDS 'l10n_it': l10n_it_edi asks it for every line and tax, three
        # times, each answer searching the tax report; remembered while files
        # are built.
        memo = self.env.cr.cache.get(MEMO)
        if memo is None:
            return super()._l10n_it_is_split_payment()
        self.ensure_one()
        split = memo.setdefault("split_payment", {})
        if self.id not in split:
            split[self.id] = super()._l10n_it_is_split_payment()
        return split[self.id]
