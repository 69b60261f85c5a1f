# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import threading
from unittest.mock import patch

from odoo import modules, sql_db
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.prepaid_cloud_credit.tests.concurrency import ConcurrencyCase


@tagged("post_install", "-at_install")
class TestVoucherLock(ConcurrencyCase):
    """Two real transactions activating the last use of one code.

    The data is committed (the other cursor must see it) and removed
    afterwards.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.committed_env() as env:
            company = env.ref("base.main_company")
            partners = cls.track(env["res.partner"].create(
                [{"name": f"Voucher lock {i}", "is_company": True} for i in range(2)]
            ))
            wallets = cls.track(env["prepaid.wallet"].create([
                {"partner_id": partner.id, "company_id": company.id, "currency_id": company.currency_id.id}
                for partner in partners
            ]))
            batch = cls.track(env["prepaid.voucher.batch"].with_context(tracking_disable=True).create({
                "name": "Voucher lock", "company_id": company.id, "currency_id": company.currency_id.id,
                "amount": 10, "code_count": 1, "max_uses": 1, "max_uses_per_customer": 1,
            }))
            batch.action_generate_codes()
            batch.action_activate()
            cls.track(batch.voucher_ids)
            cls.wallet_ids = wallets.ids
            cls.code = batch.voucher_ids.code
        # The redemptions reference the wallets: they go before them.
        cls.addClassCleanup(cls._remove_redemptions)

    @classmethod
    def _remove_redemptions(cls):
        with cls.registry.cursor() as cr:
            cr.execute("DELETE FROM prepaid_voucher_redemption WHERE wallet_id IN %s", (tuple(cls.wallet_ids),))

    def _redeem(self, wallet_id):
        def work(env):
            env["prepaid.voucher"]._redeem_code(self.code, env["prepaid.wallet"].browse(wallet_id), ip="192.0.2.50")
        return work

    def test_parallel_activations_cannot_exceed_the_uses_of_a_code(self):
        """Test that a second activation waits for the code's lock, then is refused: the code had one use."""
        results = []
        with self.committed_env() as env1:
            env1["prepaid.voucher"]._redeem_code(self.code, env1["prepaid.wallet"].browse(self.wallet_ids[0]))
            second = self.start_thread(self.run_with_retry, self._redeem(self.wallet_ids[1]), results)
            # It waits for a lock the first holds (the code row or its throttle).
            self.assertTrue(self.wait_for_waiters(1, ""), "the second activation must wait")
            # env1's cursor commits when the block ends and releases the lock.
        second.join(30)
        self.assertFalse(second.is_alive())
        self.assertEqual(len(results), 1)
        status, attempt, error = results[0]
        self.assertEqual(status, "error")
        self.assertIsInstance(error, UserError)
        self.assertGreaterEqual(attempt, 1, "the waiting activation was replayed after the first committed")
        self.assertIn("already been used", str(error))
        with self.committed_env() as env:
            voucher = env["prepaid.voucher"].search([("code", "=", self.code)])
            self.assertEqual(voucher.use_count, 1)
            self.assertEqual(len(voucher.redemption_ids), 1)
            self.assertEqual(env["prepaid.wallet"].browse(self.wallet_ids[1]).balance, 0)


@tagged("post_install", "-at_install")
class TestCodeThrottleRace(ConcurrencyCase):
    """Thirty wrong codes sent at once by one user from one address, each in
    a transaction of its own, against a limit of five failures.

    The data is committed (the other cursors must see it) and removed
    afterwards.
    """

    IP = "192.0.2.130"
    GUESSES = 30

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.committed_env() as env:
            company = env.ref("base.main_company")
            partner = cls.track(env["res.partner"].create({"name": "Throttle race", "is_company": True}))
            wallet = cls.track(env["prepaid.wallet"].create(
                {"partner_id": partner.id, "company_id": company.id, "currency_id": company.currency_id.id}
            ))
            cls.wallet_id = wallet.id
            cls.user_id = env.ref("base.user_admin").id
        cls.addClassCleanup(cls._remove_attempts)

    @classmethod
    def _remove_attempts(cls):
        with cls.registry.cursor() as cr:
            cr.execute("DELETE FROM prepaid_voucher_attempt WHERE ip_address = %s", [cls.IP])

    def _guess(self, index, results):
        try:
            with self.committed_env() as env:
                env["prepaid.voucher"]._redeem_code(
                    f"PCC-ZZZZ-ZZZZ-{index:04d}", env["prepaid.wallet"].browse(self.wallet_id),
                    user=env["res.users"].browse(self.user_id), ip=self.IP,
                )
            results.append("accepted")
        except UserError as error:
            results.append(str(error))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results.append(f"crashed: {error!r}")

    def test_parallel_wrong_codes_are_checked_at_most_up_to_the_limit(self):
        """Test that of thirty wrong codes sent at once with a limit of five failures,
        five are checked and twenty-five refused by the throttle, whatever their order."""
        results = []
        threads = [threading.Thread(target=self._guess, args=(i, results)) for i in range(self.GUESSES)]
        # Each guess holds two connections (its request and its throttle): room for all of them.
        with patch.object(modules.module, "current_test", False), \
                patch.object(sql_db._Pool, "_maxconn", max(sql_db._Pool._maxconn, 2 * self.GUESSES + 16)):
            with self.committed_env() as env:
                # The throttle's locks of this user and address are taken first, so that
                # every guess is under way, waiting, before the first is checked.
                Attempt = env["prepaid.voucher.attempt"]
                Attempt._throttle_lock("voucher", Attempt._throttle_dimensions(
                    env["res.users"].browse(self.user_id), self.IP))
                for thread in threads:
                    thread.start()
                self.assertTrue(
                    self.wait_for_waiters(self.GUESSES, "pg_advisory_xact_lock"),
                    "every guess waits for the throttle",
                )
            for thread in threads:
                thread.join(120)
        # The pool keeps the connections it opened; the database server is shared: close the idle ones now.
        with patch.object(sql_db, "MAX_IDLE_TIMEOUT", 0), self.registry.cursor():
            pass
        self.assertEqual(len(results), self.GUESSES)
        self.assertFalse([r for r in results if r.startswith("crashed") or r == "accepted"], results)
        checked = [r for r in results if "does not exist" in r]
        blocked = [r for r in results if "Too many failed voucher attempts" in r]
        self.assertEqual((len(checked), len(blocked)), (5, 25))
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT reason, count(*) FROM prepaid_voucher_attempt WHERE ip_address = %s GROUP BY reason",
                [self.IP],
            )
            self.assertEqual(dict(cr.fetchall()), {"unknown": 5, "blocked": 25})
