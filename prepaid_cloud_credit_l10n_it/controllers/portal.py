# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo.addons.prepaid_cloud_credit.controllers.portal import PrepaidPortal

from ..models.prepaid_pa_document_mixin import pa_form_values


class PrepaidPortalItaly(PrepaidPortal):

    def _prepaid_recharge_extra_values(self, wallet_sudo, kw):
        """Override of the core to carry the CIG, CUP and office code of a
        public administration from the form to the summary and the recharge."""
        values = super()._prepaid_recharge_extra_values(wallet_sudo, kw)
        values.update(pa_form_values(kw))
        return values
