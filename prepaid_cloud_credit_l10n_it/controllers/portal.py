# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo.addons.prepaid_cloud_credit.controllers.portal import PrepaidPortal
from odoo.addons.prepaid_cloud_credit.parsing import has_forbidden_characters

# The public administration fields of the recharge form.
PA_FIELDS = ("l10n_it_cig", "l10n_it_cup", "l10n_it_office_code")


class PrepaidPortalItaly(PrepaidPortal):

    def _prepaid_recharge_extra_values(self, wallet_sudo, kw):
        """Override of the core to carry the CIG, CUP and office code of a
        public administration from the form to the summary and the recharge."""
        values = super()._prepaid_recharge_extra_values(wallet_sudo, kw)
        for name in PA_FIELDS:
            value = kw.get(name)
            if not isinstance(value, str) or not value.strip():
                continue
            # Text that cannot be a code is kept as a placeholder, which the format check refuses.
            values[name] = "?" if has_forbidden_characters(value) else value.strip()[:64]
        return values
