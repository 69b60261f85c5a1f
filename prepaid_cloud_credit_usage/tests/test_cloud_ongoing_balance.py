# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .cloud_common import DAY, CloudCommon


@tagged("post_install", "-at_install")
class TestCloudOngoingBalance(CloudCommon):
    """The hourly provisional rating: usage measured but not charged yet
    lowers the ongoing balance, which suspension and alerts look at."""

    # One hour of the test server (2 vCPU, 4 GB RAM, 50 GB disk):
    # 0.02 of CPU, 0.02 of RAM and 0.005 of disk.

    def setUp(self):
        super().setUp()
        self.company.prepaid_suspension_grace_hours = 0
        self.wallet.low_balance_alert = False

    def hourly(self, at):
        with freeze_time(at):
            self.env["prepaid.wallet"]._cron_cloud_balance_policy()

    def commands(self, action):
        return self.env["prepaid.cloud.command"].search([("action", "=", action), ("wallet_id", "=", self.wallet.id)])

    def test_hourly_rating_prices_the_usage_not_charged_yet(self):
        """Test that the hours since the last charge lower the ongoing balance, not the balance."""
        self.credit(100)
        self.make_server()
        self.hourly(f"{DAY} 10:30:00")
        # Hours 0 to 10: 22 core-hours 0.22, 44 GB-hours of RAM 0.22, 550 GB-hours of disk 0.06.
        self.assertEqual(self.wallet.cloud_unbilled_amount, 0.50)
        self.assertEqual(str(self.wallet.cloud_unbilled_date), f"{DAY} 10:30:00")
        self.assertEqual(self.wallet.cloud_ongoing_balance, 99.50)
        self.assertEqual(self.wallet.balance, 100)
        self.assertFalse(self.Tx.search([("wallet_id", "=", self.wallet.id), ("movement_type", "=", "debit")]))
        self.assertFalse(self.Usage.search([("wallet_id", "=", self.wallet.id)]), "nothing written but the amount")

    def test_daily_charge_replaces_the_provisional_amount_without_a_jump(self):
        """Test that the day's charge equals its provisional price and leaves only the new day's hours."""
        self.credit(100)
        self.make_server()
        self.hourly(f"{DAY} 23:30:00")
        self.assertEqual(self.wallet.cloud_unbilled_amount, 1.08)
        self.assertEqual(self.wallet.cloud_ongoing_balance, 98.92)
        self.rate(at="2026-11-11 01:00:00")
        self.assertEqual(self.statement_of().amount_total, 1.08)
        self.assertEqual(self.wallet.balance, 98.92)
        # Hour 00:00 of the new day: 0.02 + 0.02 + 0.01.
        self.assertEqual(self.wallet.cloud_unbilled_amount, 0.05)
        self.assertEqual(self.wallet.cloud_ongoing_balance, 98.87)

    def test_pushed_samples_count_and_win_over_the_history(self):
        """Test that samples not rated yet are priced, a sample replacing the derived hour of its meter."""
        self.credit(100)
        self.make_server()
        self.ingest([
            ["srv-1", "traffic_gb", f"{DAY} 03:00:00", 150],
            ["srv-1", "cpu_core_hour", f"{DAY} 03:00:00", 1.5],
        ], at=f"{DAY} 05:00:00")
        self.hourly(f"{DAY} 05:30:00")
        # CPU 5 x 2 + 1.5 = 11.5 core-hours 0.12, RAM 0.12, disk 0.03, traffic 150 GB 1.50.
        self.assertEqual(self.wallet.cloud_unbilled_amount, 1.77)

    def test_servers_are_suspended_within_the_hour_the_ongoing_balance_reaches_zero(self):
        """Test that with no grace the hourly run suspends the servers once the ongoing balance is at zero,
        a day before the daily charge would show it."""
        self.credit(0.30)
        server = self.make_server()
        self.hourly(f"{DAY} 05:30:00")
        self.assertEqual(self.wallet.cloud_ongoing_balance, 0.03)
        self.assertEqual(server.state, "active")
        self.hourly(f"{DAY} 06:30:00")
        self.assertEqual(self.wallet.cloud_ongoing_balance, -0.02)
        self.assertEqual(self.wallet.balance, 0.30)
        self.assertEqual(server.state, "suspended")
        self.assertTrue(self.wallet.cloud_suspended)
        self.assertEqual(self.commands("suspend").mapped("state"), ["pending"])
        self.assertIn("ongoing balance -0.02", self.commands("suspend").reason)

    def test_server_added_to_a_suspended_wallet_is_suspended_within_the_hour(self):
        """Test that a server created for a wallet whose servers are suspended does not run for free."""
        self.credit(0.30)
        server = self.make_server()
        self.hourly(f"{DAY} 06:30:00")
        self.assertEqual(server.state, "suspended")
        added = self.make_server(at=f"{DAY} 06:40:00", ref="srv-2")
        self.assertEqual(added.state, "active")
        self.hourly(f"{DAY} 07:30:00")
        self.assertEqual(added.state, "suspended")
        self.assertEqual(self.commands("suspend").server_id, server | added)

    def test_grace_counts_from_the_hour_the_ongoing_balance_reached_the_floor(self):
        """Test that a grace of 2 hours suspends two hours after the ongoing balance reached the floor."""
        self.company.prepaid_suspension_grace_hours = 2
        self.credit(0.30)
        server = self.make_server()
        self.hourly(f"{DAY} 06:30:00")
        self.assertEqual(str(self.wallet.cloud_below_floor_since), f"{DAY} 06:30:00")
        self.hourly(f"{DAY} 07:30:00")
        self.assertEqual(server.state, "active")
        self.hourly(f"{DAY} 08:30:00")
        self.assertEqual(server.state, "suspended")

    def test_recharge_above_the_ongoing_usage_reactivates_at_once(self):
        """Test that a credit lifting the ongoing balance above the floor reactivates the servers, and
        one that covers the balance but not the usage does not."""
        self.credit(0.30)
        server = self.make_server()
        self.hourly(f"{DAY} 06:30:00")
        self.assertEqual(server.state, "suspended")
        with freeze_time(f"{DAY} 06:40:00"):
            self.credit(0.01)
        self.assertEqual(server.state, "suspended", "ongoing balance -0.01")
        with freeze_time(f"{DAY} 06:45:00"):
            self.credit(10)
        self.assertEqual(server.state, "active")
        self.assertEqual(self.commands("unsuspend").mapped("state"), ["pending"])

    def test_low_balance_alert_follows_the_ongoing_balance(self):
        """Test that the hourly run mails the low-balance alert once the ongoing balance reaches the
        threshold, while the balance is still above it."""
        self.wallet.write({"low_balance_alert": True, "low_balance_threshold": 10})
        self.credit(10.40)
        self.make_server()
        mails = self.env["mail.mail"].sudo().search
        domain = [("model", "=", "prepaid.wallet"), ("res_id", "=", self.wallet.id), ("subject", "like", "is low")]
        self.hourly(f"{DAY} 02:30:00")
        self.assertFalse(mails(domain))
        self.hourly(f"{DAY} 10:30:00")
        self.assertEqual(self.wallet.balance, 10.40)
        mail = mails(domain)
        self.assertEqual(len(mail), 1)
        self.assertIn("9.90", mail.body_html)
        self.hourly(f"{DAY} 11:30:00")
        self.assertEqual(len(mails(domain)), 1, "once per crossing")

    def test_terminated_and_absurd_usage_do_not_count(self):
        """Test that hours after a termination and records refused by the rating are left out."""
        self.credit(100)
        server = self.make_server()
        self.change(server, f"{DAY} 06:00:00", state="terminated")
        self.Usage.create({
            "server_id": server.id, "meter_id": self.traffic.id, "wallet_id": self.wallet.id,
            "hour": f"{DAY} 02:00:00", "quantity": 1e300, "source": "metered",
        })
        self.hourly(f"{DAY} 10:30:00")
        # Six hours: 0.12 + 0.12 + 0.03.
        self.assertEqual(self.wallet.cloud_unbilled_amount, 0.27)
        self.assertFalse(self.wallet.cloud_suspended)

    def test_each_wallet_is_priced_with_its_own_card_and_currency(self):
        """Test that a wallet in another currency is priced with its card in that currency."""
        euro = self.env.ref("base.EUR")
        euro.active = True
        partner = self.env["res.partner"].create({"name": "Euro Cloud", "is_company": True})
        wallet = self.env["prepaid.wallet"].sudo().create({
            "partner_id": partner.id, "company_id": self.company.id, "currency_id": euro.id,
        })
        card = self.rate_card.copy({"name": "Euro prices", "currency_id": euro.id, "is_default": False})
        for line in card.line_ids:
            line.price *= 2
        wallet.cloud_rate_card_id = card
        self.credit(100, wallet=wallet)
        self.credit(100)
        self.make_server(wallet=wallet, ref="srv-eur")
        self.make_server()
        self.hourly(f"{DAY} 10:30:00")
        self.assertEqual(self.wallet.cloud_unbilled_amount, 0.50)
        # 0.44 + 0.44 + 0.11: the disk rounds on its own line.
        self.assertEqual(wallet.cloud_unbilled_amount, 0.99)
        self.assertEqual(wallet.cloud_ongoing_balance, 99.01)

    def test_hourly_rating_runs_the_same_queries_for_one_wallet_or_many(self):
        """Test that the provisional rating is set-based: ten times the wallets and servers, no more queries."""
        Statement = self.env["prepaid.cloud.statement"].sudo()
        self.credit(100)
        self.make_server()
        with freeze_time(f"{DAY} 09:30:00"):
            # Warms the caches that outlive a transaction (groups, rules).
            Statement._cloud_rate_provisional(self.company)
        with freeze_time(f"{DAY} 10:30:00"):
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            Statement._cloud_rate_provisional(self.company)
            single = self.env.cr.sql_log_count - start
        wallets = self.wallet
        for i in range(10):
            partner = self.env["res.partner"].create({"name": f"Fleet {i}", "is_company": True})
            wallet = self.env["prepaid.wallet"].sudo().create({
                "partner_id": partner.id, "company_id": self.company.id, "currency_id": self.currency.id,
            })
            wallets |= wallet
            self.make_server(wallet=wallet, ref=f"fleet-{i}-a")
            self.make_server(wallet=wallet, ref=f"fleet-{i}-b")
        with freeze_time(f"{DAY} 11:30:00"):
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            Statement._cloud_rate_provisional(self.company)
            many = self.env.cr.sql_log_count - start
        self.assertLessEqual(many, single)
        self.assertEqual(set(wallets[1:].mapped("cloud_unbilled_amount")), {1.08})

    def test_usage_not_charged_yet_is_never_typed_in(self):
        """Test that nobody writes the provisional amount: it decides suspensions."""
        with self.assertRaisesRegex(UserError, "cannot be typed in"):
            self.wallet.write({"cloud_unbilled_amount": -1000})
        with self.assertRaisesRegex(UserError, "cannot be typed in"):
            self.wallet.write({"cloud_unbilled_date": "2026-11-10 00:00:00"})

    def test_operator_finds_wallets_by_ongoing_balance(self):
        """Test that the ongoing balance can be searched, as the 'at or below zero' filter does."""
        self.credit(0.30)
        self.make_server()
        partner = self.env["res.partner"].create({"name": "Rich Cloud", "is_company": True})
        rich = self.env["prepaid.wallet"].sudo().create({
            "partner_id": partner.id, "company_id": self.company.id, "currency_id": self.currency.id,
        })
        self.credit(50, wallet=rich)
        self.hourly(f"{DAY} 06:30:00")
        domain = [("id", "in", (self.wallet | rich).ids)]
        Wallet = self.env["prepaid.wallet"]
        self.assertEqual(Wallet.search(domain + [("cloud_ongoing_balance", "<=", 0)]), self.wallet)
        self.assertEqual(Wallet.search(domain + [("cloud_ongoing_balance", ">", 10)]), rich)
        with self.assertRaises(UserError):
            Wallet.search([("cloud_ongoing_balance", "=", "abc")])

    def test_manager_sees_the_ongoing_balance_in_the_wallet_views(self):
        """Test that the wallet form, list and search views carry the ongoing balance and the rating error."""
        Wallet = self.env["prepaid.wallet"].with_user(self.env.user)
        for view_type, names in (
            ("form", ("cloud_ongoing_balance", "cloud_unbilled_amount", "cloud_rating_error")),
            ("list", ("cloud_ongoing_balance",)),
        ):
            arch = Wallet.get_view(view_type=view_type)["arch"]
            for name in names:
                self.assertIn(f'name="{name}"', arch, view_type)
        search = Wallet.get_view(view_type="search")["arch"]
        self.assertIn('name="cloud_ongoing_exhausted"', search)
        self.assertIn('name="cloud_rating_failed"', search)
