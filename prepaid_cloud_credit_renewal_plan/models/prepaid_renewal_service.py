# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import models


class PrepaidRenewalService(models.Model):
    _inherit = "prepaid.renewal.service"

    def _get_renewal_price(self, period):
        """Override of the renewal engine: the price of the customer's plan,
        where the plan prices this product, period and currency."""
        self.ensure_one()
        # The customer's wallet and plan are read whoever prices the service (the portal, a cron).
        wallet = self.env["prepaid.wallet"].sudo().search([
            ("partner_id", "=", self.partner_id.id), ("company_id", "=", self.company_id.id),
            ("currency_id", "=", self.currency_id.id),
        ], limit=1)
        plan = wallet._get_pricing_plan() if wallet else wallet
        if plan:
            line = plan.renewal_price_ids.filtered(
                lambda p: p.product_tmpl_id == self.product_id.product_tmpl_id
                and p.period == period and p.currency_id == self.currency_id
            )[:1]
            if line:
                return self.currency_id.round(line.price)
        return super()._get_renewal_price(period)
