# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from unittest.mock import patch

from odoo.tests import tagged

from ..models.prepaid_cloud_statement import PrepaidCloudStatement
from .cloud_common import DAY, CloudCommon


@tagged("post_install", "-at_install")
class TestCloudBilling(CloudCommon):

    def usage_debits(self, wallet=None):
        return self.Tx.search([
            ("wallet_id", "=", (wallet or self.wallet).id), ("movement_type", "=", "debit"), ("purpose", "=", "usage"),
        ])

    def test_daily_run_charges_one_debit_per_wallet_day(self):
        """Test that the day is charged once, with its key, and a second run adds nothing."""
        self.credit(100)
        self.make_server()
        self.rate()
        self.rate(at="2026-11-11 13:00:00")
        statement = self.statement_of()
        debit = self.usage_debits()
        self.assertEqual(len(debit), 1)
        self.assertEqual(debit.idempotency_key, f"usage:{self.wallet.id}:{DAY}")
        # 48 core-hours at 0.01, 96 GB-hours of RAM at 0.005, 1,200 GB-hours of disk at 0.0001.
        self.assertEqual(debit.amount, -1.08)
        self.assertEqual(debit.source_ref, statement)
        self.assertEqual((statement.transaction_id, statement.state), (debit, "charged"))
        self.assertEqual(self.wallet.balance, 98.92)
        self.assertFalse(self.Usage.search([("statement_id", "=", False)]))
        self.assertLedgerConsistent()

    def test_day_boundaries_follow_the_company_time_zone(self):
        """Test that in Rome the day starts at 23:00 UTC the evening before."""
        self.company.partner_id.tz = "Europe/Rome"
        self.make_server(at="2026-11-09 23:00:00")
        self.rate(at="2026-11-10 23:30:00")
        statement = self.statement_of()
        self.assertEqual(self.lines(statement)["cpu_core_hour"][:2], (24, 48))
        self.assertEqual(self.Statement.search_count([("wallet_id", "=", self.wallet.id)]), 1)

    def test_usage_beyond_the_credit_becomes_debt(self):
        """Test that metered usage is always charged, into debt if needed."""
        self.credit(1)
        self.make_server()
        self.rate()
        self.assertEqual(self.wallet.balance, -0.08)
        self.assertEqual(self.wallet.debt_amount, 0.08)
        self.assertLedgerConsistent()

    def test_late_samples_are_charged_as_an_adjustment_on_the_next_run(self):
        """Test that records of a billed day go on an adjustment statement with its own key."""
        self.credit(100)
        server = self.make_server()
        self.rate()
        self.ingest(
            [{"server": server.ref, "meter": "traffic_gb", "hour": f"{DAY} 20:00:00", "quantity": 150}],
            at="2026-11-11 09:00:00",
        )
        self.rate(at="2026-11-12 01:00:00")
        adjustment = self.statement_of(sequence=1)
        self.assertTrue(adjustment.is_adjustment)
        self.assertEqual(self.lines(adjustment), {"traffic_gb": (1, 150, 1.5)})
        self.assertEqual(
            adjustment.transaction_id.idempotency_key, f"usage-adj:{self.wallet.id}:{DAY}:1"
        )
        self.assertEqual(len(self.usage_debits()), 3)  # the 10th, its adjustment, the 11th
        self.assertEqual(self.wallet.balance, round(100 - 1.08 - 1.5 - 1.08, 2))

    def test_usage_is_described_in_the_customers_language(self):
        """Test that the rating cron, run by an English-speaking user, describes
        an Italian customer's day and its late records in Italian, with the
        day written as Italians write dates."""
        self.activate_lang("it_IT")
        self.customer.lang = "it_IT"
        self.credit(100)
        server = self.make_server()
        self.Statement = self.Statement.with_context(lang="en_US")
        self.rate()
        self.ingest(
            [{"server": server.ref, "meter": "traffic_gb", "hour": f"{DAY} 20:00:00", "quantity": 150}],
            at="2026-11-11 09:00:00",
        )
        self.rate(at="2026-11-12 01:00:00")
        self.assertEqual(self.statement_of().transaction_id.name, "Utilizzo cloud del 10/11/2026")
        self.assertEqual(
            self.statement_of(sequence=1).transaction_id.name,
            "Utilizzo cloud del 10/11/2026, record tardivi (rettifica 1)",
        )

    def test_wallet_without_rate_card_is_left_unrated(self):
        """Test that usage with no price is kept for later instead of charged at zero."""
        self.rate_card.is_default = False
        server = self.make_server()
        self.ingest([{"server": server.ref, "meter": "traffic_gb", "hour": f"{DAY} 08:00:00", "quantity": 2}])
        self.rate()
        self.assertFalse(self.Statement.search([("wallet_id", "=", self.wallet.id)]))
        self.assertEqual(len(self.Usage.search([("statement_id", "=", False)])), 1)
        self.assertEqual(str(server.usage_derived_until), f"{DAY} 00:00:00", "hours left to derive")
        self.assertIn("No rate card prices the cloud usage of Acme Cloud (USD)", self.wallet.cloud_rating_error)
        self.rate_card.is_default = True
        self.rate(at="2026-11-11 02:00:00")
        self.assertEqual(self.statement_of().amount_total, 1.10)
        self.assertFalse(self.wallet.cloud_rating_error)

    def test_wallet_rate_card_overrides_the_company_default(self):
        """Test that a customer's own rate card prices its usage."""
        cheap = self.rate_card.copy({"name": "Cheap", "is_default": False})
        cheap.line_ids.filtered(lambda line: line.meter_id == self.cpu).price = 0.001
        self.wallet.cloud_rate_card_id = cheap
        self.make_server()
        self.rate()
        statement = self.statement_of()
        self.assertEqual(statement.rate_card_id, cheap)
        self.assertEqual(self.lines(statement)["cpu_core_hour"][2], 0.05)

    def test_run_interrupted_after_some_wallets_charges_each_wallet_day_once(self):
        """Test that a run crashing in its third batch, run again, charges every wallet-day once."""
        wallets = self.wallet
        for i in range(3):
            partner = self.env["res.partner"].create({"name": f"Customer {i}", "is_company": True})
            wallets |= self.env["prepaid.wallet"].sudo().create({
                "partner_id": partner.id, "company_id": self.company.id, "currency_id": self.currency.id,
            })
        for i, wallet in enumerate(wallets):
            self.credit(100, wallet=wallet)
            self.make_server(wallet=wallet, ref=f"srv-{i}")
        original = PrepaidCloudStatement._charge
        calls = []

        class Killed(BaseException):
            """The process ends (a signal): no error a cron could catch."""

        def crash_once(statements):
            calls.append(statements.wallet_id.id)
            if len(calls) == 3:
                raise Killed("killed")
            return original(statements)

        with patch.object(PrepaidCloudStatement, "_charge", autospec=True, side_effect=crash_once):
            # Not assertRaises: Odoo's takes back what the block wrote.
            with self.assertRaisesRegex(Killed, "killed"):
                self.rate(batch_size=1)
        charged = [w for w in wallets if self.usage_debits(w)]
        self.assertEqual(len(charged), 2)
        # The third batch left nothing behind: no statement, no marked usage.
        self.assertFalse(self.Statement.search([("wallet_id", "=", calls[2])]))
        self.assertFalse(self.Usage.search([("wallet_id", "=", calls[2]), ("statement_id", "!=", False)]))

        self.rate(batch_size=1, at="2026-11-11 01:05:00")
        for wallet in wallets:
            debits = self.usage_debits(wallet)
            self.assertEqual(len(debits), 1, wallet.display_name)
            self.assertEqual(debits.idempotency_key, f"usage:{wallet.id}:{DAY}")
            self.assertEqual(wallet.balance, 98.92)
            self.assertEqual(self.Statement.search_count([("wallet_id", "=", wallet.id)]), 1)
            self.assertLedgerConsistent(wallet)
