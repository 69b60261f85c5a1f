# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .cloud_common import CloudCommon


@tagged("post_install", "-at_install")
class TestCloudBalancePolicy(CloudCommon):

    def setUp(self):
        super().setUp()
        self.company.prepaid_suspension_grace_hours = 24
        self.credit(1)
        self.server = self.make_server()
        self.stopped = self.make_server(ref="srv-2")
        self.change(self.stopped, "2026-11-10 00:00:00", state="stopped")
        # 1.08 + 0.12 of disk for the stopped server: the balance goes to -0.20.
        self.rate()

    def policy(self, at):
        with freeze_time(at):
            self.env["prepaid.wallet"]._cron_cloud_balance_policy()

    def commands(self, action):
        return self.env["prepaid.cloud.command"].search([("action", "=", action)])

    def test_servers_are_suspended_once_the_grace_has_passed(self):
        """Test that the servers keep running during the grace and are suspended after it."""
        self.assertEqual(self.wallet.balance, -0.20)
        self.assertEqual(str(self.wallet.cloud_below_floor_since), "2026-11-11 01:00:00")
        self.policy("2026-11-12 00:30:00")
        self.assertEqual(self.server.state, "active")
        self.assertFalse(self.commands("suspend"))
        self.policy("2026-11-12 01:30:00")
        self.assertEqual((self.server.state, self.stopped.state), ("suspended", "suspended"))
        self.assertTrue(self.wallet.cloud_suspended)
        self.assertEqual(self.commands("suspend").server_id, self.server | self.stopped)
        self.assertEqual(set(self.commands("suspend").mapped("state")), {"pending"})
        self.assertEqual(self.events(self.server)[-1], "suspended")

    def test_recharge_above_the_floor_reactivates_the_servers(self):
        """Test that a credit lifting the balance above the floor restores each server's state."""
        self.policy("2026-11-12 01:30:00")
        with freeze_time("2026-11-12 09:00:00"):
            self.credit(0.10)
        self.assertEqual(self.server.state, "suspended", "still at or below the floor")
        with freeze_time("2026-11-12 10:00:00"):
            self.credit(20)
        self.assertEqual((self.server.state, self.stopped.state), ("active", "stopped"))
        self.assertFalse(self.wallet.cloud_suspended)
        self.assertFalse(self.wallet.cloud_below_floor_since)
        self.assertEqual(self.commands("unsuspend").server_id, self.server | self.stopped)
        self.assertEqual(self.events(self.server)[-2:], ["suspended", "unsuspended"])

    def test_customer_floor_and_grace_override_the_company(self):
        """Test that a wallet's own floor and grace decide instead of the company's."""
        with freeze_time("2026-11-11 02:00:00"):
            self.credit(10)
            self.wallet.write({"cloud_policy_custom": True, "cloud_suspension_floor": 20, "cloud_grace_hours": 2})
        self.policy("2026-11-11 03:30:00")
        self.assertEqual(self.server.state, "active")
        self.policy("2026-11-11 04:00:00")
        self.assertEqual(self.server.state, "suspended")

    def test_manager_never_suspend_override_holds_until_its_date(self):
        """Test that 'never suspend until' keeps the servers running up to that day."""
        with freeze_time("2026-11-11 02:00:00"):
            self.wallet.cloud_never_suspend_until = "2026-11-13"
        self.policy("2026-11-13 23:00:00")
        self.assertEqual(self.server.state, "active")
        self.policy("2026-11-14 00:30:00")
        self.assertEqual(self.server.state, "suspended")

    def test_manager_reactivation_gives_a_new_grace(self):
        """Test that a manager can reactivate suspended servers for a fresh grace period."""
        self.policy("2026-11-12 01:30:00")
        with freeze_time("2026-11-12 08:00:00"):
            self.wallet.action_cloud_reactivate()
        self.assertEqual(self.server.state, "active")
        self.policy("2026-11-13 07:00:00")
        self.assertEqual(self.server.state, "active")
        self.policy("2026-11-13 08:30:00")
        self.assertEqual(self.server.state, "suspended")

    def test_quick_recharge_cancels_the_suspension_not_yet_fetched(self):
        """Test that an unsuspend cancels a suspend the bridge has not fetched."""
        self.policy("2026-11-12 01:30:00")
        with freeze_time("2026-11-12 02:00:00"):
            self.credit(20)
        self.assertEqual(set(self.commands("suspend").mapped("state")), {"cancelled"})

    def test_bridge_fetches_and_acknowledges_commands(self):
        """Test that the integration user fetches pending commands once and acknowledges them."""
        self.policy("2026-11-12 01:30:00")
        Command = self.env["prepaid.cloud.command"].with_user(self.integration_user)
        fetched = Command.fetch_pending(10)
        self.assertEqual({c["server"] for c in fetched}, {"srv-1", "srv-2"})
        self.assertEqual({c["action"] for c in fetched}, {"suspend"})
        self.assertEqual(Command.fetch_pending(10), [])
        ids = [c["id"] for c in fetched]
        self.assertEqual(Command.acknowledge(ids), 2)
        self.assertEqual(Command.acknowledge(ids), 0)
        self.assertEqual(set(self.commands("suspend").mapped("state")), {"acknowledged"})
        with self.assertRaisesRegex(UserError, "another outcome"):
            Command.acknowledge(ids, False, "boom")
        with self.assertRaisesRegex(UserError, "Unknown commands: 999999"):
            Command.acknowledge([999999])

    def test_commands_are_refused_to_users_outside_the_integration_group(self):
        """Test that an internal user cannot fetch or acknowledge commands."""
        clerk = self.env["res.users"].create({
            "name": "Clerk", "login": "clerk_cmd",
            "groups_id": [(6, 0, [self.env.ref("base.group_user").id])],
        })
        with self.assertRaises(AccessError):
            self.env["prepaid.cloud.command"].with_user(clerk).fetch_pending(10)
        with self.assertRaises(AccessError):
            self.env["prepaid.cloud.command"].with_user(clerk).acknowledge([1])
