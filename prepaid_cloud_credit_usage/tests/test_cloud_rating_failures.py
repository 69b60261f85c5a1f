# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..models.prepaid_cloud_statement import PrepaidCloudStatement
from .cloud_common import DAY, CloudCommon


@tagged("post_install", "-at_install")
class TestCloudRatingFailures(CloudCommon):
    """One wallet that cannot be rated never stops the others."""

    def setUp(self):
        super().setUp()
        partner = self.env["res.partner"].create({"name": "Beta Hosting", "is_company": True})
        self.other = self.env["prepaid.wallet"].sudo().create({
            "partner_id": partner.id, "company_id": self.company.id, "currency_id": self.currency.id,
        })
        self.credit(100)
        self.credit(100, wallet=self.other)
        self.server = self.make_server()
        self.other_server = self.make_server(wallet=self.other, ref="srv-beta")

    def store_unchecked(self, server, hour, quantity, meter=None):
        """A record stored without the ingestion's checks, as before they existed."""
        return self.Usage.create({
            "server_id": server.id, "meter_id": (meter or self.traffic).id, "wallet_id": server.wallet_id.id,
            "hour": hour, "quantity": quantity, "source": "metered",
        })

    def usage_debits(self, wallet):
        return self.Tx.search([("wallet_id", "=", wallet.id), ("purpose", "=", "usage")])

    def notes(self, wallet):
        return self.env["mail.message"].search([
            ("model", "=", "prepaid.wallet"), ("res_id", "=", wallet.id), ("body", "ilike", "could not be rated"),
        ])

    def test_absurd_record_stored_before_the_bounds_fails_its_wallet_only(self):
        """Test that a 1e300 record leaves its wallet unrated with the error shown, and the other wallet charged."""
        absurd = self.store_unchecked(self.server, f"{DAY} 10:00:00", 1e300)
        self.rate()
        self.assertEqual(len(self.usage_debits(self.other)), 1)
        self.assertEqual(self.other.balance, 98.92)
        self.assertFalse(self.usage_debits(self.wallet))
        self.assertFalse(self.Statement.search([("wallet_id", "=", self.wallet.id)]))
        self.assertFalse(absurd.statement_id)
        self.assertEqual(self.wallet.balance, 100)
        self.assertIn("srv-1, traffic_gb, 2026-11-10 10:00:00: 1e+300 is not between 0 and the maximum",
                      self.wallet.cloud_rating_error)
        self.assertEqual(str(self.wallet.cloud_rating_error_date), "2026-11-11 01:00:00")
        self.assertFalse(self.other.cloud_rating_error)
        self.assertEqual(len(self.notes(self.wallet)), 1)
        both = (self.wallet | self.other).ids
        self.assertEqual(
            self.env["prepaid.wallet"].search([("cloud_rating_error", "!=", False), ("id", "in", both)]), self.wallet
        )
        # The next run tries again, and records the same cause once.
        self.rate(at="2026-11-11 02:00:00")
        self.assertFalse(self.usage_debits(self.wallet))
        self.assertEqual(len(self.notes(self.wallet)), 1)
        # The operator discards the record: the next run charges the day once.
        absurd.with_user(self.env.user).action_discard()
        self.assertFalse(absurd.exists())
        self.rate(at="2026-11-11 03:00:00")
        self.rate(at="2026-11-11 04:00:00")
        debit = self.usage_debits(self.wallet)
        self.assertEqual(debit.mapped("idempotency_key"), [f"usage:{self.wallet.id}:{DAY}"])
        self.assertEqual(self.wallet.balance, 98.92)
        self.assertFalse(self.wallet.cloud_rating_error)
        self.assertEqual(len(self.usage_debits(self.other)), 1)
        self.assertLedgerConsistent()
        self.assertLedgerConsistent(self.other)

    def test_record_dated_before_its_server_fails_its_wallet_only(self):
        """Test that a record of 1900 stored unchecked is refused by the rating with its reason."""
        self.store_unchecked(self.server, "1900-01-01 00:00:00", 1)
        self.rate()
        self.assertFalse(self.usage_debits(self.wallet))
        self.assertIn("1900-01-01 00:00:00: before the server existed", self.wallet.cloud_rating_error)
        self.assertEqual(len(self.usage_debits(self.other)), 1)

    def test_debit_refused_by_the_ledger_is_recorded_on_the_wallet(self):
        """Test that a statement whose debit the ledger refuses leaves the wallet unrated with the ledger's reason."""
        self.rate_card.line_ids.filtered(lambda line: line.meter_id == self.traffic).price = 1000000
        self.ingest([["srv-1", "traffic_gb", f"{DAY} 08:00:00", 2000]])
        self.rate()
        self.assertIn("larger than the maximum of one movement", self.wallet.cloud_rating_error)
        self.assertFalse(self.Statement.search([("wallet_id", "=", self.wallet.id)]))
        self.assertEqual(len(self.usage_debits(self.other)), 1)

    def test_unexpected_error_of_one_wallet_does_not_stop_the_others(self):
        """Test that any exception rating one wallet is recorded, the others are charged, the next run
        charges every wallet-day once."""
        original = PrepaidCloudStatement._charge
        wallet_id = self.wallet.id

        def fail_for_one(statements):
            if wallet_id in statements.wallet_id.ids:
                raise RuntimeError("disk full")
            return original(statements)

        with patch.object(PrepaidCloudStatement, "_charge", autospec=True, side_effect=fail_for_one):
            self.rate()
        self.assertEqual(self.wallet.cloud_rating_error, "Unexpected error: RuntimeError: disk full")
        self.assertFalse(self.usage_debits(self.wallet))
        self.assertFalse(self.Usage.search([("wallet_id", "=", self.wallet.id), ("statement_id", "!=", False)]))
        self.assertEqual(len(self.usage_debits(self.other)), 1)
        self.rate(at="2026-11-11 02:00:00")
        for wallet in self.wallet | self.other:
            self.assertEqual(self.usage_debits(wallet).mapped("idempotency_key"), [f"usage:{wallet.id}:{DAY}"])
            self.assertEqual(wallet.balance, 98.92)
            self.assertLedgerConsistent(wallet)
        self.assertFalse(self.wallet.cloud_rating_error)

    def test_missing_rate_card_is_recorded_until_a_manager_rates_again(self):
        """Test that a wallet no card prices is flagged, and a manager rates it from its form once priced."""
        euro = self.env.ref("base.EUR")
        euro.active = True
        partner = self.env["res.partner"].create({"name": "Gamma Cloud", "is_company": True})
        wallet = self.env["prepaid.wallet"].sudo().create({
            "partner_id": partner.id, "company_id": self.company.id, "currency_id": euro.id,
        })
        self.credit(50, wallet=wallet)
        self.make_server(wallet=wallet, ref="srv-eur")
        self.rate()
        self.assertIn("No rate card prices the cloud usage", wallet.cloud_rating_error)
        self.assertIn("EUR", wallet.cloud_rating_error)
        self.assertEqual(len(self.usage_debits(self.other)), 1)
        clerk = self.env["res.users"].create({
            "name": "Clerk", "login": "clerk_rate_now",
            "groups_id": [Command.set([self.env.ref("base.group_user").id,
                                       self.env.ref("prepaid_cloud_credit.group_prepaid_user").id])],
        })
        with self.assertRaises(AccessError):
            wallet.with_user(clerk).action_cloud_rate_now()
        card = self.rate_card.copy({"name": "Euro prices", "currency_id": euro.id, "is_default": False})
        wallet.cloud_rate_card_id = card
        with freeze_time("2026-11-11 09:00:00"):
            wallet.action_cloud_rate_now()
        self.assertFalse(wallet.cloud_rating_error)
        self.assertEqual(self.usage_debits(wallet).mapped("idempotency_key"), [f"usage:{wallet.id}:{DAY}"])
        self.assertEqual(wallet.balance, 48.92)

    def test_wallet_without_usage_to_rate_needs_no_rate_card(self):
        """Test that a wallet whose servers were terminated before its rated hours is not flagged."""
        self.rate()
        self.change(self.server, "2026-11-11 00:00:00", state="terminated")
        self.wallet.cloud_rate_card_id = False
        self.rate_card.is_default = False
        self.rate(at="2026-11-12 01:00:00")
        self.assertFalse(self.wallet.cloud_rating_error)

    def test_only_managers_discard_and_only_records_not_rated(self):
        """Test that discarding is refused to a prepaid user and for a rated record, and noted on the wallet."""
        self.rate()
        rated = self.Usage.search([("wallet_id", "=", self.wallet.id)], limit=1)
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            rated.action_discard()
        self.assertTrue(rated.exists())
        late = self.ingest([["srv-1", "traffic_gb", f"{DAY} 20:00:00", 3]], at="2026-11-11 05:00:00")
        self.assertEqual(late["inserted"], 1)
        record = self.Usage.search([("statement_id", "=", False), ("wallet_id", "=", self.wallet.id)])
        clerk = self.env["res.users"].create({
            "name": "Clerk", "login": "clerk_discard",
            "groups_id": [Command.set([self.env.ref("base.group_user").id,
                                       self.env.ref("prepaid_cloud_credit.group_prepaid_user").id])],
        })
        with self.assertRaises(AccessError):
            record.with_user(clerk).action_discard()
        self.assertTrue(record.exists())
        record.action_discard()
        self.assertFalse(record.exists())
        note = self.env["mail.message"].search([
            ("model", "=", "prepaid.wallet"), ("res_id", "=", self.wallet.id), ("body", "ilike", "discarded"),
        ])
        self.assertIn("srv-1, traffic_gb, 2026-11-10 20:00:00: 3.0", note.body)
