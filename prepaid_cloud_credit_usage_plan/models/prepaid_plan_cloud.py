# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class PrepaidPlan(models.Model):
    _inherit = "prepaid.plan"

    cloud_rate_card_ids = fields.Many2many(
        "prepaid.cloud.rate.card",
        string="Cloud rate cards",
        help="The cloud prices of this plan's customers: one card per company and currency.",
    )


class PrepaidWallet(models.Model):
    _inherit = "prepaid.wallet"

    def _get_cloud_rate_cards(self):
        """Override of the cloud pricing: a wallet's own card first, then its
        plan's card for the wallet's company and currency, then the default."""
        cards = super()._get_cloud_rate_cards()
        for wallet in self.filtered(lambda w: not w.cloud_rate_card_id):
            # sudo: pricing happens for any caller of the ledger, portal included.
            plan_card = wallet._get_pricing_plan().sudo().cloud_rate_card_ids.filtered(
                lambda card, w=wallet: card.active and card.company_id == w.company_id
                and card.currency_id == w.currency_id
            )[:1]
            if plan_card:
                cards[wallet.id] = plan_card.id
        return cards
