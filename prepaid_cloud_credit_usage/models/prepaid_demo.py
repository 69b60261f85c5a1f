# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from datetime import timedelta

from odoo import api, fields, models


class PrepaidWallet(models.Model):
    _inherit = "prepaid.wallet"

    @api.model
    def _prepaid_load_cloud_demo(self):
        """Cloud servers for the demo customers, with a few days of history,
        rated and charged like every night."""
        ref = self.env.ref
        now = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        card = ref("prepaid_cloud_credit_usage.demo_rate_card")
        for currency in (ref("base.EUR"), ref("base.RUB")):
            factor = 100 if currency.name == "RUB" else 1
            card.copy({
                "name": f"Cloud list prices ({currency.name})",
                "currency_id": currency.id,
                "line_ids": [(0, 0, {"meter_id": line.meter_id.id, "price": line.price * factor}) for line in card.line_ids],
            })
        Server = self.env["prepaid.cloud.server"]
        company = self.env.company
        servers = [
            ("prepaid_cloud_credit.partner_demo_it", "EUR", "web-01.nuvola", "vm-1001", 2, 4, 80, ["meter_addon_control_panel"], 5),
            ("prepaid_cloud_credit.partner_demo_it", "EUR", "db-01.nuvola", "vm-1002", 4, 16, 200, ["meter_addon_backup"], 4),
            ("prepaid_cloud_credit.partner_demo_fr", "EUR", "app.serveursdulac", "vm-2001", 1, 2, 40, [], 3),
            ("prepaid_cloud_credit.partner_demo_ru", "RUB", "oblako-01", "vm-3001", 2, 4, 60, ["meter_addon_managed"], 3),
        ]
        for partner_xmlid, currency_code, name, platform_ref, vcpu, ram, disk, addons, days in servers:
            wallet = self.sudo()._get_or_create(ref(partner_xmlid), ref(f"base.{currency_code}"), company)
            created = now - timedelta(days=days)
            server = Server.with_context(prepaid_cloud_event_date=created).create({
                "name": name, "ref": platform_ref, "wallet_id": wallet.id,
                "vcpu": vcpu, "ram_gb": ram, "disk_gb": disk,
                "addon_meter_ids": [(6, 0, [ref(f"prepaid_cloud_credit_usage.{a}").id for a in addons])],
            })
            if name == "db-01.nuvola":
                # Resized two days ago at 14:00: the history bills each hour at its size.
                resized = (now - timedelta(days=2)).replace(hour=14)
                server.with_context(prepaid_cloud_event_date=resized).write({"vcpu": 8, "ram_gb": 32})
        self.env["prepaid.cloud.statement"]._cron_rate_usage()
