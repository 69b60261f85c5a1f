# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, models


class PrepaidWalletTransaction(models.Model):
    _inherit = "prepaid.wallet.transaction"

    @api.model
    def _selection_source_ref(self):
        """Override to let a domain operation cause a movement."""
        return super()._selection_source_ref() + [("prepaid.domain.operation", _("Domain operation"))]
