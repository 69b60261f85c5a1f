# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import SQL, float_compare, float_is_zero, float_round

from .. import ledger_storage
from ..ledger_storage import PREPARE_PARAM, LedgerStorage
from .common import PrepaidCommon


@tagged("post_install", "-at_install")
class TestLedger(PrepaidCommon):

    def test_debit_consumes_voucher_then_bonus_then_paid(self):
        """Test that the default order spends voucher, then bonus, then paid credit."""
        paid = self.credit(50, "paid").allocation_ids.lot_id
        bonus = self.credit(10, "bonus").allocation_ids.lot_id
        voucher = self.credit(5, "voucher").allocation_ids.lot_id
        tx = self.debit(12)
        self.assertEqual(
            [(a.lot_id, a.amount) for a in tx.allocation_ids],
            [(voucher, -5.0), (bonus, -7.0)],
        )
        self.assertEqual((voucher.remaining_amount, bonus.remaining_amount, paid.remaining_amount), (0, 3, 50))
        self.assertEqual(voucher.state, "exhausted")
        self.assertEqual(self.wallet.balance, 53)
        self.assertEqual(tx.amount, -12)
        self.assertEqual(tx.balance_after, 53)
        self.assertLedgerConsistent()

    def test_debit_reads_and_writes_in_two_statements(self):
        """Test that a debit is one locking read and one write, and that the
        records already in memory show its result without being reloaded."""
        lot = self.credit(100, "paid").allocation_ids.lot_id
        self.debit(1)  # the first movement of a cursor also prepares the statements
        # In memory before the debit: the lists the new rows belong to.
        known = (self.wallet.transaction_ids, lot.allocation_ids, self.wallet.balance, lot.remaining_amount)
        storage_execute = LedgerStorage.execute
        statements = []

        def execute(storage, shape, params, build):
            statements.append(shape)
            return storage_execute(storage, shape, params, build)

        # The ledger's two statements, and nothing else.
        with patch.object(LedgerStorage, "execute", execute), self.assertQueryCount(2):
            tx = self.debit(2.5)
        self.assertEqual(len(statements), 2)
        self.assertEqual(len(known[0]), 2)
        self.assertIn(tx, self.wallet.transaction_ids)
        self.assertEqual(self.wallet.transaction_ids - known[0], tx)
        self.assertEqual(lot.allocation_ids - known[1], tx.allocation_ids)
        self.assertEqual((self.wallet.balance, lot.remaining_amount), (96.5, 96.5))
        self.assertEqual((known[2], known[3]), (99.0, 99.0))
        self.assertEqual(tx.allocation_ids.amount, -2.5)
        self.assertLedgerConsistent()

    def test_debit_in_a_fresh_transaction_reads_nothing_after_the_lock(self):
        """Test that a debit with nothing of the wallet, its currency or its
        company in memory (a new XML-RPC call) is the lock and the write, and
        nothing else: the rules, and the features reacting to the new balance
        (the cloud balance policy, installed or not), work on what the lock read."""
        self.credit(100, "paid")
        self.debit(1)  # the first movement of a cursor also prepares the statements
        wallet_id = self.wallet.id
        self.env.flush_all()
        self.env.invalidate_all()
        # The ledger runs in sudo, after its callers' checks.
        wallet = self.env["prepaid.wallet"].sudo().browse(wallet_id)
        with self.assertQueryCount(2):
            tx = wallet._ledger_apply("debit", "2.5", self.key("fresh"), purpose="usage")
        self.assertEqual((tx.amount, tx.balance_after), (-2.5, 96.5))
        self.assertEqual(wallet.balance, 96.5)
        self.assertLedgerConsistent()

    def test_consumption_order_follows_company_setting(self):
        """Test that a company can spend paid credit before bonus and vouchers."""
        self.company.prepaid_consumption_order = "paid_bonus_voucher"
        paid = self.credit(10, "paid").allocation_ids.lot_id
        self.credit(10, "bonus")
        tx = self.debit(4)
        self.assertEqual(tx.allocation_ids.lot_id, paid)

    def test_soonest_expiring_lot_is_consumed_first_within_a_kind(self):
        """Test that inside a kind the soonest-expiring lot goes first, never-expiring last."""
        today = date.today()
        late = self.credit(10, "bonus", expiry_date=today + timedelta(days=90)).allocation_ids.lot_id
        never = self.credit(10, "bonus", expiry_date=False).allocation_ids.lot_id
        soon = self.credit(10, "bonus", expiry_date=today + timedelta(days=5)).allocation_ids.lot_id
        tx = self.debit(25)
        self.assertEqual(tx.allocation_ids.lot_id.ids, [soon.id, late.id, never.id])
        self.assertEqual(never.remaining_amount, 5)

    def test_oldest_lot_is_consumed_first_when_expiry_is_equal(self):
        """Test that two lots with the same expiry are spent oldest first."""
        first = self.credit(10, "paid").allocation_ids.lot_id
        second = self.credit(10, "paid").allocation_ids.lot_id
        tx = self.debit(12)
        self.assertEqual([(a.lot_id, a.amount) for a in tx.allocation_ids], [(first, -10), (second, -2)])

    def test_same_idempotency_key_returns_first_transaction(self):
        """Test that replaying a movement returns the first transaction and moves nothing."""
        self.credit(100)
        first = self.wallet._ledger_apply("debit", 30, "usage:2026-11-20", purpose="usage")
        snapshot = self.ledger_snapshot()
        again = self.wallet._ledger_apply("debit", "30.00", "usage:2026-11-20", purpose="usage")
        self.assertEqual(first, again)
        self.assertEqual(self.ledger_snapshot(), snapshot)
        self.assertEqual(self.wallet.balance, 70)

    def test_same_key_with_another_amount_is_refused(self):
        """Test that a key reused with another amount is an error that writes nothing."""
        self.credit(100)
        self.wallet._ledger_apply("debit", 30, "usage:k1", purpose="usage")
        snapshot = self.ledger_snapshot()
        with self.assertRaisesRegex(ValidationError, "already used"):
            self.wallet._ledger_apply("debit", 31, "usage:k1", purpose="usage")
        self.assertEqual(self.ledger_snapshot(), snapshot)

    def test_same_key_on_another_wallet_is_refused(self):
        """Test that a key used in one wallet cannot move money in another."""
        other = self.env["prepaid.wallet"].sudo().create(
            {"partner_id": self.partner_a.id, "company_id": self.company.id, "currency_id": self.currency.id}
        )
        self.credit(100)
        self.credit(100, wallet=other)
        self.wallet._ledger_apply("debit", 30, "usage:shared", purpose="usage")
        with self.assertRaisesRegex(ValidationError, "already used"):
            other._ledger_apply("debit", 30, "usage:shared", purpose="usage")
        self.assertEqual(other.balance, 100)

    def test_usage_beyond_credit_creates_debt(self):
        """Test that metered usage is always recorded and may leave a debt."""
        self.credit(10, "paid")
        tx = self.debit(25, "usage")
        self.assertEqual(self.wallet.debt_amount, 15)
        self.assertEqual(self.wallet.balance, -15)
        self.assertEqual(tx.debt_after, 15)
        self.assertEqual(sorted(tx.allocation_ids.mapped("kind")), ["debt", "paid"])
        self.assertLedgerConsistent()

    def test_next_recharge_repays_debt_first(self):
        """Test that a recharge pays the debt before it adds spendable credit."""
        self.debit(15, "usage")
        tx = self.credit(50, "paid")
        lot = tx.allocation_ids.filtered("is_creation").lot_id
        self.assertEqual(lot.original_amount, 50)
        self.assertEqual(lot.remaining_amount, 35)
        self.assertEqual(self.wallet.debt_amount, 0)
        self.assertEqual(self.wallet.balance, 35)
        self.assertLedgerConsistent()

    def test_recharge_smaller_than_debt_leaves_the_rest_of_the_debt(self):
        """Test that a recharge below the debt is used up by it entirely."""
        self.debit(80, "usage")
        self.credit(50, "paid")
        self.assertEqual(self.wallet.debt_amount, 30)
        self.assertEqual(self.wallet.paid_amount, 0)
        self.assertEqual(self.wallet.balance, -30)

    def test_purchase_with_short_credit_is_refused_and_writes_nothing(self):
        """Test that a purchase never goes into debt and leaves the ledger untouched."""
        self.credit(10, "paid")
        self.credit(5, "bonus")
        snapshot = self.ledger_snapshot()
        with self.assertRaisesRegex(UserError, "Insufficient credit"):
            self.debit(15.01, "purchase")
        self.assertEqual(self.ledger_snapshot(), snapshot)

    def test_cloud_only_wallet_refuses_purchases(self):
        """Test that a wallet limited to cloud usage cannot pay a purchase."""
        self.wallet.scope = "cloud"
        self.credit(100)
        with self.assertRaisesRegex(UserError, "cloud usage only"):
            self.debit(10, "purchase")
        self.debit(10, "usage")
        self.assertEqual(self.wallet.balance, 90)

    def test_refund_returns_amounts_to_the_lots_consumed(self):
        """Test that a refund gives back to the lots the debit took from, last first."""
        paid = self.credit(50, "paid").allocation_ids.lot_id
        bonus = self.credit(10, "bonus").allocation_ids.lot_id
        debit = self.debit(30)
        refund = self.wallet._ledger_apply("refund", 25, self.key(), refund_of=debit)
        self.assertEqual(refund.amount, 25)
        self.assertEqual(paid.remaining_amount, 50)
        self.assertEqual(bonus.remaining_amount, 5)
        self.assertEqual(bonus.state, "open")
        self.assertEqual(self.wallet.balance, 55)
        self.assertEqual(debit.refunded_amount, 25)
        with self.assertRaisesRegex(ValidationError, "At most 5.0"):
            self.wallet._ledger_apply("refund", 6, self.key(), refund_of=debit)
        self.wallet._ledger_apply("refund", 5, self.key(), refund_of=debit)
        self.assertEqual(bonus.remaining_amount, 10)
        self.assertLedgerConsistent()

    def test_refund_of_debt_reduces_the_debt_first(self):
        """Test that refunding usage that went into debt cancels the debt first."""
        self.credit(10, "paid")
        debit = self.debit(30)
        self.wallet._ledger_apply("refund", 20, self.key(), refund_of=debit)
        self.assertEqual(self.wallet.debt_amount, 0)
        self.assertEqual(self.wallet.paid_amount, 0)
        self.assertLedgerConsistent()

    def test_refund_to_an_expired_lot_creates_a_replacement_lot(self):
        """Test that credit refunded to an expired lot lands in a new lot with the default expiry."""
        self.company.write({"prepaid_bonus_expiry": "months", "prepaid_bonus_expiry_months": 6})
        with freeze_time("2026-01-10"):
            bonus = self.credit(20, "bonus", expiry_date=date(2026, 2, 1)).allocation_ids.lot_id
            debit = self.debit(15)
        with freeze_time("2026-03-01"):
            self.env["prepaid.wallet"]._cron_expire_lots()
            self.assertEqual(bonus.state, "expired")
            refund = self.wallet._ledger_apply("refund", 15, self.key(), refund_of=debit)
            new_lot = refund.allocation_ids.lot_id
            self.assertNotEqual(new_lot, bonus)
            self.assertEqual(new_lot.kind, "bonus")
            self.assertEqual(new_lot.replaced_lot_id, bonus)
            self.assertEqual(new_lot.remaining_amount, 15)
            self.assertEqual(new_lot.expiry_date, date(2026, 9, 1))
            self.assertEqual(self.wallet.bonus_amount, 15)
        self.assertLedgerConsistent()

    def test_only_debits_of_the_same_wallet_can_be_refunded(self):
        """Test that a credit cannot be refunded as if it were a debit."""
        credit = self.credit(10)
        with self.assertRaisesRegex(ValidationError, "Only a debit"):
            self.wallet._ledger_apply("refund", 5, self.key(), refund_of=credit)

    def test_expiry_cron_expires_lots_and_is_safe_to_rerun(self):
        """Test that the cron expires each due lot once and a rerun changes nothing."""
        with freeze_time("2026-01-01"):
            due = self.credit(20, "bonus", expiry_date=date(2026, 6, 1)).allocation_ids.lot_id
            kept = self.credit(30, "paid", expiry_date=False).allocation_ids.lot_id
            self.debit(5)
        with freeze_time("2026-06-01"):
            self.assertEqual(self.env["prepaid.wallet"]._cron_expire_lots(), 1)
            snapshot = self.ledger_snapshot()
            self.assertEqual(self.env["prepaid.wallet"]._cron_expire_lots(), 0)
            self.assertEqual(self.ledger_snapshot(), snapshot)
        expiry = self.Tx.search([("wallet_id", "=", self.wallet.id), ("movement_type", "=", "expiry")])
        self.assertEqual(len(expiry), 1)
        self.assertEqual(expiry.amount, -15)
        self.assertEqual(due.state, "expired")
        self.assertEqual(due.remaining_amount, 0)
        self.assertEqual(kept.remaining_amount, 30)
        self.assertEqual(self.wallet.balance, 30)
        self.assertLedgerConsistent()

    def test_lot_past_its_expiry_is_not_spent_before_the_cron_runs(self):
        """Test that a lot whose expiry day has come is skipped even if not yet expired."""
        with freeze_time("2026-01-01"):
            self.credit(20, "voucher", expiry_date=date(2026, 2, 1))
            self.credit(20, "paid")
        with freeze_time("2026-02-01"):
            tx = self.debit(5)
            self.assertEqual(tx.allocation_ids.kind, "paid")

    def test_expiry_policy_sets_the_lot_expiry(self):
        """Test the company expiry policies: never, months after purchase, fixed date."""
        self.company.write({
            "prepaid_paid_expiry": "never",
            "prepaid_bonus_expiry": "months",
            "prepaid_bonus_expiry_months": 13,
            "prepaid_voucher_expiry": "date",
            "prepaid_voucher_expiry_date": "2027-12-31",
        })
        with freeze_time("2026-11-21"):
            paid = self.credit(1, "paid").allocation_ids.lot_id
            bonus = self.credit(1, "bonus").allocation_ids.lot_id
            voucher = self.credit(1, "voucher").allocation_ids.lot_id
        self.assertFalse(paid.expiry_date)
        self.assertEqual(bonus.expiry_date, date(2027, 12, 21))
        self.assertEqual(voucher.expiry_date, date(2027, 12, 31))

    def test_bad_amounts_are_refused_and_write_nothing(self):
        """Test that zero, negative, non-finite, huge, non-numeric and over-precise amounts are refused."""
        self.credit(100)
        snapshot = self.ledger_snapshot()
        for amount in (0, -5, "-5", float("nan"), "NaN", float("inf"), "-inf", 1e12,
                       "1000000000.01", "ten", "", None, True, [10], "10.001", 0.001):
            with self.subTest(amount=amount), self.assertRaises(ValidationError):
                self.debit(amount)
            with self.subTest(amount=amount, move="credit"), self.assertRaises(ValidationError):
                self.credit(amount)
        self.assertEqual(self.ledger_snapshot(), snapshot)

    def test_refusals_speak_the_callers_language_outside_a_request(self):
        """Test that an amount or a text refused by the checks the ledger shares
        with the controllers is explained in the caller's language, as in a cron
        where no request gives one, and that nothing is written."""
        self.activate_lang("it_IT")
        self.activate_lang("fr_FR")
        snapshot = self.ledger_snapshot()
        with self.assertNoLogs("odoo.tools.translate", "WARNING"):
            with self.assertRaises(ValidationError) as amount:
                self.wallet.with_context(lang="it_IT")._ledger_apply("debit", "1,50", self.key(), purpose="usage")
            with self.assertRaises(ValidationError) as text:
                self.wallet.with_context(lang="fr_FR")._ledger_apply(
                    "debit", 1, self.key(), purpose="usage", description="a\x00b"
                )
        self.assertEqual(
            str(amount.exception), "L'importo 1,50 non è un numero scritto con le cifre 0-9 e un punto."
        )
        self.assertEqual(
            str(text.exception), "La description contient un caractère non autorisé (un NUL ou un substitut isolé)."
        )
        self.assertEqual(self.ledger_snapshot(), snapshot)

    def test_float_noise_is_tolerated(self):
        """Test that a float such as 0.1 + 0.2 is read as 0.30, not refused."""
        self.credit(1)
        self.debit(0.1 + 0.2)
        self.assertAlmostEqual(self.wallet.balance, 0.70)

    def test_wrong_currency_and_missing_key_are_refused(self):
        """Test that a movement in another currency or without a key writes nothing."""
        self.credit(100)
        snapshot = self.ledger_snapshot()
        other = "USD" if self.currency.name != "USD" else "EUR"
        with self.assertRaisesRegex(ValidationError, f"not {other}"):
            self.wallet._ledger_apply("debit", 10, self.key(), currency_code=other)
        with self.assertRaisesRegex(UserError, "Unknown currency"):
            self.wallet._ledger_apply("debit", 10, self.key(), currency_code="XXQ")
        for key in (None, "", "   ", 42, "k" * 256):
            with self.subTest(key=key), self.assertRaises(ValidationError):
                self.wallet._ledger_apply("debit", 10, key)
        self.assertEqual(self.ledger_snapshot(), snapshot)

    def test_unknown_wallet_is_refused(self):
        """Test that the public debit on a wallet id that does not exist is a clear error."""
        with self.assertRaisesRegex(UserError, "Unknown wallet"):
            self.env["prepaid.wallet"].browse(987654321).ledger_debit(10, self.key())

    def test_public_debit_returns_the_balances(self):
        """Test the integration debit: balances back, same key idempotent."""
        self.credit(40)
        self.credit(5, "bonus")
        result = self.wallet.ledger_debit("7.50", "platform:42", purpose="usage", currency_code=self.currency.name)
        self.assertEqual(result["balance"], 37.5)
        self.assertEqual(result["bonus"], 0)
        self.assertEqual(result["paid"], 37.5)
        self.assertEqual(self.wallet.ledger_debit(7.5, "platform:42")["transaction_id"], result["transaction_id"])

    def test_adjustment_wizard_needs_a_reason(self):
        """Test that an adjustment without a reason is refused."""
        form = Form(self.env["prepaid.wallet.adjust"].with_context(default_wallet_id=self.wallet.id))
        form.amount = 10
        form.reason = "   "
        with self.assertRaisesRegex(ValidationError, "Say why"):
            form.save()
        self.assertEqual(self.wallet.balance, 0)
        self.assertFalse(self.wallet.transaction_ids)
        with self.assertRaisesRegex(ValidationError, "reason"):
            self.wallet._ledger_apply("adjustment", 10, self.key(), kind="bonus", reason="  ")

    def test_adjustment_wizard_adds_and_removes_credit(self):
        """Test that a manager adds bonus credit and removes paid credit with a reason."""
        self.credit(20)
        form = Form(self.env["prepaid.wallet.adjust"].with_context(default_wallet_id=self.wallet.id))
        form.direction = "increase"
        form.kind = "bonus"
        form.amount = 15
        form.reason = "Goodwill after the outage of 2026-11-02"
        form.save().action_apply()
        form = Form(self.env["prepaid.wallet.adjust"].with_context(default_wallet_id=self.wallet.id))
        form.direction = "decrease"
        form.amount = 20
        form.reason = "Recharge credited twice by mistake"
        form.save().action_apply()
        adjustments = self.Tx.search(
            [("wallet_id", "=", self.wallet.id), ("movement_type", "=", "adjustment")], order="id"
        )
        self.assertEqual(adjustments.mapped("amount"), [15, -20])
        self.assertEqual(adjustments[0].reason, "Goodwill after the outage of 2026-11-02")
        # Decrease takes the bonus first (default order), then paid.
        self.assertEqual(self.wallet.bonus_amount, 0)
        self.assertEqual(self.wallet.paid_amount, 15)
        with self.assertRaisesRegex(UserError, "Insufficient credit"):
            self.wallet._ledger_apply("adjustment", 100, self.key(), decrease=True, reason="too much")
        self.assertLedgerConsistent()

    def test_transactions_are_append_only(self):
        """Test that nobody, not even sudo, edits or deletes a transaction or a lot."""
        tx = self.credit(10)
        from odoo.exceptions import AccessError

        with self.assertRaises(AccessError):
            tx.write({"amount": 1000})
        with self.assertRaises(AccessError):
            tx.unlink()
        with self.assertRaises(AccessError):
            tx.allocation_ids.lot_id.unlink()
        with self.assertRaises(AccessError):
            tx.allocation_ids.write({"amount": 5})

    def test_wallet_belongs_to_the_commercial_partner(self):
        """Test that a contact cannot own a wallet, and one wallet per currency."""
        contact = self.env["res.partner"].create({"name": "Jane", "parent_id": self.customer.id})
        with self.assertRaisesRegex(ValidationError, "commercial entity"):
            self.env["prepaid.wallet"].sudo().create({"partner_id": contact.id, "currency_id": self.currency.id})
        same = self.env["prepaid.wallet"].sudo()._get_or_create(contact, self.currency, self.company)
        self.assertEqual(same, self.wallet)

    def test_wallet_filters_find_debt_and_expiring_credit(self):
        """Test the search filters of the wallet list: negative balance and expiring soon."""
        Wallet = self.env["prepaid.wallet"]
        self.debit(5)
        other = Wallet.sudo().create(
            {"partner_id": self.partner_a.id, "company_id": self.company.id, "currency_id": self.currency.id}
        )
        self.credit(10, "bonus", wallet=other, expiry_date=date.today() + timedelta(days=10))
        self.assertIn(self.wallet, Wallet.search([("balance", "<", 0)]))
        self.assertNotIn(other, Wallet.search([("balance", "<", 0)]))
        expiring = Wallet._get_expiring_soon_domain(30) + [("id", "in", (self.wallet | other).ids)]
        self.assertEqual(Wallet.search(expiring), other)

    def test_amounts_are_plain_decimal_numbers_only(self):
        """Test that digit group separators, other scripts' digits, exponents and the like are refused."""
        self.credit(100)
        snapshot = self.ledger_snapshot()
        for amount in ("9_50", "1_0", "١٠", "۱۲", "1e3", "1E3", "0x10", "1,5", "12 . 5", "²", "½", "--5", "+-5"):
            with self.subTest(amount=amount), self.assertRaisesRegex(ValidationError, "digits 0-9"):
                self.debit(amount)
            with self.subTest(amount=amount, api="ledger_debit"), self.assertRaisesRegex(ValidationError, "digits 0-9"):
                self.wallet.ledger_debit(amount, self.key())
        self.assertEqual(self.ledger_snapshot(), snapshot)
        for amount, balance in ((" 9.50 ", 90.5), ("+0.5", 90), ("10.", 80), (".25", 79.75)):
            with self.subTest(amount=amount):
                self.debit(amount)
                self.assertAlmostEqual(self.wallet.balance, balance)

    def test_text_that_cannot_be_stored_is_refused_and_writes_nothing(self):
        """Test that a NUL or a lone surrogate in a key, description, reason or currency code is a clear error."""
        self.credit(100)
        snapshot = self.ledger_snapshot()
        for bad in ("key\x00", "key\ud800", "\udfff"):
            with self.subTest(bad=bad, field="key"), self.assertRaisesRegex(ValidationError, "not allowed"):
                self.wallet._ledger_apply("debit", 1, bad)
            with self.subTest(bad=bad, field="caller key"), self.assertRaisesRegex(ValidationError, "not allowed"):
                self.wallet.ledger_debit(1, bad)
            with self.subTest(bad=bad, field="description"), self.assertRaisesRegex(ValidationError, "not allowed"):
                self.wallet.ledger_debit(1, self.key(), description=f"usage {bad}")
            with self.subTest(bad=bad, field="reason"), self.assertRaisesRegex(ValidationError, "not allowed"):
                self.wallet._ledger_apply("adjustment", 1, self.key(), reason=bad)
            with self.subTest(bad=bad, field="currency"), self.assertRaisesRegex(ValidationError, "not allowed"):
                self.wallet.ledger_debit(1, self.key(), currency_code=bad)
        self.assertEqual(self.ledger_snapshot(), snapshot)

    def test_balances_are_written_by_the_ledger_only(self):
        """Test that nobody, superuser included, writes or creates a wallet's balance, credit or debt:
        the change goes through the adjustment wizard, which writes a movement."""
        self.credit(100)
        self.debit(130)
        snapshot = self.ledger_snapshot()
        for field in ("balance", "paid_amount", "bonus_amount", "voucher_amount", "debt_amount"):
            for wallet in (self.wallet, self.wallet.sudo()):
                with self.subTest(field=field, su=wallet.env.su), self.assertRaisesRegex(UserError, "Adjust balance"):
                    wallet.write({field: 0})
            with self.subTest(field=field, create=True), self.assertRaisesRegex(UserError, "Adjust balance"):
                self.env["prepaid.wallet"].sudo().create({
                    "partner_id": self.env["res.partner"].create({"name": f"New {field}", "is_company": True}).id,
                    "company_id": self.company.id, "currency_id": self.currency.id, field: 1000,
                })
        self.assertEqual(self.ledger_snapshot(), snapshot)
        self.assertEqual(self.wallet.debt_amount, 30)
        # The way to clear the debt: a movement, with its reason.
        form = Form(self.env["prepaid.wallet.adjust"].with_context(default_wallet_id=self.wallet.id))
        form.kind = "paid"
        form.amount = 30
        form.reason = "Debt waived after the outage"
        form.save().action_apply()
        self.assertEqual((self.wallet.debt_amount, self.wallet.balance), (0, 0))
        self.assertLedgerConsistent()


@tagged("post_install", "-at_install")
class TestLedgerStorage(PrepaidCommon):
    """What the ledger's storage writes, and how it tells the ORM."""

    def test_field_added_with_a_default_is_written_by_the_ledger(self):
        """Test that a field another module adds to transactions and
        allocations, with a default, gets its default on every movement."""
        self.addCleanup(self.registry.reset_changes)
        for model_name in ("prepaid.wallet.transaction", "prepaid.wallet.allocation"):
            # What a module (or Studio) adds: a stored field and its default.
            self.env["ir.model.fields"].create({
                "model_id": self.env["ir.model"]._get_id(model_name),
                "name": "x_channel", "field_description": "Channel", "ttype": "char",
            })
            self.env["ir.default"].set(model_name, "x_channel", "platform")
        self.credit(50)
        tx = self.debit(20)
        self.assertEqual(tx.x_channel, "platform")
        self.assertEqual(tx.allocation_ids.mapped("x_channel"), ["platform"])

    def test_json_field_added_with_a_default_is_written_by_the_ledger(self):
        """Test that a json field another module adds to transactions, with
        a default, gets its default on every movement, a debit as a credit."""
        self.addCleanup(self.registry.reset_changes)
        self.env["ir.model.fields"].create({
            "model_id": self.env["ir.model"]._get_id("prepaid.wallet.transaction"),
            "name": "x_platform_data", "field_description": "Platform data", "ttype": "json",
        })
        self.env["ir.default"].set("prepaid.wallet.transaction", "x_platform_data", {"source": "whmcs", "tags": [1, 2]})
        credit = self.credit(50)
        debit = self.debit(5)
        # A batch writes many rows of it in the same statement.
        results = self.env["prepaid.wallet"].sudo().ledger_batch([
            {"key": f"json:{index}", "wallet_id": self.wallet.id, "type": "debit", "amount": "2"} for index in range(3)
        ])
        self.assertEqual({result["status"] for result in results}, {"done"})
        transactions = credit | debit | self.Tx.browse([result["transaction_id"] for result in results])
        self.env.cr.execute(
            "SELECT x_platform_data FROM prepaid_wallet_transaction WHERE id IN %s", [tuple(transactions.ids)]
        )
        self.assertEqual([row[0] for row in self.env.cr.fetchall()], [{"source": "whmcs", "tags": [1, 2]}] * 5)
        self.assertEqual(transactions[-1].x_platform_data, {"source": "whmcs", "tags": [1, 2]})
        self.assertEqual(self.wallet.balance, 39)
        self.assertLedgerConsistent()

    def test_transactions_are_indexed_for_the_wallet_lists_and_the_booking(self):
        """Test that the transactions have one index leading with the wallet
        (its lists, newest first) and a partial one of the movements still
        to book, and no second index of either column."""
        self.env.cr.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'prepaid_wallet_transaction'"
        )
        indexes = dict(self.env.cr.fetchall())
        self.assertIn("(wallet_id, date DESC, id DESC)", indexes["prepaid_wallet_transaction_wallet_date_idx"])
        self.assertIn("WHERE needs_booking", indexes["prepaid_wallet_transaction_to_book_idx"])
        self.assertNotIn("prepaid_wallet_transaction__wallet_id_index", indexes)
        self.assertNotIn("prepaid_wallet_transaction__needs_booking_index", indexes)

    def test_currency_rounding_is_float_round(self):
        """Test that the ledger's rounding of a currency gives what Odoo's
        float_round, float_is_zero and float_compare give, ties and binary
        noise included, for the usual roundings."""
        wallet = self.env["prepaid.wallet"]
        values = [2.675, 1.005, -1.005, 0.015, 0.125, -0.125, 1e-12, 0.0, 123456.785, 0.1 + 0.2, 999999.995]
        values += [index / 1000 for index in range(-2000, 2000, 7)] + [index * 1.37 for index in range(-500, 500, 3)]
        for rounding in (0.01, 0.001, 0.05, 1.0, 5.0):
            currency = wallet._ledger_plain_currency(1, "XTS", rounding)
            for value in values:
                self.assertEqual(currency.round(value), float_round(value, precision_rounding=rounding))
                self.assertEqual(currency.is_zero(value), float_is_zero(value, precision_rounding=rounding))
                for other in (value, value + rounding / 3, value - rounding / 2, value + rounding):
                    self.assertEqual(
                        currency.compare_amounts(value, other),
                        float_compare(value, other, precision_rounding=rounding),
                    )

    def test_every_stored_default_of_a_transaction_is_written(self):
        """Test that the transaction row holds, for every stored field with a
        default that the ledger does not compute, that default."""
        Tx = self.env["prepaid.wallet.transaction"]
        storage = self.wallet._ledger_storage()
        columns = storage.insert_columns(Tx, {"amount": 1.0})
        expected = {
            name for name, field in Tx._fields.items()
            if field.store and field.column_type and field.default is not None
            and name not in ("id", "create_uid", "create_date", "write_uid", "write_date")
        }
        self.assertLessEqual(expected, set(columns))
        self.assertIs(columns["needs_booking"], False)

    def test_records_held_by_a_caller_show_the_movement(self):
        """Test that the wallet, lot and lists a caller read before a debit
        show the debit afterwards."""
        lot = self.credit(40).allocation_ids.lot_id
        debit = self.debit(15)
        before = (self.wallet.balance, lot.remaining_amount, self.wallet.transaction_ids, debit.refunded_amount)
        refund = self.wallet._ledger_apply("refund", 5, self.key(), refund_of=debit)
        self.assertEqual(before[:2], (25, 25))
        self.assertEqual((self.wallet.balance, lot.remaining_amount), (30, 30))
        self.assertEqual(self.wallet.transaction_ids - before[2], refund)
        self.assertEqual((before[3], debit.refunded_amount, debit.refund_ids), (0, 5, refund))

    def test_statement_text_is_composed_once_per_shape(self):
        """Test that the ledger's statements are composed once per shape:
        later debits only gather their values, and each writes its own."""
        self.credit(50)
        self.debit(1)  # composes the texts of this shape, if no test did
        composed = []
        text_of = ledger_storage._Text.of

        def of(sql):
            composed.append(sql)
            return text_of(sql)

        with patch.object(ledger_storage._Text, "of", of):
            first = self.debit(2)
            second = self.debit(3.25)
        self.assertEqual(composed, [])
        self.assertEqual((first.amount, first.balance_after), (-2, 47))
        self.assertEqual((second.amount, second.balance_after), (-3.25, 43.75))
        self.assertEqual(self.wallet.balance, 43.75)
        self.assertLedgerConsistent()

    def test_value_read_along_without_its_placeholder_is_refused(self):
        """Test that a feature reading along with the lock must pass its
        values through the statement's placeholder factory: a value put in
        the SQL directly is refused with a clear error, and nothing moves."""
        self.credit(20)
        wallet_class = type(self.wallet)
        reads = wallet_class._ledger_lock_reads

        def raw_reads(wallet, param):
            return {**reads(wallet, param), "x_raw": SQL("(SELECT %s::int4)", 7)}

        count = len(self.wallet.transaction_ids)
        with patch.object(wallet_class, "_ledger_lock_reads", raw_reads), \
                self.assertRaisesRegex(TypeError, "param"):
            self.debit(5)
        self.wallet.invalidate_recordset()
        self.assertEqual((self.wallet.balance, len(self.wallet.transaction_ids)), (20, count))

    def test_prepared_statements_give_the_same_ledger(self):
        """Test that with the PREPARE setting the movements are prepared
        statements of the session and write what the plain ones write."""
        self.env["ir.config_parameter"].sudo().set_param(PREPARE_PARAM, "1")
        self.credit(30)
        first = self.debit(10)
        second = self.debit(25)
        self.assertEqual((first.balance_after, second.balance_after, second.debt_after), (20, -5, 5))
        self.env.cr.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE %s", ["prepaid_ledger_%"])
        self.assertGreaterEqual(self.env.cr.fetchone()[0], 2)
        self.assertLedgerConsistent()


@tagged("post_install", "-at_install")
class TestLedgerBatch(PrepaidCommon):
    """``ledger_batch``: many movements of an integration in one call."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integration = new_test_user(
            cls.env, "batch_bot", groups="base.group_user,prepaid_cloud_credit.group_prepaid_integration",
            company_id=cls.company.id, company_ids=[(6, 0, cls.company.ids)],
        )
        cls.second = cls.env["prepaid.wallet"].sudo().create({
            "partner_id": cls.env["res.partner"].create({"name": "Beta Hosting", "is_company": True}).id,
            "company_id": cls.company.id, "currency_id": cls.currency.id, "scope": "all",
        })
        cls.wallet.scope = "all"

    def batch(self, movements, user=None):
        return self.env["prepaid.wallet"].with_user(user or self.integration).ledger_batch(movements)

    def test_batch_moves_each_movement_with_its_own_result(self):
        """Test that a batch debits several wallets and answers each movement."""
        self.credit(50)
        self.credit(12.5, wallet=self.second)
        results = self.batch([
            {"key": "b:1", "wallet_id": self.wallet.id, "type": "debit", "amount": "4.20", "description": "CPU"},
            {"key": "b:2", "wallet_id": self.second.id, "type": "debit", "amount": "2.5"},
            {"key": "b:3", "wallet_id": self.second.id, "type": "debit", "amount": "2.5", "purpose": "purchase",
             "currency": self.currency.name},
        ])
        self.assertEqual([r["status"] for r in results], ["done"] * 3)
        self.assertEqual([r["balance"] for r in results], ["45.80", "10.00", "7.50"])
        tx = self.Tx.browse(results[0]["transaction_id"])
        self.assertEqual((tx.idempotency_key, tx.amount, tx.name), ("api:b:1", -4.2, "CPU"))
        self.assertEqual((self.wallet.balance, self.second.balance), (45.8, 7.5))
        self.assertLedgerConsistent()
        self.assertLedgerConsistent(self.second)

    def test_batch_statements_do_not_grow_with_its_movements(self):
        """Test that a batch writes its movements together: 40 debits over
        two wallets send as many statements as 4 do, and every one of them
        is written with its allocation."""
        self.credit(100)
        self.credit(100, wallet=self.second)

        def statements(count, prefix):
            movements = [
                {"key": f"{prefix}:{index}", "wallet_id": (self.wallet, self.second)[index % 2].id,
                 "type": "debit", "amount": "0.5"}
                for index in range(count)
            ]
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            results = self.batch(movements)
            self.assertEqual({result["status"] for result in results}, {"done"})
            return self.cr.sql_log_count - before, results

        statements(2, "warm")  # caches of the first call (defaults, access rules)
        few, _results = statements(4, "few")
        many, results = statements(40, "many")
        self.assertEqual(many, few)
        transactions = self.Tx.browse([result["transaction_id"] for result in results])
        self.assertEqual(len(transactions.allocation_ids), 40)
        self.assertEqual((self.wallet.balance, self.second.balance), (88.5, 88.5))
        self.assertLedgerConsistent()
        self.assertLedgerConsistent(self.second)

    def test_batch_reads_each_wallet_once_and_carries_it_between_movements(self):
        """Test that the movements of one wallet in a batch are applied on the
        values the lock read, carried in memory: one lock statement for all
        the wallets of the batch, and each movement (a refused one in
        between) sees the ones before it."""
        self.credit(10)
        self.credit(5, "bonus")
        self.credit(3, wallet=self.second)
        storage_lock = LedgerStorage.lock
        locked = []

        def lock(storage, wallets, *args, **kwargs):
            locked.append(sorted(wallets.ids))
            return storage_lock(storage, wallets, *args, **kwargs)

        with patch.object(LedgerStorage, "lock", lock):
            results = self.batch([
                {"key": "c:1", "wallet_id": self.wallet.id, "type": "debit", "amount": "4"},
                {"key": "c:2", "wallet_id": self.second.id, "type": "debit", "amount": "1"},
                {"key": "c:3", "wallet_id": self.wallet.id, "type": "debit", "amount": "20", "purpose": "purchase"},
                {"key": "c:4", "wallet_id": self.wallet.id, "type": "debit", "amount": "6"},
                {"key": "c:5", "wallet_id": self.second.id, "type": "debit", "amount": "5"},
                {"key": "c:6", "wallet_id": self.wallet.id, "type": "debit", "amount": "7"},
            ])
        self.assertEqual(locked, [sorted([self.wallet.id, self.second.id])])
        self.assertEqual(
            [r["status"] for r in results], ["done", "done", "refused", "done", "done", "done"]
        )
        self.assertEqual([r["balance"] for r in results], ["11.00", "2.00", False, "5.00", "-3.00", "-2.00"])
        self.wallet.invalidate_recordset()
        self.assertEqual((self.wallet.balance, self.wallet.debt_amount), (-2, 2))
        self.assertEqual((self.second.balance, self.second.debt_amount), (-3, 3))
        # Bonus first (5), then paid: 4 = 4 bonus; 6 = 1 bonus + 5 paid; 7 = 5 paid + 2 debt.
        last = self.Tx.browse(results[5]["transaction_id"])
        self.assertEqual(sorted(last.allocation_ids.mapped("amount")), [-5.0, -2.0])
        self.assertLedgerConsistent()
        self.assertLedgerConsistent(self.second)

    def test_same_batch_again_is_replayed_and_moves_nothing(self):
        """Test that sending a batch again answers replayed with the first transactions."""
        movements = [{"key": f"r:{i}", "wallet_id": self.wallet.id, "type": "debit", "amount": "1"} for i in range(3)]
        first = self.batch(movements)
        again = self.batch(movements)
        self.assertEqual([r["status"] for r in again], ["replayed"] * 3)
        self.assertEqual([r["transaction_id"] for r in again], [r["transaction_id"] for r in first])
        self.assertEqual(self.wallet.balance, -3)
        self.assertEqual(len(self.wallet.transaction_ids), 3)

    def test_refused_movement_leaves_the_others_done(self):
        """Test that a purchase short of credit, a key reused with another
        amount and an unknown wallet are refused while the rest is written."""
        self.credit(5)
        self.batch([{"key": "k", "wallet_id": self.wallet.id, "type": "debit", "amount": "1"}])
        results = self.batch([
            {"key": "ok", "wallet_id": self.wallet.id, "type": "debit", "amount": "1"},
            {"key": "short", "wallet_id": self.wallet.id, "type": "debit", "amount": "50", "purpose": "purchase"},
            {"key": "k", "wallet_id": self.wallet.id, "type": "debit", "amount": "2"},
            {"key": "ghost", "wallet_id": 999999999, "type": "debit", "amount": "1"},
            {"key": "ok2", "wallet_id": self.second.id, "type": "debit", "amount": "3"},
        ])
        self.assertEqual([r["status"] for r in results], ["done", "refused", "refused", "refused", "done"])
        self.assertIn("Insufficient credit", results[1]["error"])
        self.assertTrue(results[2]["error"])
        self.assertIn("Unknown wallet", results[3]["error"])
        self.assertEqual((self.wallet.balance, self.second.balance), (3, -3))
        self.assertFalse(self.Tx.search([("idempotency_key", "=", "api:short")]))
        self.assertLedgerConsistent()

    def test_malformed_batch_lists_every_problem_and_writes_nothing(self):
        """Test that absurd values and missing keys refuse the whole batch, naming each movement."""
        count = self.Tx.search_count([])
        bad = [
            {"key": "fine", "wallet_id": self.wallet.id, "type": "debit", "amount": "1"},
            {"wallet_id": self.wallet.id, "type": "debit", "amount": "1"},
            {"key": "neg", "wallet_id": self.wallet.id, "type": "debit", "amount": "-5"},
            {"key": "huge", "wallet_id": self.wallet.id, "type": "debit", "amount": "1e400"},
            {"key": "nan", "wallet_id": self.wallet.id, "type": "debit", "amount": float("nan")},
            {"key": "type", "wallet_id": self.wallet.id, "type": "steal", "amount": "1"},
            {"key": "fine", "wallet_id": self.wallet.id, "type": "debit", "amount": "1"},
            {"key": "wallet", "wallet_id": "12; DROP", "type": "debit", "amount": "1"},
            "not a movement",
        ]
        with self.assertRaises(ValidationError) as caught:
            self.batch(bad)
        message = str(caught.exception)
        for index in range(1, 9):
            self.assertIn(f"Movement {index}:", message)
        self.assertNotIn("Movement 0:", message)
        self.assertEqual(self.Tx.search_count([]), count)
        with self.assertRaises(ValidationError):
            self.batch([{"key": f"x{i}", "wallet_id": self.wallet.id, "type": "debit", "amount": "1"}
                        for i in range(1001)])
        with self.assertRaises(ValidationError):
            self.batch("not a list")

    def test_batch_never_credits_even_for_a_manager(self):
        """Test that a credit in a batch refuses the whole batch, for an integration user and a
        manager alike: paid credit with no payment behind it is never written."""
        manager = new_test_user(
            self.env, "batch_manager", groups="base.group_user,prepaid_cloud_credit.group_prepaid_manager",
            company_id=self.company.id, company_ids=[(6, 0, self.company.ids)],
        )
        snapshot = self.ledger_snapshot()
        for user in (self.integration, manager):
            with self.assertRaises(ValidationError) as caught:
                self.batch([
                    {"key": f"free:{user.id}", "wallet_id": self.wallet.id, "type": "credit", "amount": "1000"},
                    {"key": f"fine:{user.id}", "wallet_id": self.wallet.id, "type": "debit", "amount": "1"},
                ], user=user)
            self.assertIn("Movement 0:", str(caught.exception))
            self.assertIn("platform_credit_invoices", str(caught.exception))
        self.assertEqual(self.ledger_snapshot(), snapshot)
        self.assertEqual(self.wallet.balance, 0)

    def test_batch_needs_the_integration_or_manager_group(self):
        """Test that an internal user without the groups, and a portal user, cannot move money in batch."""
        staff = new_test_user(self.env, "batch_staff", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.batch([{"key": "x", "wallet_id": self.wallet.id, "type": "debit", "amount": "100"}], user=staff)
        self.assertEqual(self.wallet.balance, 0)

    def test_wallet_of_another_company_is_unknown(self):
        """Test that a wallet of a company the caller does not work in is refused as unknown."""
        other_company = self.env["res.company"].create({"name": "Other Batch Company"})
        foreign = self.env["prepaid.wallet"].sudo().create({
            "partner_id": self.customer.id, "company_id": other_company.id,
            "currency_id": other_company.currency_id.id,
        })
        results = self.batch([{"key": "f", "wallet_id": foreign.id, "type": "debit", "amount": "5"}])
        self.assertEqual(results[0]["status"], "refused")
        self.assertEqual(foreign.balance, 0)
