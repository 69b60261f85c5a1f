# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import random
import threading
import time
import unittest

from psycopg2 import errors as pg_errors

from odoo import api
from odoo.api import Transaction
from odoo.exceptions import ValidationError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

from odoo.addons.prepaid_cloud_credit.tests.concurrency import ConcurrencyCase

from .common import RenewalCommon


@tagged("post_install", "-at_install")
class TestTopup(RenewalCommon):

    def rule(self, **vals):
        return self.env["prepaid.topup.rule"].create({
            "wallet_id": self.wallet.id, "trigger": "threshold", "threshold": 50, "mode": "fixed",
            "amount": 100, "payment_token_id": self.token().id, **vals,
        })

    def test_crossing_the_threshold_tops_up_once(self):
        """Test that the debit crossing the threshold requests one top-up, that
        the debits below it request none, and that the cron charges the card
        and credits the wallet."""
        rule = self.rule()
        self.credit(80)
        self.debit(20)
        self.assertFalse(rule.request_ids)
        self.debit(20)
        self.debit(10)
        self.assertEqual(len(rule.request_ids), 1)
        self.env["prepaid.topup.request"]._cron_process()
        self.assertEqual(rule.request_ids.state, "done")
        self.assertEqual(rule.request_ids.recharge_id.state, "paid")
        self.assertEqual(self.wallet.balance, 130)
        self.assertLedgerConsistent()

    def test_batch_crossing_the_threshold_tops_up_once_on_the_crossing_debit(self):
        """Test that the debits of an integration's batch, written together,
        request one top-up, keyed on the debit that crossed the threshold,
        and that the same batch sent again requests none more."""
        rule = self.rule()
        self.credit(80)
        movements = [
            {"key": f"topup-batch:{index}", "wallet_id": self.wallet.id, "type": "debit", "amount": "15"}
            for index in range(4)
        ]
        results = self.env["prepaid.wallet"].sudo().ledger_batch(movements)
        self.assertEqual([result["balance"] for result in results], ["65.00", "50.00", "35.00", "20.00"])
        # 80 -> 65 -> 50 stays at the threshold; 50 -> 35 crosses it.
        self.assertEqual(rule.request_ids.key, f"tx:{results[2]['transaction_id']}")
        self.env["prepaid.wallet"].sudo().ledger_batch(movements)
        self.assertEqual(len(rule.request_ids), 1)

    def test_target_mode_and_daily_limit(self):
        """Test that a top-up to a target adds the difference, cut by the daily limit."""
        rule = self.rule(mode="target", amount=0, target_amount=200, daily_limit=120)
        self.credit(60)
        self.debit(20)
        self.env["prepaid.topup.request"]._cron_process()
        self.assertEqual(rule.request_ids.amount, 120)
        self.assertEqual(self.wallet.balance, 160)

    def test_refused_card_pauses_the_rule_and_tells_the_customer(self):
        """Test that a failed top-up pauses the rule and e-mails the customer."""
        rule = self.rule(payment_token_id=self.token(state="error").id)
        self.credit(60)
        self.debit(20)
        self.env["prepaid.topup.request"]._cron_process()
        self.assertEqual(rule.state, "paused")
        self.assertEqual(rule.request_ids.state, "failed")
        self.assertEqual(self.wallet.balance, 40)
        self.assertTrue(self.env["mail.mail"].sudo().search([
            ("model", "=", "prepaid.topup.rule"), ("res_id", "=", rule.id)]))
        self.credit(100)
        self.debit(100)
        self.assertEqual(len(rule.request_ids), 1, "a paused rule requests nothing")

    def test_bad_rules_are_refused(self):
        """Test that negative amounts and another customer's card are refused."""
        with self.assertRaises(ValidationError):
            self.rule(amount=-5)
        with self.assertRaises(ValidationError):
            self.rule(payment_token_id=self.token(partner=self.other_customer).id)


@tagged("post_install", "-at_install")
class TestTopupConcurrency(BaseCase):
    """Four debits on four cursors cross the threshold together: one top-up.

    The data is committed (other cursors must see it) and removed afterwards.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            if not env.ref("payment_demo.payment_method_demo", raise_if_not_found=False):
                raise unittest.SkipTest("payment_demo is not installed")
            company = env["res.company"].search([("name", "=", "Top-up Lock Company")], limit=1)
            company = company or env["res.company"].create({"name": "Top-up Lock Company"})
            partner = env["res.partner"].create({"name": "Top-up Lock Customer", "is_company": True})
            wallet = env["prepaid.wallet"].create({
                "partner_id": partner.id, "company_id": company.id,
                "currency_id": company.currency_id.id, "scope": "all",
            })
            wallet._ledger_apply("credit", 100, f"topup-lock:credit:{wallet.id}", kind="paid")
            provider = env.ref("payment.payment_provider_demo")
            token = env["payment.token"].create({
                "provider_id": provider.id,
                "payment_method_id": env.ref("payment_demo.payment_method_demo").id,
                "partner_id": partner.id, "payment_details": "4242", "provider_ref": f"lock-{wallet.id}",
            })
            provider.allow_tokenization = True
            rule = env["prepaid.topup.rule"].with_company(company).create({
                "wallet_id": wallet.id, "threshold": 50, "mode": "fixed", "amount": 100,
                "payment_token_id": token.id,
            })
            cls.wallet_id, cls.partner_id, cls.rule_id, cls.token_id = wallet.id, partner.id, rule.id, token.id
        cls.addClassCleanup(cls._remove_data)

    @classmethod
    def _remove_data(cls):
        with cls.registry.cursor() as cr:
            ids = (cls.wallet_id,)
            cr.execute("DELETE FROM prepaid_topup_rule WHERE id = %s", (cls.rule_id,))
            cr.execute("DELETE FROM payment_token WHERE id = %s", (cls.token_id,))
            cr.execute("DELETE FROM prepaid_wallet_allocation WHERE wallet_id IN %s", (ids,))
            cr.execute("UPDATE prepaid_credit_lot SET source_transaction_id = NULL WHERE wallet_id IN %s", (ids,))
            cr.execute("DELETE FROM prepaid_wallet_transaction WHERE wallet_id IN %s", (ids,))
            cr.execute("DELETE FROM prepaid_credit_lot WHERE wallet_id IN %s", (ids,))
            cr.execute("DELETE FROM prepaid_wallet WHERE id IN %s", (ids,))
            cr.execute("DELETE FROM res_partner WHERE id = %s", (cls.partner_id,))

    def _env_for(self, cr):
        # Environment() would look the registry up under the registry lock,
        # which the test runner holds while post-install tests run.
        cr.transaction = Transaction(self.registry)
        return api.Environment(cr, api.SUPERUSER_ID, {})

    def _debit(self, key, results):
        """What Odoo's RPC layer does: replay the transaction on a serialization failure."""
        for _attempt in range(50):
            try:
                with self.registry.cursor() as cr:
                    env = self._env_for(cr)
                    tx = env["prepaid.wallet"].browse(self.wallet_id)._ledger_apply("debit", 15, key)
                    results.append(tx.balance_after)
                return
            except pg_errors.SerializationFailure:
                time.sleep(random.uniform(0.0, 0.05))
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                results.append(repr(error))
                return
        results.append(None)

    def test_four_parallel_debits_crossing_the_threshold_give_one_topup(self):
        """Test that four debits of 15 from 100, in parallel, cross the
        threshold of 50 once between them and request exactly one top-up."""
        results = []
        with self.registry.cursor() as holder:
            # Hold the wallet so that the four debits queue up behind it.
            holder.execute("SELECT id FROM prepaid_wallet WHERE id = %s FOR NO KEY UPDATE", (self.wallet_id,))
            threads = [threading.Thread(target=self._debit, args=(f"topup-lock:{self.wallet_id}:{i}", results))
                       for i in range(4)]
            for thread in threads:
                thread.start()
            # The four debits wait on the ledger's lock of the wallet row.
            self.assertTrue(ConcurrencyCase.wait_for_waiters(self, 4, "prepaid_wallet"), results)
        for thread in threads:
            thread.join(60)
        self.assertEqual(sorted(results), [40.0, 55.0, 70.0, 85.0])
        with self.registry.cursor() as cr:
            env = self._env_for(cr)
            requests = env["prepaid.topup.request"].search([("rule_id", "=", self.rule_id)])
            self.assertEqual(len(requests), 1)
