# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo.exceptions import UserError
from odoo.tests import tagged

from .cloud_common import DAY, CloudCommon


@tagged("post_install", "-at_install")
class TestCloudUsage(CloudCommon):

    def setUp(self):
        super().setUp()
        # Credit enough that no suspension enters the servers' history.
        self.credit(100)

    def test_resize_at_14_bills_each_hour_at_its_configuration(self):
        """Test that a server resized at 14:00 pays 14 hours small and 10 hours large."""
        server = self.make_server()
        self.change(server, f"{DAY} 14:00:00", vcpu=4, ram_gb=8)
        self.rate()
        statement = self.statement_of()
        self.assertEqual(self.lines(statement), {
            "cpu_core_hour": (24, 14 * 2 + 10 * 4, 0.68),
            "ram_gb_hour": (24, 14 * 4 + 10 * 8, 0.68),
            "disk_gb_hour": (24, 24 * 50, 0.12),
        })
        self.assertEqual(statement.amount_total, 1.48)
        self.assertEqual(self.events(server), ["created", "resized"])

    def test_resize_inside_an_hour_bills_that_hour_at_the_larger_size(self):
        """Test that a partial hour counts in full at the highest configuration it had."""
        server = self.make_server()
        self.change(server, f"{DAY} 14:30:00", vcpu=4)
        self.rate()
        usage = self.Usage.search([("server_id", "=", server.id), ("meter_id", "=", self.cpu.id)])
        by_hour = {u.hour.hour: u.quantity for u in usage}
        self.assertEqual((by_hour[13], by_hour[14], by_hour[15]), (2, 4, 4))
        self.assertEqual(sum(by_hour.values()), 14 * 2 + 10 * 4)

    def test_addon_active_part_of_a_day_is_billed_for_its_hours(self):
        """Test that a control panel added at 09:00 and removed at 17:30 pays 9 hours."""
        server = self.make_server()
        self.change(server, f"{DAY} 09:00:00", addon_meter_ids=[(4, self.panel.id)])
        self.change(server, f"{DAY} 17:30:00", addon_meter_ids=[(3, self.panel.id)])
        self.rate()
        self.assertEqual(self.lines(self.statement_of())["addon_control_panel"], (9, 9, 0.18))
        self.assertEqual(self.events(server), ["created", "addons", "addons"])

    def test_stopped_server_pays_only_its_disk_until_started(self):
        """Test that a server stopped 10:00-15:00 pays 19 CPU hours but 24 disk hours."""
        server = self.make_server(addon_meter_ids=[(6, 0, [self.panel.id, self.backup.id])])
        self.change(server, f"{DAY} 10:00:00", state="stopped")
        self.change(server, f"{DAY} 15:00:00", state="active")
        self.rate()
        lines = self.lines(self.statement_of())
        self.assertEqual(lines["cpu_core_hour"][:2], (19, 38))
        self.assertEqual(lines["ram_gb_hour"][:2], (19, 76))
        self.assertEqual(lines["addon_control_panel"][:2], (19, 19))
        # Disk space and backups stay allocated while the server is stopped.
        self.assertEqual(lines["disk_gb_hour"][:2], (24, 1200))
        self.assertEqual(lines["addon_backup"][:2], (24, 24))
        self.assertEqual(self.events(server), ["created", "stopped", "started"])

    def test_terminated_server_is_billed_up_to_its_termination_only(self):
        """Test that a server terminated at 06:00 pays 6 hours and cannot change again."""
        server = self.make_server()
        self.change(server, f"{DAY} 06:00:00", state="terminated")
        self.rate()
        self.assertEqual(self.lines(self.statement_of())["cpu_core_hour"][:2], (6, 12))
        with self.assertRaisesRegex(UserError, "terminated server cannot change"):
            self.change(server, "2026-11-11 08:00:00", vcpu=8)

    def test_pushed_sample_wins_over_the_configuration_for_its_hour(self):
        """Test that a sample pushed before the rating replaces the derived hour."""
        server = self.make_server()
        self.ingest([{"server": server.ref, "meter": "cpu_core_hour", "hour": f"{DAY}T03:00:00Z", "quantity": 1.5}])
        self.rate()
        self.assertEqual(self.lines(self.statement_of())["cpu_core_hour"][:2], (24, 23 * 2 + 1.5))
        sample = self.Usage.search([("server_id", "=", server.id), ("hour", "=", self.hour(f"{DAY} 03:00:00")),
                                    ("meter_id", "=", self.cpu.id)])
        self.assertEqual(sample.source, "metered")

    def test_change_cannot_be_dated_before_billed_hours(self):
        """Test that a bridge cannot back-date a change into hours already derived."""
        server = self.make_server()
        self.rate()
        with self.assertRaisesRegex(UserError, "already billed"):
            server.with_context(prepaid_cloud_event_date=f"{DAY} 12:00:00").write({"vcpu": 8})
        self.assertEqual(server.vcpu, 2)
