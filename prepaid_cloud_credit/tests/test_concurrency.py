# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import random
import threading
import time

from psycopg2 import errors as pg_errors

from odoo import api
from odoo.api import Transaction
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name


@tagged("post_install", "-at_install")
class TestWalletLock(BaseCase):
    """Two real transactions on two cursors: what the wallet lock guarantees.

    The data is committed (other cursors must see it) in a company of its own
    and removed afterwards.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            # Kept between runs (a company leaves too much behind to delete):
            # a rerun on the same database takes it again.
            company = env["res.company"].search([("name", "=", "Lock Test Company")], limit=1)
            cls.company_id = (company or env["res.company"].create({"name": "Lock Test Company"})).id
        cls.wallet_ids, cls.partner_ids = [], []
        cls.addClassCleanup(cls._remove_data)

    def setUp(self):
        super().setUp()
        # A committed wallet of its own per test, with 100 of paid credit.
        with self.registry.cursor() as cr:
            env = self._env_for(cr)
            partner = env["res.partner"].create({"name": f"Lock {self._testMethodName}", "is_company": True})
            company = env["res.company"].browse(self.company_id)
            wallet = env["prepaid.wallet"].create({
                "partner_id": partner.id, "company_id": company.id,
                "currency_id": company.currency_id.id, "scope": "all",
            })
            wallet._ledger_apply("credit", 100, f"lock:credit:{wallet.id}", kind="paid")
            self.wallet_ids.append(wallet.id)
            self.partner_ids.append(partner.id)
            self.wallet_id = wallet.id

    @classmethod
    def _remove_data(cls):
        with cls.registry.cursor() as cr:
            ids = tuple(cls.wallet_ids) or (0,)
            cr.execute("DELETE FROM prepaid_wallet_allocation WHERE wallet_id IN %s", (ids,))
            cr.execute("UPDATE prepaid_credit_lot SET source_transaction_id = NULL WHERE wallet_id IN %s", (ids,))
            cr.execute("DELETE FROM prepaid_wallet_transaction WHERE wallet_id IN %s", (ids,))
            cr.execute("DELETE FROM prepaid_credit_lot WHERE wallet_id IN %s", (ids,))
            cr.execute("DELETE FROM prepaid_wallet WHERE id IN %s", (ids,))
            cr.execute("DELETE FROM res_partner WHERE id IN %s", (tuple(cls.partner_ids) or (0,),))

    def _env_for(self, cr):
        # Environment() would look the registry up under the registry lock,
        # which the test runner holds while post-install tests run.
        cr.transaction = Transaction(self.registry)
        return api.Environment(cr, api.SUPERUSER_ID, {})

    def _debit_with_retry(self, amount, key, purpose, results):
        """What Odoo's RPC layer does: replay the transaction on a serialization failure."""
        for attempt in range(50):
            try:
                with self.registry.cursor() as cr:
                    env = self._env_for(cr)
                    wallet = env["prepaid.wallet"].browse(self.wallet_id)
                    tx = wallet._ledger_apply("debit", amount, key, purpose=purpose)
                    results.append(("ok", attempt, tx.balance_after))
                return
            except pg_errors.SerializationFailure:
                time.sleep(random.uniform(0.0, 0.05))
                continue
            except UserError as error:
                results.append(("refused", attempt, str(error)))
                return
        results.append(("gave up", 50, None))

    def test_second_debit_waits_for_the_lock_and_sees_the_first(self):
        """Test that a debit waits while another holds the wallet, then spends only what is left."""
        results = []
        with self.registry.cursor() as cr1:
            env1 = self._env_for(cr1)
            wallet1 = env1["prepaid.wallet"].browse(self.wallet_id)
            wallet1._ledger_apply("debit", 70, "lock:first", purpose="purchase")
            second = threading.Thread(
                target=self._debit_with_retry, args=(70, "lock:second", "purchase", results)
            )
            second.start()
            time.sleep(1.0)
            self.assertTrue(second.is_alive(), "the second debit must wait for the wallet lock")
            self.assertEqual(results, [])
            # cr1 commits when the block ends and releases the lock.
        second.join(30)
        self.assertFalse(second.is_alive())
        self.assertEqual(len(results), 1)
        status, attempt, message = results[0]
        self.assertEqual(status, "refused", "only 30 is left: the same credit must not be spent twice")
        self.assertGreaterEqual(attempt, 1, "the waiting debit was replayed after the first committed")
        self.assertIn("Insufficient credit", message)
        with self.registry.cursor() as cr:
            env = self._env_for(cr)
            wallet = env["prepaid.wallet"].browse(self.wallet_id)
            self.assertEqual(wallet.balance, 30)
            self.assertEqual(sum(wallet.lot_ids.mapped("remaining_amount")), 30)

    def test_cursor_that_failed_on_the_lock_moves_money_afterwards(self):
        """Test that a debit refused by a lock timeout, caught by its caller,
        leaves the cursor able to debit once the lock is free."""
        with self.registry.cursor() as holder, self.registry.cursor() as cr:
            wallet_holder = self._env_for(holder)["prepaid.wallet"].browse(self.wallet_id)
            wallet_holder._ledger_apply("debit", 10, "lock:holder", purpose="usage")
            env = self._env_for(cr)
            wallet = env["prepaid.wallet"].browse(self.wallet_id)
            with self.assertRaises(pg_errors.LockNotAvailable), cr.savepoint():
                # The first statement of this cursor: it is prepared in the
                # same round trip that then fails on the lock.
                cr.execute("SET LOCAL lock_timeout = '200ms'")
                wallet._ledger_apply("debit", 5, "lock:waiting", purpose="usage")
            holder.rollback()
            tx = wallet._ledger_apply("debit", 5, "lock:waiting", purpose="usage")
            self.assertEqual(tx.balance_after, 95)
            self.assertEqual(wallet.balance, 95)
            cr.rollback()

    def test_parallel_debits_lose_nothing(self):
        """Test that four threads debiting the same wallet end at the exact balance."""
        results = []
        threads = [
            threading.Thread(target=self._debit_with_retry, args=(1, f"lock:par:{i}", "usage", results))
            for i in range(8)
        ]
        with self.registry.cursor() as cr:
            env = self._env_for(cr)
            before = env["prepaid.wallet"].browse(self.wallet_id).balance
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertEqual([r[0] for r in results], ["ok"] * 8)
        with self.registry.cursor() as cr:
            env = self._env_for(cr)
            wallet = env["prepaid.wallet"].browse(self.wallet_id)
            self.assertEqual(wallet.balance, before - 8)
            last = env["prepaid.wallet.transaction"].search(
                [("wallet_id", "=", self.wallet_id)], limit=1, order="id desc"
            )
            self.assertEqual(last.balance_after, before - 8)
