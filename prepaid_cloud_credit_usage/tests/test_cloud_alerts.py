# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .cloud_common import CloudCommon


@tagged("post_install", "-at_install")
class TestCloudAlerts(CloudCommon):

    def wallet_mails(self, subject):
        """The e-mails about the wallet whose subject holds ``subject``, oldest first."""
        return self.env["mail.mail"].sudo().search([
            ("model", "=", "prepaid.wallet"), ("res_id", "=", self.wallet.id), ("subject", "like", subject),
        ], order="id")

    def low_mails(self):
        return self.wallet_mails("is low")

    def runway_mails(self):
        return self.wallet_mails("lasts less than")

    def past_usage(self, days_ago, amount):
        """Record ``amount`` of cloud usage on each day that many ``days_ago``."""
        today = fields.Date.context_today(self.wallet)
        self.Statement.create([
            {"wallet_id": self.wallet.id, "date": today - timedelta(days=d), "amount_total": amount, "state": "free"}
            for d in days_ago
        ])

    def test_low_balance_alert_is_sent_once_per_crossing(self):
        """Test that one mail goes per crossing of the threshold, re-armed above it."""
        self.wallet.low_balance_threshold = 10
        self.credit(20)
        self.debit(12)
        mails = self.low_mails()
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.state, "outgoing")
        self.assertIn(self.customer, mails.recipient_ids)
        self.debit(1)
        self.assertEqual(len(self.low_mails()), 1, "no repeat while still low")
        self.credit(10)
        self.assertFalse(self.wallet.cloud_low_balance_alerted)
        self.debit(9)
        self.assertEqual(len(self.low_mails()), 2)

    def test_low_balance_alert_respects_the_customer_setting(self):
        """Test that no low-balance mail goes to a customer who turned it off."""
        self.wallet.low_balance_alert = False
        self.credit(20)
        self.debit(15)
        self.assertFalse(self.low_mails())

    def test_runway_alerts_at_seven_three_and_one_days(self):
        """Test that runway mails go at < 7, < 3 and < 1 days once each, re-armed by a recharge."""
        self.wallet.low_balance_alert = False
        self.past_usage(range(1, 8), 10)
        self.credit(100)   # 10 days
        self.assertFalse(self.runway_mails())
        self.debit(35)     # 6.5 days
        self.debit(1)      # 6.4 days
        self.assertEqual(len(self.runway_mails()), 1)
        self.debit(40)     # 2.4 days
        self.debit(20)     # 0.4 day
        mails = self.runway_mails()
        self.assertEqual(len(mails), 3)
        self.assertEqual(
            [m.subject.rsplit("than ", 1)[1] for m in mails], ["7 day(s)", "3 day(s)", "1 day(s)"]
        )
        self.credit(100)   # 10.4 days: re-armed
        self.assertEqual(self.wallet.cloud_runway_alert_days, 0)
        self.debit(40)     # 6.4 days
        self.assertEqual(len(self.runway_mails()), 4)

    def test_no_runway_alert_without_usage(self):
        """Test that a wallet with no usage in the last week gets no runway alert."""
        self.wallet.low_balance_alert = False
        self.credit(5)
        self.debit(4)
        self.assertFalse(self.runway_mails())

    def test_runway_divides_by_the_days_of_history(self):
        """Test that a wallet with two days of usage averages them over two days, not seven."""
        self.wallet.low_balance_alert = False
        self.past_usage((1, 2), 10)
        self.assertEqual(self.wallet._cloud_average_burn(), 10)
        self.credit(25)    # 2.5 days at 10 a day, not 8.75 days at 20 / 7
        mails = self.runway_mails()
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.subject.rsplit("than ", 1)[1], "3 day(s)")
        self.assertIn("2.5", mails.body_html)
        self.assertEqual(self.wallet._cloud_runway_level(), (3, 2.5))

    def test_runway_of_a_single_day_of_history_uses_that_day(self):
        """Test that the first day of usage is its own average and a week of history divides by seven."""
        self.wallet.low_balance_alert = False
        self.past_usage((1,), 14)
        self.assertEqual(self.wallet._cloud_average_burn(), 14)
        self.past_usage((30,), 99)
        self.assertEqual(self.wallet._cloud_average_burn(), 2, "a longer history: 14 over the last 7 days")
