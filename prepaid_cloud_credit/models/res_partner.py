# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    prepaid_wallet_ids = fields.One2many("prepaid.wallet", "partner_id", string="Prepaid wallets")
    prepaid_wallet_count = fields.Integer(compute="_compute_prepaid_wallet_count")

    def _compute_prepaid_wallet_count(self):
        counts = dict(
            self.env["prepaid.wallet"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
            )
        ) if self.env["prepaid.wallet"].has_access("read") else {}
        for partner in self:
            partner.prepaid_wallet_count = counts.get(partner.commercial_partner_id, 0)

    def action_view_prepaid_wallets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prepaid_cloud_credit.prepaid_wallet_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action
