# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class PrepaidPlatformClient(models.Model):
    """A customer account of a hosting platform, joined to its partner and wallet.

    Written by ``res.partner.platform_upsert_clients`` only: the platform is
    the source of its clients. ``payload`` keeps the record as the platform
    last sent it, so that a resent record is recognised as unchanged and a
    reconciliation can compare both sides.
    """

    _name = "prepaid.platform.client"
    _description = "Hosting Platform Client"
    _order = "platform_code, platform_id"
    _rec_name = "partner_id"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    platform_code = fields.Char(required=True, readonly=True, help="The platform installation, e.g. whmcs.")
    platform_id = fields.Integer("Platform client id", required=True, readonly=True)
    partner_id = fields.Many2one("res.partner", required=True, index=True, ondelete="restrict", readonly=True)
    wallet_id = fields.Many2one("prepaid.wallet", required=True, index=True, ondelete="restrict", readonly=True,
                                check_company=True)
    payload = fields.Json(readonly=True)
    status = fields.Char(compute="_compute_status")

    _sql_constraints = [
        ("platform_id_uniq", "UNIQUE(company_id, platform_code, platform_id)",
         "A platform client is linked once per company."),
        ("partner_uniq", "UNIQUE(company_id, platform_code, partner_id)",
         "A customer is one client of a platform."),
    ]

    def _compute_status(self):
        for link in self:
            link.status = (link.payload or {}).get("status") or ""
