# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import unittest
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.prepaid_cloud_credit.tests.common import PrepaidCommon


@tagged("post_install", "-at_install")
class TestPromo(PrepaidCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Promo = cls.env["prepaid.promo.code"]
        cls.Recharge = cls.env["prepaid.recharge"]
        cls.promo = cls.make_promo()

    @classmethod
    def make_promo(cls, **vals):
        return cls.env["prepaid.promo.code"].create({
            "code": "welcome10",
            "name": "+10 % bonus credit",
            "company_id": cls.company.id,
            "bonus_type": "percent",
            "bonus_percent": 10,
            **vals,
        })

    def recharge(self, amount, code="WELCOME10", wallet=None, confirm=True):
        wallet = wallet or self.wallet
        recharge = self.Recharge.create(
            self.Recharge._prepare_recharge_vals(wallet, amount, "bank_transfer", promo_code=code)
        )
        if confirm:
            recharge.action_confirm()
        return recharge

    def pay(self, recharge):
        self.pay_recharge(recharge)
        self.assertEqual(recharge.state, "paid")
        return recharge

    def bonus_lots(self, wallet=None):
        return (wallet or self.wallet).lot_ids.filtered(lambda lot: lot.kind == "bonus")

    def assertPromoRefused(self, code, amount, message, wallet=None):
        """Assert that the code is refused for the amount, and that nothing was created."""
        before = (self.Recharge.search_count([]), self.ledger_snapshot(wallet))
        # Not Odoo's assertRaises: no savepoint hides a write made before the error.
        with unittest.TestCase.assertRaises(self, UserError) as caught:
            self.recharge(amount, code=code, wallet=wallet)
        self.assertIn(message, str(caught.exception))
        self.assertEqual((self.Recharge.search_count([]), self.ledger_snapshot(wallet)), before)

    # ------------------------------------------------------------------
    # Bonus amounts
    # ------------------------------------------------------------------

    def test_percent_promo_grants_its_share_of_the_recharge_when_paid(self):
        """Test that +10 % on a recharge of 50 grants a bonus lot of 5 once the
        recharge is paid, described in the customer's language."""
        self.activate_lang("it_IT")
        self.customer.lang = "it_IT"
        recharge = self.recharge(50)
        self.assertEqual(recharge.promo_code_id, self.promo)
        self.assertEqual(recharge.promo_bonus_amount, 5)
        self.assertFalse(self.bonus_lots(), "no bonus before the payment")
        self.pay(recharge)
        self.assertEqual(self.wallet.paid_amount, 50)
        self.assertEqual(self.wallet.bonus_amount, 5)
        self.assertEqual(recharge.bonus_transaction_id.source_ref, recharge)
        self.assertEqual(
            recharge.bonus_transaction_id.name,
            f"Bonus del codice promozionale {self.promo.code} su {recharge.name}",
        )
        self.assertLedgerConsistent()

    def test_percent_bonus_is_capped_at_the_maximum(self):
        """Test that a percentage bonus never exceeds the maximum bonus."""
        self.promo.max_bonus = 20
        self.assertEqual(self.recharge(500).promo_bonus_amount, 20)

    def test_fixed_promo_grants_its_amount(self):
        """Test that a fixed promo grants its amount whatever the recharge."""
        self.make_promo(code="FIVE", bonus_type="fixed", bonus_fixed=5)
        recharge = self.pay(self.recharge(120, code="five"))
        self.assertEqual(recharge.promo_bonus_amount, 5)
        self.assertEqual(self.wallet.bonus_amount, 5)

    def test_check_for_recharge_returns_the_promo_whatever_the_case_and_spaces(self):
        """Test that the checkout check finds the code typed in lower case with spaces."""
        self.assertEqual(self.Promo._check_for_recharge(" welcome 10 ", self.wallet, 50), self.promo)

    def test_recharge_without_promo_gets_no_bonus(self):
        """Test that a recharge without a code is credited without a bonus."""
        recharge = self.pay(self.recharge(50, code=None))
        self.assertFalse(recharge.promo_bonus_amount)
        self.assertFalse(self.bonus_lots())

    # ------------------------------------------------------------------
    # Exactly once, own expiry, cancellation
    # ------------------------------------------------------------------

    def test_bonus_is_granted_once_even_when_paid_twice(self):
        """Test that a second payment notification or a second _on_paid call grants no second bonus."""
        recharge = self.pay(self.recharge(50))
        first = recharge.bonus_transaction_id
        recharge._on_paid()
        recharge.invoice_id._invoice_paid_hook()
        self.assertEqual(recharge.bonus_transaction_id, first)
        self.assertEqual(len(self.bonus_lots()), 1)
        self.assertEqual(self.wallet.bonus_amount, 5)

    def test_bonus_lot_expires_under_the_promo_policy(self):
        """Test that the bonus lot expires N months after the payment, while the paid lot does not."""
        self.promo.write({"expiry_policy": "months", "expiry_months": 2})
        with freeze_time("2026-11-21"):
            recharge = self.recharge(50)
            self.pay(recharge)
        self.assertEqual(self.bonus_lots().expiry_date, date(2027, 1, 21))
        self.assertFalse(recharge.lot_id.expiry_date)

    def test_bonus_lot_follows_the_company_bonus_policy_by_default(self):
        """Test that without its own policy the bonus lot expires under the company bonus policy."""
        self.company.write({"prepaid_bonus_expiry": "date", "prepaid_bonus_expiry_date": "2027-06-30"})
        self.pay(self.recharge(50))
        self.assertEqual(self.bonus_lots().expiry_date, date(2027, 6, 30))

    def test_cancelled_recharge_gets_no_bonus_and_gives_its_use_back(self):
        """Test that cancelling a confirmed recharge grants nothing and frees the use of the code."""
        self.promo.max_uses = 1
        recharge = self.recharge(50)
        self.assertEqual((self.promo.use_count, self.promo.reserved_count), (0, 1))
        self.assertEqual(recharge.promo_state, "reserved")
        recharge.action_cancel()
        self.assertEqual((self.promo.use_count, self.promo.reserved_count), (0, 0))
        self.assertEqual(recharge.promo_state, "released")
        self.assertFalse(self.wallet.lot_ids)
        self.assertTrue(self.recharge(50), "the code can be used again")

    def test_use_count_is_the_number_of_bonuses_granted(self):
        """Test that uses count the bonus lots granted, and reservations the recharges awaiting payment."""
        self.promo.max_uses_per_customer = 0
        first, second = self.recharge(50), self.recharge(60)
        self.assertEqual((self.promo.use_count, self.promo.reserved_count), (0, 2))
        self.pay(first)
        self.assertEqual((self.promo.use_count, self.promo.reserved_count), (1, 1))
        self.pay(second)
        self.assertEqual((self.promo.use_count, self.promo.reserved_count), (2, 0))
        self.assertEqual(len(self.bonus_lots()), self.promo.use_count)
        self.assertEqual((first.promo_state, second.promo_state), ("granted", "granted"))

    def test_recharge_paid_after_giving_its_use_back_gets_no_bonus_beyond_the_uses(self):
        """Test that a recharge whose payment failed (use given back), paid after another customer
        took the last use, is credited without a second bonus: one bonus lot, use_count 1."""
        self.promo.write({"max_uses": 1, "max_uses_per_customer": 0})
        first = self.recharge(50)
        first._prepaid_payment_failed()
        self.assertEqual((first.state, first.promo_state, self.promo.reserved_count), ("failed", "released", 0))
        other = self.env["prepaid.wallet"].sudo()._get_or_create(
            self.env["res.partner"].create({"name": "Beta", "is_company": True}), self.currency, self.company
        )
        second = self.recharge(50, wallet=other)
        # The customer tries again: the use cannot be reserved again, the payment goes on.
        first._prepaid_payment_started()
        self.assertEqual((first.state, first.promo_state), ("awaiting", "released"))
        self.pay(first)
        self.pay(second)
        self.assertEqual(first.promo_state, "refused")
        self.assertFalse(first.bonus_transaction_id)
        self.assertIn("was not granted", first.message_ids[:1].body)
        self.assertEqual(self.wallet.paid_amount, 50, "the payment itself is credited")
        self.assertFalse(self.bonus_lots())
        self.assertEqual(len(self.bonus_lots(other)), 1)
        self.assertEqual(self.promo.use_count, 1)

    def test_recharge_paid_after_giving_its_use_back_gets_its_bonus_while_the_code_allows_it(self):
        """Test that a failed recharge paid later gets its bonus if the code still has a use then."""
        self.promo.max_uses = 1
        recharge = self.recharge(50)
        recharge._prepaid_payment_failed()
        recharge._prepaid_payment_started()
        self.assertEqual(recharge.promo_state, "reserved", "the use is reserved again when the payment starts")
        self.pay(recharge)
        self.assertEqual((recharge.promo_state, self.wallet.bonus_amount, self.promo.use_count), ("granted", 5, 1))

    def test_released_recharge_is_checked_again_when_paid(self):
        """Test that a recharge whose use was given back is refused the bonus once the code has expired."""
        self.promo.date_to = fields.Date.today()
        recharge = self.recharge(50)
        recharge._prepaid_payment_failed()
        with freeze_time(fields.Date.today() + timedelta(days=2)):
            self.pay(recharge)
        self.assertEqual(recharge.promo_state, "refused")
        self.assertFalse(self.bonus_lots())

    # ------------------------------------------------------------------
    # Refusals
    # ------------------------------------------------------------------

    def test_unknown_promo_code_is_refused(self):
        """Test that a code that does not exist (in the wallet's company) is refused."""
        self.assertPromoRefused("NOPE", 50, "does not exist")

    def test_promo_code_of_another_company_is_unknown(self):
        """Test that codes are per company: another company's code does not exist here."""
        other = self.setup_other_company()["company"]
        self.make_promo(code="ELSEWHERE", company_id=other.id)
        self.assertPromoRefused("ELSEWHERE", 50, "does not exist")

    def test_inactive_promo_code_is_refused(self):
        """Test that an archived promo code is refused."""
        self.promo.active = False
        self.assertPromoRefused("WELCOME10", 50, "no longer active")

    def test_expired_and_future_promo_codes_are_refused(self):
        """Test that a code is refused outside its date range."""
        today = fields.Date.today()
        self.promo.date_to = today - timedelta(days=1)
        self.assertPromoRefused("WELCOME10", 50, "has expired")
        self.promo.write({"date_to": False, "date_from": today + timedelta(days=1)})
        self.assertPromoRefused("WELCOME10", 50, "is valid from")

    def test_recharge_below_the_minimum_is_refused(self):
        """Test that a recharge below the promo's minimum is refused, and the minimum itself accepted."""
        self.promo.min_amount = 100
        self.assertPromoRefused("WELCOME10", 99.99, "at least 100")
        self.assertEqual(self.recharge(100).promo_bonus_amount, 10)

    def test_promo_in_another_currency_is_refused(self):
        """Test that a code limited to EUR is refused for a wallet in another currency."""
        self.promo.currency_id = self.setup_other_currency("EUR")
        self.assertPromoRefused("WELCOME10", 50, "in EUR only")

    def test_used_up_promo_code_is_refused(self):
        """Test that a code with all its uses taken by confirmed recharges is refused."""
        self.promo.write({"max_uses": 1, "max_uses_per_customer": 0})
        other = self.env["prepaid.wallet"].sudo()._get_or_create(
            self.env["res.partner"].create({"name": "Beta", "is_company": True}), self.currency, self.company
        )
        self.recharge(50, wallet=other)
        self.assertPromoRefused("WELCOME10", 50, "used up")

    def test_promo_code_used_by_the_customer_is_refused(self):
        """Test that one use per customer refuses the customer's second recharge with the code."""
        self.recharge(50)
        self.assertPromoRefused("WELCOME10", 50, "as often as allowed")

    def test_promo_code_is_checked_again_at_confirmation(self):
        """Test that a code used up between the summary and the confirmation refuses the confirmation."""
        self.promo.write({"max_uses": 1, "max_uses_per_customer": 0})
        summary = self.recharge(50, confirm=False)
        other = self.env["prepaid.wallet"].sudo()._get_or_create(
            self.env["res.partner"].create({"name": "Beta", "is_company": True}), self.currency, self.company
        )
        self.recharge(50, wallet=other)
        with unittest.TestCase.assertRaises(self, UserError):
            summary.action_confirm()
        self.assertEqual(summary.state, "draft")
        self.assertFalse(summary.invoice_id)

    def test_confirmed_recharge_keeps_its_bonus_when_the_code_ends_before_payment(self):
        """Test that the bonus promised at confirmation is granted even if the code expired since."""
        self.promo.write({"max_uses": 1, "date_to": fields.Date.today()})
        recharge = self.recharge(50)
        self.promo.write({"active": False, "bonus_percent": 50})
        with freeze_time(fields.Date.today() + timedelta(days=3)):
            self.pay(recharge)
        self.assertEqual(self.wallet.bonus_amount, 5)
