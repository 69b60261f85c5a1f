# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import itertools
import time

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

_keys = itertools.count()


class PrepaidCommon(AccountTestInvoicingCommon):
    """A company with its prepaid accounting and a customer with an empty wallet."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company._prepaid_setup_accounting()
        cls.env.user.groups_id += cls.env.ref("prepaid_cloud_credit.group_prepaid_manager")
        cls.currency = cls.company.currency_id
        cls.customer = cls.env["res.partner"].create({"name": "Acme Cloud", "is_company": True})
        cls.wallet = cls.env["prepaid.wallet"].sudo().create(
            {"partner_id": cls.customer.id, "company_id": cls.company.id, "currency_id": cls.currency.id, "scope": "all"}
        )
        cls.Tx = cls.env["prepaid.wallet.transaction"].sudo()

    @classmethod
    def key(cls, prefix="t"):
        return f"{prefix}:{next(_keys)}"

    def credit(self, amount, kind="paid", wallet=None, **kw):
        return (wallet or self.wallet)._ledger_apply("credit", amount, self.key("c"), kind=kind, **kw)

    def debit(self, amount, purpose="usage", wallet=None, **kw):
        return (wallet or self.wallet)._ledger_apply("debit", amount, self.key("d"), purpose=purpose, **kw)

    def ledger_snapshot(self, wallet=None):
        """Everything a movement could write, to prove that nothing was."""
        wallet = wallet or self.wallet
        wallet.invalidate_recordset()
        return (
            self.Tx.search_count([("wallet_id", "=", wallet.id)]),
            self.env["prepaid.credit.lot"].sudo().search_count([("wallet_id", "=", wallet.id)]),
            tuple(wallet.lot_ids.sorted("id").mapped("remaining_amount")),
            wallet.balance,
            wallet.debt_amount,
        )

    def assertLedgerConsistent(self, wallet=None):
        """Lots equal the sum of their allocations; the wallet equals its lots."""
        wallet = wallet or self.wallet
        wallet.invalidate_recordset()
        for lot in wallet.lot_ids:
            self.assertAlmostEqual(lot.remaining_amount, sum(lot.allocation_ids.mapped("amount")), places=2)
        open_lots = wallet.lot_ids.filtered(lambda lot: lot.state == "open")
        for kind in ("paid", "bonus", "voucher"):
            self.assertAlmostEqual(
                wallet[f"{kind}_amount"],
                sum(open_lots.filtered(lambda lot, k=kind: lot.kind == k).mapped("remaining_amount")),
                places=2,
            )
        debt_allocs = self.env["prepaid.wallet.allocation"].sudo().search(
            [("wallet_id", "=", wallet.id), ("kind", "=", "debt")]
        )
        self.assertAlmostEqual(wallet.debt_amount, -sum(debt_allocs.mapped("amount")), places=2)
        last = self.Tx.search([("wallet_id", "=", wallet.id)], order="id desc", limit=1)
        if last:
            self.assertAlmostEqual(wallet.balance, last.balance_after, places=2)


def wait_for_lock_waiters(registry, count, query_fragment, timeout=60):
    """Wait until ``count`` transactions of this database wait for a lock in a
    statement containing ``query_fragment``: what orders the cursors of a
    concurrency test (the holder commits once the others are queued), instead
    of sleeping and hoping.

    :return: True once they wait, False after ``timeout`` seconds
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with registry.cursor() as cr:
            cr.execute(
                """
                SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE %s
                """,
                [f"%{query_fragment}%"],
            )
            if cr.fetchone()[0] >= count:
                return True
        time.sleep(0.02)
    return False
