# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import models


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    def _load(self, template_code, company, install_demo):
        """Override of `account` to give a company its prepaid accounts with its chart."""
        result = super()._load(template_code, company, install_demo)
        company._prepaid_setup_accounting()
        return result
