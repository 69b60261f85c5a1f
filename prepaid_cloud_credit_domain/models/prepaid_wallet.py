# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class PrepaidWallet(models.Model):
    _inherit = "prepaid.wallet"

    domain_ids = fields.One2many("prepaid.domain", "wallet_id", string="Domains")
