# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo.tests import tagged

from odoo.addons.prepaid_cloud_credit.tests.concurrency import ConcurrencyCase


@tagged("post_install", "-at_install")
class TestPromoGrantRace(ConcurrencyCase):
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
        with cls.committed_env() as env:
            # Kept between runs (a company leaves too much behind to delete).
            company = env["res.company"].search([("name", "=", "Promo Race Test Company")], limit=1)
            company = company or env["res.company"].create({"name": "Promo Race Test Company"})
            company.prepaid_vat_policy = "consumption"
            partners = cls.track(env["res.partner"].create(
                [{"name": f"Promo race {i}", "is_company": True} for i in range(2)]
            ))
            wallets = cls.track(env["prepaid.wallet"].create([
                {"partner_id": partner.id, "company_id": company.id, "currency_id": company.currency_id.id,
                 "scope": "all"}
                for partner in partners
            ]))
            promo = cls.track(env["prepaid.promo.code"].create({
                "code": "RACE10", "company_id": company.id, "bonus_type": "percent", "bonus_percent": 10,
                "max_uses": 1, "max_uses_per_customer": 0,
            }))
            Recharge = env["prepaid.recharge"].with_company(company)
            recharges = Recharge.browse()
            for wallet in wallets:
                recharge = Recharge.create(Recharge._prepare_recharge_vals(wallet, 50, "online", promo_code="RACE10"))
                recharge.action_confirm()
                # Its payment fails: the use goes back, and the other recharge can take it.
                recharge._prepaid_payment_failed()
                recharges |= recharge
            assert recharges.mapped("promo_state") == ["released", "released"], recharges.mapped("promo_state")
            # The recharges reference the wallets' transactions: they go first.
            cls.track_first(recharges)
            cls.wallet_ids, cls.recharge_ids, cls.promo_id = wallets.ids, recharges.ids, promo.id

    def _pay(self, index):
        """What a posted advance payment does: credit the wallet, then the recharge is paid."""
        def work(env):
            wallet = env["prepaid.wallet"].browse(self.wallet_ids[index])
            recharge = env["prepaid.recharge"].browse(self.recharge_ids[index])
            tx = wallet._ledger_apply("credit", recharge.amount, f"promo-race:{recharge.id}", kind="paid")
            recharge._mark_paid(tx)
        return work

    def test_parallel_payments_grant_no_more_bonuses_than_the_code_allows(self):
        """Test that the second payment waits for the code's lock, then is paid without a bonus:
        one bonus lot, use_count 1."""
        results = []
        with self.committed_env() as first:
            self._pay(0)(first)
            second = self.start_thread(self.run_with_retry, self._pay(1), results)
            self.assertTrue(
                self.wait_for_waiters(1, "prepaid_promo_code"), "the second payment must wait for the code's lock"
            )
            # The first commits when the block ends and releases the lock.
        second.join(60)
        self.assertFalse(second.is_alive())
        self.assertEqual(len(results), 1)
        self.assertEqual(results[0][0], "ok", results)
        self.assertGreaterEqual(results[0][1], 1, "the waiting payment was replayed after the first committed")
        with self.committed_env() as env:
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
