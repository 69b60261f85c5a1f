# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import re
import unittest
from datetime import date, timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tests.common import new_test_user
from odoo.tools import mute_logger

from odoo.addons.prepaid_cloud_credit.tests.common import PrepaidCommon

from ..models.prepaid_voucher_attempt import PARAM_MAX_FAILURES, PARAM_WINDOW_MINUTES
from ..models.prepaid_voucher_batch import VOUCHER_CODE_ALPHABET

CODE_FORMAT = re.compile(rf"^PCC(-[{VOUCHER_CODE_ALPHABET}]{{4}}){{3}}$")


@tagged("post_install", "-at_install")
class TestVoucher(PrepaidCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Voucher = cls.env["prepaid.voucher"]
        cls.Redemption = cls.env["prepaid.voucher.redemption"]
        cls.Attempt = cls.env["prepaid.voucher.attempt"]
        cls.batch = cls.make_batch()
        cls.portal_user = new_test_user(
            cls.env, login="voucher_portal", groups="base.group_portal", partner_id=cls.customer.id
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Beta Hosting", "is_company": True})
        cls.other_wallet = cls.env["prepaid.wallet"].sudo().create(
            {"partner_id": cls.other_customer.id, "company_id": cls.company.id, "currency_id": cls.currency.id}
        )

    @classmethod
    def make_batch(cls, **vals):
        batch = cls.env["prepaid.voucher.batch"].create({
            "name": "Welcome vouchers",
            "company_id": cls.company.id,
            "currency_id": cls.currency.id,
            "amount": 20,
            "code_count": 5,
            **vals,
        })
        batch.action_generate_codes()
        batch.action_activate()
        return batch

    def code(self, batch=None):
        return (batch or self.batch).voucher_ids[0].code

    def redeem(self, code, wallet=None, user=None, ip="198.51.100.7"):
        # What the portal does: the service in sudo, on behalf of the portal user.
        return self.Voucher.sudo()._redeem_code(code, wallet or self.wallet, user=user or self.portal_user, ip=ip)

    def assertRefused(self, code, message, wallet=None, **kw):
        """Assert that redeeming ``code`` raises ``message`` and writes nothing.

        Odoo's assertRaises would roll a savepoint back and hide a write made
        before the error; the plain unittest one proves the checks run first.
        """
        wallet = wallet or self.wallet
        before = (self.ledger_snapshot(wallet), self.Redemption.search_count([]))
        use_counts = self.Voucher.with_context(active_test=False).search([]).mapped("use_count")
        with unittest.TestCase.assertRaises(self, UserError) as caught:
            self.redeem(code, wallet=wallet, **kw)
        self.assertIn(message, str(caught.exception))
        self.assertEqual((self.ledger_snapshot(wallet), self.Redemption.search_count([])), before)
        self.assertEqual(self.Voucher.with_context(active_test=False).search([]).mapped("use_count"), use_counts)
        return caught.exception

    # ------------------------------------------------------------------
    # Generation
    # ------------------------------------------------------------------

    def test_generate_codes_creates_unique_codes_in_the_voucher_format(self):
        """Test that generating a batch creates its number of distinct, unambiguous PCC-XXXX-XXXX-XXXX codes."""
        batch = self.make_batch(code_count=200)
        codes = batch.voucher_ids.mapped("code")
        self.assertEqual(len(codes), 200)
        self.assertEqual(len(set(codes)), 200)
        for code in codes:
            self.assertRegex(code, CODE_FORMAT)
        self.assertFalse(set("".join(codes)) & set("01IOLU"), "no look-alike characters")

    def test_generating_again_only_adds_the_missing_codes(self):
        """Test that raising the number of codes and generating again keeps the existing codes."""
        existing = self.batch.voucher_ids
        self.batch.code_count = 8
        self.batch.action_generate_codes()
        self.assertEqual(len(self.batch.voucher_ids), 8)
        self.assertLessEqual(existing, self.batch.voucher_ids)
        self.batch.action_generate_codes()
        self.assertEqual(len(self.batch.voucher_ids), 8)

    @mute_logger("odoo.sql_db")
    def test_a_code_exists_only_once_in_the_database(self):
        """Test that the unique index refuses a second voucher with the same code."""
        with self.assertRaises(IntegrityError):
            self.Voucher.create({"batch_id": self.make_batch().id, "code": self.code()})

    # ------------------------------------------------------------------
    # Redemption
    # ------------------------------------------------------------------

    def test_redeeming_a_code_credits_a_voucher_lot_and_records_who_redeemed_it(self):
        """Test that a code gives its batch amount as a voucher lot, with a redemption record."""
        voucher = self.batch.voucher_ids[0]
        tx = self.redeem(voucher.code)
        self.assertRecordValues(tx, [{"movement_type": "credit", "amount": 20}])
        lot = tx.allocation_ids.lot_id
        self.assertEqual(lot.kind, "voucher")
        self.assertEqual(self.wallet.voucher_amount, 20)
        redemption = voucher.redemption_ids
        self.assertRecordValues(redemption, [{
            "wallet_id": self.wallet.id,
            "partner_id": self.customer.id,
            "user_id": self.portal_user.id,
            "ip_address": "198.51.100.7",
            "amount": 20,
            "transaction_id": tx.id,
            "batch_id": self.batch.id,
        }])
        self.assertEqual(redemption.lot_id, lot)
        self.assertEqual(tx.source_ref, redemption)
        self.assertEqual(voucher.use_count, 1)
        self.assertLedgerConsistent()

    def test_code_is_found_whatever_its_case_spaces_and_dashes(self):
        """Test that a code typed in lower case, with spaces, without dashes or prefix is recognised."""
        codes = self.batch.voucher_ids.mapped("code")
        typed = [
            codes[0].lower(),
            "  " + codes[1].replace("-", " ") + " ",
            codes[2].replace("-", ""),
            codes[3][4:],
        ]
        for code in typed:
            self.redeem(code)
        self.assertEqual(self.wallet.voucher_amount, 80)

    def test_voucher_credit_is_consumed_before_paid_credit(self):
        """Test that a debit takes the voucher lot first, then the paid credit."""
        self.credit(50)
        self.redeem(self.code())
        self.debit(30)
        self.assertEqual(self.wallet.voucher_amount, 0)
        self.assertEqual(self.wallet.paid_amount, 40)
        self.assertLedgerConsistent()

    def test_voucher_lot_follows_the_company_expiry_policy_by_default(self):
        """Test that without its own policy a voucher lot expires under the company's voucher policy."""
        self.company.write({"prepaid_voucher_expiry": "months", "prepaid_voucher_expiry_months": 13})
        with freeze_time("2026-11-21"):
            tx = self.redeem(self.code())
        self.assertEqual(tx.allocation_ids.lot_id.expiry_date, date(2027, 12, 21))

    def test_voucher_lot_expires_months_after_activation(self):
        """Test that a batch expiring N months after activation dates the lot from the activation day."""
        batch = self.make_batch(expiry_policy="months", expiry_months=3)
        with freeze_time("2026-11-21"):
            tx = self.redeem(self.code(batch))
        self.assertEqual(tx.allocation_ids.lot_id.expiry_date, date(2027, 2, 21))

    def test_voucher_lot_expires_on_the_batch_date(self):
        """Test that a batch with a fixed expiry date gives lots expiring on that date."""
        expiry = fields.Date.today() + relativedelta(months=6)
        batch = self.make_batch(expiry_policy="date", expiry_date=expiry)
        tx = self.redeem(self.code(batch))
        self.assertEqual(tx.allocation_ids.lot_id.expiry_date, expiry)

    def test_customer_may_use_a_code_as_often_as_the_batch_allows(self):
        """Test that with two uses per customer the third activation by the same customer is refused."""
        batch = self.make_batch(max_uses=5, max_uses_per_customer=2)
        code = self.code(batch)
        first, second = self.redeem(code), self.redeem(code)
        self.assertNotEqual(first, second, "each use is its own ledger movement")
        self.assertEqual(self.wallet.voucher_amount, 40)
        self.assertRefused(code, "as often as allowed")

    def test_a_code_used_up_by_other_customers_is_refused(self):
        """Test that the total uses of a code count every customer's activations."""
        batch = self.make_batch(max_uses=2, max_uses_per_customer=1)
        code = self.code(batch)
        self.redeem(code, wallet=self.other_wallet)
        self.redeem(code)
        third = self.env["prepaid.wallet"].sudo()._get_or_create(
            self.env["res.partner"].create({"name": "Gamma", "is_company": True}), self.currency, self.company
        )
        self.assertRefused(code, "already been used", wallet=third)

    # ------------------------------------------------------------------
    # Refusals: each one clear, and nothing written
    # ------------------------------------------------------------------

    def test_unknown_code_is_refused(self):
        """Test that a code that does not exist is refused."""
        self.assertRefused("PCC-AAAA-BBBB-CCCC", "does not exist")

    def test_empty_code_is_refused_without_counting_an_attempt(self):
        """Test that an empty code asks for a code and records no failed attempt."""
        self.assertRefused("  - ", "Enter a voucher code")
        self.assertFalse(self.Attempt.search_count([]))

    def test_code_of_an_expired_batch_is_refused(self):
        """Test that a code is refused after the last day of activation of its batch."""
        batch = self.make_batch(redeem_until=fields.Date.today() - timedelta(days=1))
        self.assertRefused(self.code(batch), "has expired")

    def test_code_is_accepted_on_the_last_day_of_activation(self):
        """Test that the last day of activation is inclusive."""
        batch = self.make_batch(redeem_until=fields.Date.today())
        self.assertTrue(self.redeem(self.code(batch)))

    def test_code_of_a_draft_or_archived_batch_is_refused(self):
        """Test that only the codes of an active batch can be activated."""
        draft = self.env["prepaid.voucher.batch"].create(
            {"name": "Draft", "amount": 10, "code_count": 1, "company_id": self.company.id}
        )
        draft.action_generate_codes()
        self.assertRefused(self.code(draft), "is not active")
        self.batch.action_archive_batch()
        self.assertRefused(self.code(), "is not active")

    def test_deactivated_code_is_refused(self):
        """Test that a code deactivated by a manager (leaked, lost) is refused."""
        voucher = self.batch.voucher_ids[0]
        code = voucher.code
        voucher.active = False
        self.assertRefused(code, "is not active")

    def test_code_in_another_currency_is_refused(self):
        """Test that a code giving EUR credit cannot be activated in a wallet in another currency."""
        eur = self.setup_other_currency("EUR")
        batch = self.make_batch(currency_id=eur.id)
        self.assertRefused(self.code(batch), f"not in {self.currency.name}")

    def test_code_of_another_company_is_refused(self):
        """Test that a code of one company cannot credit a wallet of another company."""
        other_company = self.setup_other_company()["company"]
        wallet = self.env["prepaid.wallet"].sudo().create({
            "partner_id": self.customer.id, "company_id": other_company.id, "currency_id": self.currency.id,
        })
        self.assertRefused(self.code(), "not valid for", wallet=wallet)

    def test_archived_wallet_is_refused(self):
        """Test that a code cannot credit an archived wallet, and the code keeps its use."""
        self.wallet.active = False
        self.assertRefused(self.code(), "archived")

    # ------------------------------------------------------------------
    # Rate limiting
    # ------------------------------------------------------------------

    def fail_attempts(self, times, user=None, ip="198.51.100.7"):
        for i in range(times):
            self.assertRefused(f"PCC-ZZZZ-ZZZZ-ZZ{i:02d}", "does not exist", user=user, ip=ip)

    def test_failed_attempt_is_recorded_without_the_code(self):
        """Test that a failed activation records user, address and reason, and only a hash of the code."""
        self.fail_attempts(1)
        attempt = self.Attempt.search([])
        self.assertRecordValues(attempt, [{
            "user_id": self.portal_user.id, "ip_address": "198.51.100.7", "reason": "unknown",
            "partner_id": self.customer.id, "company_id": self.company.id,
        }])
        self.assertTrue(attempt.code_hash)
        self.assertNotIn("ZZZZ", attempt.code_hash)

    def test_too_many_failures_of_a_user_block_even_a_valid_code(self):
        """Test that after five failures in fifteen minutes a user cannot activate a valid code."""
        # From a different address each time: the user is what is counted.
        for i in range(5):
            self.fail_attempts(1, ip=f"203.0.113.{i}")
        error = self.assertRefused(self.code(), "Too many failed voucher attempts", ip="192.0.2.1")
        self.assertIn("15 minutes", str(error))
        self.assertTrue(self.Attempt.search([("reason", "=", "blocked")]))

    def test_four_failures_do_not_block(self):
        """Test that the limit is reached at the fifth failure, not before."""
        self.fail_attempts(4)
        self.assertTrue(self.redeem(self.code()))

    def test_too_many_failures_from_an_address_block_every_user(self):
        """Test that five failures from one address block another user there, not elsewhere."""
        for i in range(5):
            user = new_test_user(self.env, login=f"guesser{i}", groups="base.group_portal")
            self.fail_attempts(1, user=user, ip="198.51.100.66")
        self.assertRefused(self.code(), "Too many failed voucher attempts", ip="198.51.100.66")
        self.assertTrue(self.redeem(self.code(), ip="198.51.100.67"))

    def test_block_lifts_when_the_failures_leave_the_window(self):
        """Test that the block tells how long it lasts and lifts fifteen minutes after the failures."""
        with freeze_time("2026-11-21 10:00:00"):
            self.fail_attempts(5)
        with freeze_time("2026-11-21 10:11:30"):
            error = self.assertRefused(self.code(), "Too many failed voucher attempts")
            self.assertIn("Try again in 4 minutes", str(error))
        with freeze_time("2026-11-21 10:15:01"):
            self.assertTrue(self.redeem(self.code()))

    def test_refusals_while_blocked_do_not_extend_the_block(self):
        """Test that attempts refused by the block are not counted as failures."""
        with freeze_time("2026-11-21 10:00:00"):
            self.fail_attempts(5)
        with freeze_time("2026-11-21 10:14:00"):
            for _i in range(3):
                self.assertRefused("PCC-ZZZZ-ZZZZ-ZZZZ", "Too many failed voucher attempts")
        with freeze_time("2026-11-21 10:15:01"):
            self.assertTrue(self.redeem(self.code()))

    def test_rate_limit_follows_the_system_parameters(self):
        """Test that the number of failures and the window come from the system parameters."""
        ICP = self.env["ir.config_parameter"].sudo()
        ICP.set_param(PARAM_MAX_FAILURES, "2")
        ICP.set_param(PARAM_WINDOW_MINUTES, "60")
        with freeze_time("2026-11-21 10:00:00"):
            self.fail_attempts(2)
        with freeze_time("2026-11-21 10:45:00"):
            error = self.assertRefused(self.code(), "Too many failed voucher attempts")
            self.assertIn("15 minutes", str(error))

    def test_failed_attempt_is_written_in_a_cursor_of_its_own(self):
        """Test that outside a test transaction the attempt is committed by a cursor of its own.

        Odoo's test mode hands out cursors on the test transaction, which is
        what lets the committed attempt be read back here.
        """
        self.registry.enter_test_mode(self.cr)
        self.addCleanup(self.registry.leave_test_mode)
        registry_cursor = type(self.registry).cursor
        opened = []

        def cursor(registry, *args, **kwargs):
            cr = registry_cursor(registry, *args, **kwargs)
            opened.append(cr)
            return cr

        with patch.object(type(self.registry), "cursor", cursor):
            self.fail_attempts(1)
        self.assertEqual(len(opened), 1)
        self.assertIsNot(opened[0], self.cr)
        self.assertTrue(opened[0]._closed, "committed and closed at once")
        self.assertEqual(self.Attempt.search_count([("reason", "=", "unknown")]), 1)

    # ------------------------------------------------------------------
    # Access and integrity
    # ------------------------------------------------------------------

    def test_portal_user_has_no_access_to_vouchers(self):
        """Test that a portal user reads no batch, code or redemption: the portal goes through the service."""
        self.redeem(self.code())
        for model in ("prepaid.voucher.batch", "prepaid.voucher", "prepaid.voucher.redemption"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.portal_user).search([])

    def test_prepaid_user_reads_batches_but_cannot_create_them(self):
        """Test that a prepaid user sees batches and redemptions, and only a manager creates batches."""
        user = new_test_user(self.env, login="voucher_reader", groups="prepaid_cloud_credit.group_prepaid_user")
        self.redeem(self.code())
        self.assertEqual(self.env["prepaid.voucher.batch"].with_user(user).search([]), self.batch)
        self.assertEqual(self.Redemption.with_user(user).search_count([]), 1)
        with self.assertRaises(AccessError):
            self.env["prepaid.voucher.batch"].with_user(user).create({"name": "Mine", "amount": 5})

    def test_redemptions_are_written_by_the_service_only(self):
        """Test that even a manager cannot create or change a redemption by hand."""
        tx = self.redeem(self.code())
        with self.assertRaises(AccessError):
            self.Redemption.create({"voucher_id": self.batch.voucher_ids[0].id, "wallet_id": self.wallet.id})
        with self.assertRaises(AccessError):
            self.Redemption.search([("transaction_id", "=", tx.id)]).amount = 1000

    def test_credit_of_a_batch_cannot_change_once_a_code_was_activated(self):
        """Test that the amount of a batch is frozen by its first activation, even of an archived code."""
        self.redeem(self.code())
        self.batch.voucher_ids[0].active = False
        with self.assertRaises(UserError):
            self.batch.amount = 200

    def test_rate_limit_is_set_in_the_settings(self):
        """Test that the settings show the defaults and write the system parameters."""
        settings = self.env["res.config.settings"].create({})
        self.assertEqual((settings.prepaid_voucher_max_failures, settings.prepaid_voucher_failure_minutes), (5, 15))
        settings.write({"prepaid_voucher_max_failures": 3, "prepaid_voucher_failure_minutes": 30})
        settings.execute()
        self.assertEqual(self.Attempt._get_rate_limit(), (3, 30))

    def test_manager_activates_a_code_for_a_customer_from_the_wallet(self):
        """Test that the wallet's "Activate a voucher" wizard credits the code through the same service."""
        wizard = Form(self.env["prepaid.wallet.redeem"].with_context(default_wallet_id=self.wallet.id))
        wizard.code = self.code().lower()
        wizard.save().action_redeem()
        self.assertEqual(self.wallet.voucher_amount, 20)
        self.assertEqual(self.batch.voucher_ids[0].redemption_ids.user_id, self.env.user)
