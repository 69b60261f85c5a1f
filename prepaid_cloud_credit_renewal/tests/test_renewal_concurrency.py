# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.prepaid_cloud_credit.tests.concurrency import ConcurrencyCase


@tagged("post_install", "-at_install")
class TestRenewalPaidOnceInParallel(ConcurrencyCase):
    """Two requests pay the same credit order at the same time, in two
    transactions (a form sent twice by two browser tabs): one debit, one
    renewal.

    The data is committed (the other cursor must see it) and removed afterwards.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.committed_env() as env:
            company = env.company
            partner = cls.track(env["res.partner"].create({"name": "Renewal race", "is_company": True}))
            wallet = cls.track(env["prepaid.wallet"].create({
                "partner_id": partner.id, "company_id": company.id, "currency_id": company.currency_id.id,
                "scope": "all",
            }))
            wallet._ledger_apply("credit", 500, f"renewal-race:credit:{wallet.id}", kind="paid")
            product = env["product.product"].create({
                "name": "Race hosting", "type": "service", "prepaid_renewable": True,
                "prepaid_renewal_period": "year", "prepaid_renewal_price_year": 100.0, "taxes_id": False,
            })
            cls.track(product.product_tmpl_id)
            cls.track(product)
            expiry = fields.Date.today() + timedelta(days=5)
            service = cls.track(env["prepaid.renewal.service"].create({
                "name": "race.example.com", "partner_id": partner.id, "company_id": company.id,
                "currency_id": company.currency_id.id, "product_id": product.id, "period": "year",
                "start_date": expiry - timedelta(days=365), "expiry_date": expiry,
            }))
            # The order references the debit that pays it: it goes before the ledger.
            order = cls.track_first(env["prepaid.renewal.order"]._create_order(service, payment_method="credit"))
            cls.wallet_id, cls.service_id, cls.order_id, cls.expiry = wallet.id, service.id, order.id, expiry

    def _pay(self, results):
        def work(env):
            return env["prepaid.renewal.order"].browse(self.order_id)._pay_with_credit().id
        self.run_with_retry(work, results)

    def test_two_parallel_payments_of_one_order_debit_once(self):
        """Test that two transactions paying one credit order at once debit
        the wallet once and renew the service once; both return that debit."""
        results = []
        with self.committed_env() as holder:
            # Hold the order row: both payments queue up behind it, then race.
            holder.cr.execute("SELECT id FROM prepaid_renewal_order WHERE id = %s FOR UPDATE", [self.order_id])
            threads = [self.start_thread(self._pay, results) for _index in range(2)]
            self.assertTrue(self.wait_for_waiters(2, "prepaid_renewal_order"), results)
        for thread in threads:
            thread.join(60)
        self.assertEqual([status for status, _attempt, _value in results], ["ok", "ok"], results)
        self.assertEqual(len({value for _status, _attempt, value in results}), 1, "both see the one debit")
        with self.committed_env() as env:
            wallet = env["prepaid.wallet"].browse(self.wallet_id)
            debits = env["prepaid.wallet.transaction"].search(
                [("wallet_id", "=", wallet.id), ("movement_type", "=", "debit")])
            self.assertEqual(len(debits), 1)
            self.assertEqual(wallet.balance, 400)
            service = env["prepaid.renewal.service"].browse(self.service_id)
            self.assertEqual(service.expiry_date, self.expiry + relativedelta(years=1))
            self.assertEqual(env["prepaid.renewal.order"].browse(self.order_id).state, "paid")
