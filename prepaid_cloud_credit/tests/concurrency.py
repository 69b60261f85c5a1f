# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The shared harness of the concurrency tests: real transactions on
separate cursors, ordered by database locks, never by sleeping.

A test case subclasses :class:`ConcurrencyCase`. What other cursors must see
is committed with :meth:`ConcurrencyCase.committed_env`, and every record
created there is registered with :meth:`ConcurrencyCase.track`, so the class
cleanup deletes it, with the ledger rows of the tracked wallets: the
database is left as it was found.

Cursors are ordered by locks: a *holder* cursor takes a lock and keeps it
while the others start; :meth:`ConcurrencyCase.wait_for_waiters` returns once
they wait for that lock in PostgreSQL (``pg_stat_activity``); the holder
then commits or rolls back. A statement that must not wait runs under a
``lock_timeout`` and fails with ``LockNotAvailable`` if it would.
"""

import threading
import time
from contextlib import contextmanager

from psycopg2 import errors as pg_errors

from odoo import api
from odoo.api import Transaction
from odoo.modules.registry import Registry
from odoo.tests import BaseCase
from odoo.tests.common import get_db_name
from odoo.tools import SQL

# Rows that reference a wallet, deleted before the wallets themselves (the
# lots' link to their first transaction is cleared first).
_LEDGER_TABLES = ("prepaid_wallet_allocation", "prepaid_wallet_transaction", "prepaid_credit_lot")


class ConcurrencyCase(BaseCase):
    """Base class of the tests where several committed transactions meet."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        # (table, ids) of the committed records, in creation order; those
        # that reference the ledger's rows are deleted before it.
        cls._tracked = []
        cls._tracked_first = []
        cls.addClassCleanup(cls._remove_tracked)

    @classmethod
    def env_for(cls, cr, uid=api.SUPERUSER_ID):
        """An environment on ``cr`` with a transaction of its own.

        ``Environment()`` alone would look the registry up under the
        registry lock, which the test runner holds while post-install tests run.
        """
        cr.transaction = Transaction(cls.registry)
        return api.Environment(cr, uid, {})

    @classmethod
    @contextmanager
    def committed_env(cls):
        """A new cursor whose work is committed when the block ends
        (rolled back if it raises)."""
        with cls.registry.cursor() as cr:
            yield cls.env_for(cr)

    @classmethod
    def track(cls, records):
        """Delete ``records`` (committed) when the test class ends; a
        wallet's lots, transactions and allocations go with it.

        :return: ``records``
        """
        cls._tracked.append((records._table, tuple(records.ids)))
        return records

    @classmethod
    def track_first(cls, records):
        """Like :meth:`track`, for records that reference the ledger's rows
        (a recharge paid by a credit, an order paid by a debit): they are
        deleted before the tracked wallets' ledger.

        :return: ``records``
        """
        cls._tracked_first.append((records._table, tuple(records.ids)))
        return records

    @classmethod
    def _remove_tracked(cls):
        with cls.registry.cursor() as cr:
            for table, ids in reversed(cls._tracked_first):
                if ids:
                    cr.execute(SQL("DELETE FROM %s WHERE id IN %s", SQL.identifier(table), ids))
            wallet_ids = tuple(
                wallet_id for table, ids in cls._tracked if table == "prepaid_wallet" for wallet_id in ids
            )
            if wallet_ids:
                cr.execute(SQL(
                    "UPDATE prepaid_credit_lot SET source_transaction_id = NULL WHERE wallet_id IN %s", wallet_ids
                ))
                for table in _LEDGER_TABLES:
                    cr.execute(SQL("DELETE FROM %s WHERE wallet_id IN %s", SQL.identifier(table), wallet_ids))
            for table, ids in reversed(cls._tracked):
                if ids:
                    cr.execute(SQL("DELETE FROM %s WHERE id IN %s", SQL.identifier(table), ids))
        cls._tracked = []
        cls._tracked_first = []

    def wait_for_waiters(self, count, query_fragment, timeout=60):
        """Wait until ``count`` transactions of this database wait for a lock
        in a statement containing ``query_fragment``.

        :return: True once they wait, False after ``timeout`` seconds
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.registry.cursor() as cr:
                cr.execute(
                    """
                    SELECT count(*) FROM pg_stat_activity
                     WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE %s
                    """,
                    [f"%{query_fragment}%"],
                )
                if cr.fetchone()[0] >= count:
                    return True
            # Polling the server's view of the waiters: not an ordering by time.
            time.sleep(0.02)
        return False

    def run_with_retry(self, work, results, attempts=50):
        """Run ``work(env)`` in a committed transaction, replayed on a
        serialization failure as Odoo's request layer does; append
        ``("ok", attempt, value)`` or ``("error", attempt, exception)``.
        """
        for attempt in range(attempts):
            try:
                with self.committed_env() as env:
                    value = work(env)
                results.append(("ok", attempt, value))
                return
            except pg_errors.SerializationFailure:
                continue
            except Exception as error:  # noqa: BLE001 - the test asserts on it
                results.append(("error", attempt, error))
                return
        results.append(("gave up", attempts, None))

    def start_thread(self, target, *args):
        """Start ``target(*args)`` in a thread; return the thread."""
        thread = threading.Thread(target=target, args=args)
        thread.start()
        return thread
