# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from psycopg2 import errors as pg_errors

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import SQL

from ..ledger_storage import lock_rows
from .concurrency import ConcurrencyCase


@tagged("post_install", "-at_install")
class TestWalletLock(ConcurrencyCase):
    """Real transactions on separate cursors: what the wallet lock guarantees.

    The data is committed (other cursors must see it) and removed afterwards.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.committed_env() as env:
            cls.company_id = env.ref("base.main_company").id

    def setUp(self):
        super().setUp()
        # Committed wallets of their own per test, with 100 of paid credit each.
        with self.committed_env() as env:
            company = env["res.company"].browse(self.company_id)
            partners = self.track(env["res.partner"].create([
                {"name": f"Lock {self._testMethodName} {i}", "is_company": True} for i in range(2)
            ]))
            wallets = self.track(env["prepaid.wallet"].create([{
                "partner_id": partner.id, "company_id": company.id,
                "currency_id": company.currency_id.id, "scope": "all",
            } for partner in partners]))
            for wallet in wallets:
                wallet._ledger_apply("credit", 100, f"lock:credit:{wallet.id}", kind="paid")
            self.wallet_id, self.other_wallet_id = wallets.ids

    def _debit(self, amount, key, purpose):
        def work(env):
            return env["prepaid.wallet"].browse(self.wallet_id)._ledger_apply(
                "debit", amount, key, purpose=purpose
            ).balance_after
        return work

    def test_second_debit_waits_for_the_lock_and_sees_the_first(self):
        """Test that a debit waits while another holds the wallet, then spends only what is left."""
        results = []
        with self.committed_env() as env1:
            env1["prepaid.wallet"].browse(self.wallet_id)._ledger_apply("debit", 70, "lock:first", purpose="purchase")
            second = self.start_thread(self.run_with_retry, self._debit(70, "lock:second", "purchase"), results)
            self.assertTrue(self.wait_for_waiters(1, "prepaid_wallet"), "the second debit must wait for the lock")
            self.assertEqual(results, [])
            # env1's cursor commits when the block ends and releases the lock.
        second.join(30)
        self.assertFalse(second.is_alive())
        self.assertEqual(len(results), 1)
        status, attempt, error = results[0]
        self.assertEqual(status, "error", "only 30 is left: the same credit must not be spent twice")
        self.assertIsInstance(error, UserError)
        self.assertGreaterEqual(attempt, 1, "the waiting debit was replayed after the first committed")
        self.assertIn("Insufficient credit", str(error))
        with self.committed_env() as env:
            wallet = env["prepaid.wallet"].browse(self.wallet_id)
            self.assertEqual(wallet.balance, 30)
            self.assertEqual(sum(wallet.lot_ids.mapped("remaining_amount")), 30)

    def test_insert_referencing_a_locked_wallet_proceeds(self):
        """Test that while a debit holds the wallet (FOR NO KEY UPDATE), a row
        referencing the wallet is inserted at once, and a second debit waits."""
        with self.registry.cursor() as holder, self.registry.cursor() as cr:
            self.env_for(holder)["prepaid.wallet"].browse(self.wallet_id)._ledger_apply(
                "debit", 10, "lock:holder", purpose="usage"
            )
            env = self.env_for(cr)
            cr.execute("SET LOCAL lock_timeout = '500ms'")
            # The foreign key check takes KEY SHARE on the wallet row: it does
            # not conflict with the debit's lock (it would with FOR UPDATE).
            cr.execute(SQL(
                """
                INSERT INTO prepaid_credit_lot (wallet_id, company_id, currency_id, kind, state,
                                                original_amount, remaining_amount)
                VALUES (%s, %s, %s, 'bonus', 'exhausted', 0, 0) RETURNING id
                """,
                self.wallet_id, self.company_id, env["res.company"].browse(self.company_id).currency_id.id,
            ))
            self.assertTrue(cr.fetchone()[0])
            with self.assertRaises(pg_errors.LockNotAvailable), cr.savepoint(flush=False):
                env["prepaid.wallet"].browse(self.wallet_id)._ledger_apply("debit", 5, "lock:waits", purpose="usage")
            cr.rollback()
            holder.rollback()

    def test_cursor_that_failed_on_the_lock_moves_money_afterwards(self):
        """Test that a debit refused by a lock timeout, caught by its caller,
        leaves the cursor able to debit once the lock is free."""
        with self.registry.cursor() as holder, self.registry.cursor() as cr:
            self.env_for(holder)["prepaid.wallet"].browse(self.wallet_id)._ledger_apply(
                "debit", 10, "lock:holder", purpose="usage"
            )
            wallet = self.env_for(cr)["prepaid.wallet"].browse(self.wallet_id)
            with self.assertRaises(pg_errors.LockNotAvailable), cr.savepoint():
                cr.execute("SET LOCAL lock_timeout = '200ms'")
                wallet._ledger_apply("debit", 5, "lock:waiting", purpose="usage")
            holder.rollback()
            tx = wallet._ledger_apply("debit", 5, "lock:waiting", purpose="usage")
            self.assertEqual(tx.balance_after, 95)
            self.assertEqual(wallet.balance, 95)
            cr.rollback()

    def test_parallel_debits_lose_nothing(self):
        """Test that eight threads debiting the same wallet end at the exact balance."""
        results = []
        with self.committed_env() as holder:
            # Every debit is under way, waiting for the wallet, before the first runs.
            lock_rows(holder["prepaid.wallet"].browse(self.wallet_id))
            threads = [
                self.start_thread(self.run_with_retry, self._debit(1, f"lock:par:{i}", "usage"), results)
                for i in range(8)
            ]
            self.assertTrue(self.wait_for_waiters(8, "prepaid_wallet"))
        for thread in threads:
            thread.join(60)
        self.assertEqual([r[0] for r in results], ["ok"] * 8)
        with self.committed_env() as env:
            wallet = env["prepaid.wallet"].browse(self.wallet_id)
            self.assertEqual(wallet.balance, 92)
            last = env["prepaid.wallet.transaction"].search(
                [("wallet_id", "=", self.wallet_id)], limit=1, order="id desc"
            )
            self.assertEqual(last.balance_after, 92)
            self.assertEqual(sorted(r[2] for r in results), list(range(92, 100)))

    def test_crossing_batches_do_not_deadlock(self):
        """Test that two batches naming the same two wallets in opposite
        orders, started together, both complete: the wallets are locked in id order."""
        results = []

        def batch(first, second, tag):
            def work(env):
                return env["prepaid.wallet"].ledger_batch([
                    {"key": f"cross:{tag}:1", "wallet_id": first, "type": "debit", "amount": "3"},
                    {"key": f"cross:{tag}:2", "wallet_id": second, "type": "debit", "amount": "4"},
                ])
            return work

        with self.committed_env() as holder:
            # Both batches start while a third transaction holds the first
            # wallet, so that they run at the same time.
            lock_rows(holder["prepaid.wallet"].browse(min(self.wallet_id, self.other_wallet_id)))
            threads = [
                self.start_thread(self.run_with_retry, batch(self.wallet_id, self.other_wallet_id, "a"), results),
                self.start_thread(self.run_with_retry, batch(self.other_wallet_id, self.wallet_id, "b"), results),
            ]
            self.assertTrue(self.wait_for_waiters(2, "prepaid_wallet"))
        for thread in threads:
            thread.join(60)
        self.assertEqual([r[0] for r in results], ["ok", "ok"], results)
        self.assertEqual([m["status"] for r in results for m in r[2]], ["done"] * 4)
        with self.committed_env() as env:
            wallets = env["prepaid.wallet"].browse([self.wallet_id, self.other_wallet_id])
            self.assertEqual(wallets.mapped("balance"), [93, 93])
