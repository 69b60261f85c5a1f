# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from datetime import datetime

from freezegun import freeze_time

from odoo import Command

from odoo.addons.prepaid_cloud_credit.tests.common import PrepaidCommon

DAY = "2026-11-10"


class CloudCommon(PrepaidCommon):
    """Meters, a default rate card and helpers that date every change."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "UTC"
        cls.customer.email = "ops@acme.example.com"
        ref = cls.env.ref
        cls.cpu = ref("prepaid_cloud_credit_usage.meter_cpu")
        cls.ram = ref("prepaid_cloud_credit_usage.meter_ram")
        cls.disk = ref("prepaid_cloud_credit_usage.meter_disk")
        cls.panel = ref("prepaid_cloud_credit_usage.meter_addon_control_panel")
        cls.backup = ref("prepaid_cloud_credit_usage.meter_addon_backup")
        cls.traffic = ref("prepaid_cloud_credit_usage.meter_traffic")
        # Demo data may hold another default card: this company's is ours.
        cls.env["prepaid.cloud.rate.card"].search([("company_id", "=", cls.company.id)]).active = False
        cls.rate_card = cls.env["prepaid.cloud.rate.card"].create({
            "name": "Test prices",
            "company_id": cls.company.id,
            "currency_id": cls.currency.id,
            "is_default": True,
            "line_ids": [
                Command.create({"meter_id": cls.cpu.id, "price": 0.01}),
                Command.create({"meter_id": cls.ram.id, "price": 0.005}),
                Command.create({"meter_id": cls.disk.id, "price": 0.0001}),
                Command.create({"meter_id": cls.panel.id, "price": 0.02}),
                Command.create({"meter_id": cls.backup.id, "price": 0.003}),
                Command.create({"meter_id": cls.traffic.id, "price": 0.01}),
            ],
        })
        cls.Server = cls.env["prepaid.cloud.server"]
        cls.Statement = cls.env["prepaid.cloud.statement"].sudo()
        cls.Usage = cls.env["prepaid.cloud.usage"].sudo()
        cls.integration_user = cls.create_integration_user("cloud_bridge", "Platform bridge")

    def own_usage(self):
        """Return the usage records of this test's company: demo data holds others."""
        return self.Usage.search([("wallet_id.company_id", "=", self.company.id)])

    def make_server(self, at=f"{DAY} 00:00:00", wallet=None, ref=None, **vals):
        with freeze_time(at):
            return self.Server.create({
                "name": ref or "web-01",
                "ref": ref or "srv-1",
                "wallet_id": (wallet or self.wallet).id,
                "vcpu": 2,
                "ram_gb": 4,
                "disk_gb": 50,
                **vals,
            })

    def change(self, server, at, **vals):
        with freeze_time(at):
            server.write(vals)

    def rate(self, at="2026-11-11 01:00:00", batch_size=None):
        with freeze_time(at):
            return self.Statement._cron_rate_usage(batch_size=batch_size)

    def ingest(self, records, at="2026-11-11 00:30:00", user=None):
        with freeze_time(at):
            return self.env["prepaid.cloud.usage"].with_user(user or self.integration_user).ingest(records)

    def events(self, server):
        """Event types of a server, oldest first."""
        return self.env["prepaid.cloud.server.event"].search(
            [("server_id", "=", server.id)], order="date, id"
        ).mapped("event_type")

    def lines(self, statement):
        """{meter code: (hours, quantity, amount)} of one statement."""
        return {
            line.meter_id.code: (line.hours, line.quantity, line.amount)
            for line in statement.line_ids
        }

    def statement_of(self, day=DAY, wallet=None, sequence=0):
        return self.Statement.search([
            ("wallet_id", "=", (wallet or self.wallet).id), ("date", "=", day), ("sequence", "=", sequence),
        ])

    @staticmethod
    def hour(text):
        return datetime.fromisoformat(text)
