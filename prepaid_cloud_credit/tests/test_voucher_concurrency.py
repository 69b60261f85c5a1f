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
class TestVoucherLock(BaseCase):
    """Two real transactions activating the last use of one code.

    The data is committed (the other cursor must see it) and removed
    afterwards.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = cls._env_for(cr)
            company = env.ref("base.main_company")
            partners = env["res.partner"].create(
                [{"name": f"Voucher lock {i}", "is_company": True} for i in range(2)]
            )
            wallets = env["prepaid.wallet"].create([
                {"partner_id": partner.id, "company_id": company.id, "currency_id": company.currency_id.id}
                for partner in partners
            ])
            batch = env["prepaid.voucher.batch"].with_context(tracking_disable=True).create({
                "name": "Voucher lock", "company_id": company.id, "currency_id": company.currency_id.id,
                "amount": 10, "code_count": 1, "max_uses": 1, "max_uses_per_customer": 1,
            })
            batch.action_generate_codes()
            batch.action_activate()
            cls.partner_ids, cls.wallet_ids, cls.batch_id = partners.ids, wallets.ids, batch.id
            cls.code = batch.voucher_ids.code
        cls.addClassCleanup(cls._remove_data)

    @classmethod
    def _remove_data(cls):
        with cls.registry.cursor() as cr:
            wallets = tuple(cls.wallet_ids)
            cr.execute("DELETE FROM prepaid_voucher_redemption WHERE wallet_id IN %s", (wallets,))
            cr.execute("DELETE FROM prepaid_wallet_allocation WHERE wallet_id IN %s", (wallets,))
            cr.execute("UPDATE prepaid_credit_lot SET source_transaction_id = NULL WHERE wallet_id IN %s", (wallets,))
            cr.execute("DELETE FROM prepaid_wallet_transaction WHERE wallet_id IN %s", (wallets,))
            cr.execute("DELETE FROM prepaid_credit_lot WHERE wallet_id IN %s", (wallets,))
            cr.execute("DELETE FROM prepaid_wallet WHERE id IN %s", (wallets,))
            cr.execute("DELETE FROM prepaid_voucher WHERE batch_id = %s", (cls.batch_id,))
            cr.execute("DELETE FROM prepaid_voucher_batch WHERE id = %s", (cls.batch_id,))
            cr.execute("DELETE FROM res_partner WHERE id IN %s", (tuple(cls.partner_ids),))

    @classmethod
    def _env_for(cls, cr):
        # Environment() would look the registry up under the registry lock,
        # which the test runner holds while post-install tests run.
        cr.transaction = Transaction(cls.registry)
        return api.Environment(cr, api.SUPERUSER_ID, {})

    def _redeem_with_retry(self, wallet_id, results):
        """What Odoo's RPC layer does: replay the transaction on a serialization failure."""
        for attempt in range(50):
            try:
                with self.registry.cursor() as cr:
                    env = self._env_for(cr)
                    wallet = env["prepaid.wallet"].browse(wallet_id)
                    env["prepaid.voucher"]._redeem_code(self.code, wallet, ip="192.0.2.50")
                results.append(("ok", attempt, None))
                return
            except pg_errors.SerializationFailure:
                time.sleep(random.uniform(0.0, 0.05))
            except UserError as error:
                results.append(("refused", attempt, str(error)))
                return
        results.append(("gave up", 50, None))

    def test_parallel_activations_cannot_exceed_the_uses_of_a_code(self):
        """Test that a second activation waits for the code's lock, then is refused: the code had one use."""
        results = []
        with self.registry.cursor() as cr1:
            env1 = self._env_for(cr1)
            env1["prepaid.voucher"]._redeem_code(self.code, env1["prepaid.wallet"].browse(self.wallet_ids[0]))
            second = threading.Thread(target=self._redeem_with_retry, args=(self.wallet_ids[1], results))
            second.start()
            time.sleep(1.0)
            self.assertTrue(second.is_alive(), "the second activation must wait for the code's lock")
            # cr1 commits when the block ends and releases the lock.
        second.join(30)
        self.assertFalse(second.is_alive())
        self.assertEqual(len(results), 1)
        status, attempt, message = results[0]
        self.assertEqual(status, "refused")
        self.assertGreaterEqual(attempt, 1, "the waiting activation was replayed after the first committed")
        self.assertIn("already been used", message)
        with self.registry.cursor() as cr:
            env = self._env_for(cr)
            voucher = env["prepaid.voucher"].search([("code", "=", self.code)])
            self.assertEqual(voucher.use_count, 1)
            self.assertEqual(len(voucher.redemption_ids), 1)
            self.assertEqual(env["prepaid.wallet"].browse(self.wallet_ids[1]).balance, 0)
