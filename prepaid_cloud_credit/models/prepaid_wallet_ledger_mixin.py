# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class PrepaidWalletLedgerMixin(models.AbstractModel):
    """A record of a wallet's ledger (a credit lot, a transaction): it stays
    with its wallet, whose customer, company and currency it keeps, stored for
    the searches, groupings and record rules of the ledger."""

    _name = "prepaid.wallet.ledger.mixin"
    _description = "Prepaid Wallet Ledger Record"
    _check_company_auto = True

    wallet_id = fields.Many2one(
        "prepaid.wallet", required=True, index=True, ondelete="restrict", readonly=True
    )
    partner_id = fields.Many2one(related="wallet_id.partner_id", store=True, index=True)
    company_id = fields.Many2one(related="wallet_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="wallet_id.currency_id", store=True)
