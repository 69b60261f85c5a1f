# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import random
import threading
import time

from psycopg2 import errors as pg_errors

from odoo import api
from odoo.api import Transaction
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

from odoo.addons.prepaid_cloud_credit.tests.common import wait_for_lock_waiters


@tagged("post_install", "-at_install")
class TestPromoGrantRace(BaseCase):
    """Two recharges that gave their use of a one-use promo code back (their
    first payments failed) are paid at the same time, in two transactions:
    the code allows one bonus, so one is granted.

    The data is committed (the other cursor must see it), in a company of its
    own under VAT at consumption (a paid recharge is an advance payment, no
    invoice), and removed afterwards.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = cls._env_for(cr)
            # Kept between runs (a company leaves too much behind to delete).
            company = env["res.company"].search([("name", "=", "Promo Race Test Company")], limit=1)
            company = company or env["res.company"].create({"name": "Promo Race Test Company"})
            company.prepaid_vat_policy = "consumption"
            partners = env["res.partner"].create(
                [{"name": f"Promo race {i}", "is_company": True} for i in range(2)]
            )
            wallets = env["prepaid.wallet"].create([
                {"partner_id": partner.id, "company_id": company.id, "currency_id": company.currency_id.id,
                 "scope": "all"}
                for partner in partners
            ])
            promo = env["prepaid.promo.code"].create({
                "code": "RACE10", "company_id": company.id, "bonus_type": "percent", "bonus_percent": 10,
                "max_uses": 1, "max_uses_per_customer": 0,
            })
            Recharge = env["prepaid.recharge"].with_company(company)
            recharges = Recharge.browse()
            for wallet in wallets:
                recharge = Recharge.create(Recharge._prepare_recharge_vals(wallet, 50, "online", promo_code="RACE10"))
                recharge.action_confirm()
                # Its payment fails: the use goes back, and the other recharge can take it.
                recharge._prepaid_payment_failed()
                recharges |= recharge
            assert recharges.mapped("promo_state") == ["released", "released"], recharges.mapped("promo_state")
            cls.partner_ids, cls.wallet_ids, cls.recharge_ids = partners.ids, wallets.ids, recharges.ids
            cls.promo_id = promo.id
        cls.addClassCleanup(cls._remove_data)

    @classmethod
    def _remove_data(cls):
        with cls.registry.cursor() as cr:
            wallets = tuple(cls.wallet_ids)
            cr.execute("DELETE FROM prepaid_recharge WHERE id IN %s", (tuple(cls.recharge_ids),))
            cr.execute("DELETE FROM prepaid_wallet_allocation WHERE wallet_id IN %s", (wallets,))
            cr.execute("UPDATE prepaid_credit_lot SET source_transaction_id = NULL WHERE wallet_id IN %s", (wallets,))
            cr.execute("DELETE FROM prepaid_wallet_transaction WHERE wallet_id IN %s", (wallets,))
            cr.execute("DELETE FROM prepaid_credit_lot WHERE wallet_id IN %s", (wallets,))
            cr.execute("DELETE FROM prepaid_wallet WHERE id IN %s", (wallets,))
            cr.execute("DELETE FROM prepaid_promo_code WHERE id = %s", (cls.promo_id,))
            cr.execute("DELETE FROM res_partner WHERE id IN %s", (tuple(cls.partner_ids),))

    @classmethod
    def _env_for(cls, cr):
        # Environment() would look the registry up under the registry lock,
        # which the test runner holds while post-install tests run.
        cr.transaction = Transaction(cls.registry)
        return api.Environment(cr, api.SUPERUSER_ID, {})

    @classmethod
    def _pay(cls, env, index):
        """What a posted advance payment does: credit the wallet, then the recharge is paid."""
        wallet = env["prepaid.wallet"].browse(cls.wallet_ids[index])
        recharge = env["prepaid.recharge"].browse(cls.recharge_ids[index])
        tx = wallet._ledger_apply("credit", recharge.amount, f"promo-race:{recharge.id}", kind="paid")
        recharge._mark_paid(tx)

    def _pay_with_retry(self, index, results):
        """What Odoo's RPC layer does: replay the transaction on a serialization failure."""
        for attempt in range(50):
            try:
                with self.registry.cursor() as cr:
                    self._pay(self._env_for(cr), index)
                results.append(("paid", attempt))
                return
            except pg_errors.SerializationFailure:
                time.sleep(random.uniform(0.0, 0.05))
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                results.append(("crashed", repr(error)))
                return
        results.append(("gave up", 50))

    def test_parallel_payments_grant_no_more_bonuses_than_the_code_allows(self):
        """Test that the second payment waits for the code's lock, then is paid without a bonus:
        one bonus lot, use_count 1."""
        results = []
        with self.registry.cursor() as first:
            self._pay(self._env_for(first), 0)
            second = threading.Thread(target=self._pay_with_retry, args=(1, results))
            second.start()
            self.assertTrue(
                wait_for_lock_waiters(self.registry, 1, "prepaid_promo_code"),
                "the second payment must wait for the code's lock",
            )
            # The first commits when the block ends and releases the lock.
        second.join(60)
        self.assertFalse(second.is_alive())
        self.assertEqual(len(results), 1)
        self.assertEqual(results[0][0], "paid", results)
        self.assertGreaterEqual(results[0][1], 1, "the waiting payment was replayed after the first committed")
        with self.registry.cursor() as cr:
            env = self._env_for(cr)
            recharges = env["prepaid.recharge"].browse(self.recharge_ids)
            self.assertEqual(recharges.mapped("state"), ["paid", "paid"])
            self.assertEqual(recharges.mapped("promo_state"), ["granted", "refused"])
            promo = env["prepaid.promo.code"].browse(self.promo_id)
            bonus_lots = env["prepaid.credit.lot"].search(
                [("wallet_id", "in", self.wallet_ids), ("kind", "=", "bonus")]
            )
            self.assertEqual(len(bonus_lots), 1)
            self.assertEqual((promo.use_count, promo.reserved_count), (1, 0))
            self.assertEqual(env["prepaid.wallet"].browse(self.wallet_ids[1]).paid_amount, 50)
