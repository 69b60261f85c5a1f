# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from ..models.prepaid_domain_tld import tld_format_error
from .domain_common import PrepaidDomainCommon

OPERATIONS = ("register", "transfer", "renew", "restore")


@tagged("post_install", "-at_install")
class TestDomainPrice(PrepaidDomainCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A full matrix: list price 10 * years + offset, member one less; Elite
        # only for 1 year, so that other year counts fall back to the list.
        for offset, operation in enumerate(OPERATIONS):
            for years in range(1, 11):
                cls.set_price(operation, years, 10 * years + offset)
                cls.set_price(operation, years, 10 * years + offset - 1, plan=cls.member)
            cls.set_price(operation, 1, 5 + offset, plan=cls.elite)

    def set_plan(self, plan):
        self.wallet._set_plan(plan, reason="test")

    def test_price_lookup_for_every_operation_and_year_count(self):
        """Test that a wallet without a plan gets list prices and a Member wallet its plan prices, everywhere."""
        for offset, operation in enumerate(OPERATIONS):
            for years in range(1, 11):
                with self.subTest(operation=operation, years=years):
                    price, line = self.Price._get_domain_price(self.wallet, self.com, operation, years)
                    self.assertEqual(price, 10 * years + offset)
                    self.assertFalse(line.plan_id)
        self.set_plan(self.member)
        for offset, operation in enumerate(OPERATIONS):
            for years in range(1, 11):
                with self.subTest(operation=operation, years=years, plan="member"):
                    price, line = self.Price._get_domain_price(self.wallet, ".com", operation, years)
                    self.assertEqual(price, 10 * years + offset - 1)
                    self.assertEqual(line.plan_id, self.member)

    def test_plan_without_a_price_falls_back_to_the_list_price(self):
        """Test that a plan price wins where it exists and the list price applies elsewhere."""
        self.set_plan(self.elite)
        self.assertEqual(self.Price._get_domain_price(self.wallet, self.com, "renew", 1)[0], 7)
        price, line = self.Price._get_domain_price(self.wallet, self.com, "renew", 3)
        self.assertEqual(price, 32)
        self.assertFalse(line.plan_id)

    def test_missing_price_or_bad_request_is_a_clear_error(self):
        """Test that an unpriced TLD or currency, an unknown operation and bad years are refused clearly."""
        Tld = self.env["prepaid.domain.tld"]
        it = Tld.search([("name", "=", ".it")]) or Tld.create({"name": ".it"})
        self.Price.search([("tld_id", "=", it.id), ("company_id", "=", self.company.id)]).unlink()
        with self.assertRaisesRegex(UserError, r"No price to Register \.it for 1 year"):
            self.Price._get_domain_price(self.wallet, it, "register", 1)
        for operation, years in (("delete", 1), ("renew", 0), ("renew", 11), ("renew", "2"), ("renew", True)):
            with self.subTest(operation=operation, years=years), self.assertRaises(UserError):
                self.Price._get_domain_price(self.wallet, self.com, operation, years)
        with self.assertRaisesRegex(UserError, "Unknown domain extension"):
            self.Price._get_domain_price(self.wallet, ".nope", "renew", 1)

    @mute_logger("odoo.sql_db")
    def test_price_lines_are_unique_positive_and_in_range(self):
        """Test that a second list price for the same key, a negative price or 11 years are refused."""
        cases = [
            {"operation": "renew", "years": 1, "price": 3},  # the list price exists: NULL plans are one key
            {"operation": "renew", "years": 11, "price": 3},
            {"operation": "renew", "years": 1, "price": -1, "plan": self.prestige},
        ]
        for vals in cases:
            with self.subTest(vals=vals), self.assertRaises(IntegrityError), self.env.cr.savepoint():
                self.set_price(vals["operation"], vals["years"], vals["price"], plan=vals.get("plan"))
                self.Price.flush_model()

    def test_tld_format(self):
        """Test that TLDs must be lowercase, start with a dot, and be valid labels or punycode."""
        for good in (".com", ".co.uk", ".xn--p1ai", ".museum"):
            self.assertIsNone(tld_format_error(self.env, good), good)
        for bad in ("com", ".COM", ".-com", ".co..uk", ".xn--", ".ab--cd", ".123", ".c", "", None, ".com "):
            self.assertTrue(tld_format_error(self.env, bad), bad)
        with self.assertRaises(ValidationError):
            self.env["prepaid.domain.tld"].create({"name": ".Bad"})


@tagged("post_install", "-at_install")
class TestDomainOperation(PrepaidDomainCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for offset, operation in enumerate(OPERATIONS):
            for years in (1, 2):
                cls.set_price(operation, years, (10 + offset) * years)
                cls.set_price(operation, years, (8 + offset) * years, plan=cls.member)
        cls.Domain = cls.env["prepaid.domain"]
        cls.domain = cls.Domain.create({"name": "Example.COM", "wallet_id": cls.wallet.id})

    def domain_snapshot(self, domain=None):
        domain = domain or self.domain
        domain.invalidate_recordset()
        return (
            self.ledger_snapshot(),
            domain.expiry_date,
            domain.state,
            self.env["prepaid.domain.operation"].sudo().search_count([("domain_id", "=", domain.id)]),
        )

    def test_domain_name_is_normalised_and_gets_the_longest_tld(self):
        """Test that the name is lowercased and .co.uk wins over .uk; bad names are refused."""
        self.assertEqual(self.domain.name, "example.com")
        self.assertEqual(self.domain.tld_id, self.com)
        Tld = self.env["prepaid.domain.tld"]
        couk = Tld.create({"name": ".co.uk"})
        Tld.search([("name", "=", ".uk")]) or Tld.create({"name": ".uk"})
        self.assertEqual(self.Domain.create({"name": "shop.co.uk", "wallet_id": self.wallet.id}).tld_id, couk)
        for bad in ("com", "bad_name.com", "example.unknowntld", "-x.com"):
            with self.subTest(name=bad), self.assertRaises(ValidationError), self.env.cr.savepoint():
                self.Domain.create({"name": bad, "wallet_id": self.wallet.id})

    @freeze_time("2026-11-21")
    def test_register_debits_the_plan_price_and_sets_the_expiry(self):
        """Test that registering debits the price as a purchase, with the
        remaining credit, and sets the expiry; the debit is described in the
        customer's language, whoever registers."""
        self.activate_lang("it_IT")
        self.customer.lang = "it_IT"
        self.credit(100)
        self.wallet._set_plan(self.member, reason="test")
        result = self.domain.execute_operation("register", 2)
        op = self.env["prepaid.domain.operation"].browse(result["operation_id"])
        self.assertEqual(self.domain.state, "active")
        self.assertEqual(self.domain.expiry_date, date(2028, 11, 21))
        self.assertRecordValues(op, [{
            "operation": "register", "years": 2, "amount": 16, "plan_id": self.member.id,
            "old_expiry_date": False, "new_expiry_date": date(2028, 11, 21),
        }])
        tx = op.transaction_id
        self.assertRecordValues(tx, [{
            "wallet_id": self.wallet.id, "movement_type": "debit", "purpose": "purchase",
            "amount": -16, "balance_after": 84,
        }])
        self.assertEqual(tx.source_ref, op)
        self.assertEqual(tx.name, "Registra example.com, 2 anno/i")
        self.assertEqual(op.with_context(lang="en_US").display_name, "Register example.com, 2 year(s)")
        self.assertEqual(result["balance"], 84)
        self.assertEqual(op.balance_after, 84)
        self.assertLedgerConsistent()

    @freeze_time("2026-11-21")
    def test_renew_adds_years_to_the_expiry(self):
        """Test that a renewal extends the current expiry date, at the list price without a plan."""
        self.credit(100)
        self.domain.execute_operation("register", 1)
        self.domain.execute_operation("renew", 2)
        self.assertEqual(self.domain.expiry_date, date(2029, 11, 21))
        self.assertEqual(self.wallet.balance, 100 - 10 - 24)
        self.assertEqual(
            self.domain.operation_ids.transaction_id.mapped("balance_after"), [66, 90]
        )

    def test_transfer_extends_the_expiry_at_the_losing_registrar(self):
        """Test that a transfer adds its years to the expiry date recorded before the transfer."""
        self.credit(100)
        with freeze_time("2026-11-21"):
            self.domain.expiry_date = date(2027, 3, 1)
            self.domain.execute_operation("transfer", 1)
        self.assertEqual(self.domain.expiry_date, date(2028, 3, 1))
        self.assertEqual(self.wallet.balance, 89)

    def test_restore_only_after_expiry_and_renew_only_within_grace(self):
        """Test that restore is refused before expiry, renew after the grace period, and restore then restarts today."""
        self.credit(200)
        with freeze_time("2026-01-10"):
            self.domain.execute_operation("register", 1)
            with self.assertRaisesRegex(UserError, "has not expired"):
                self.domain.execute_operation("restore", 1)
        with freeze_time("2027-03-01"):
            with self.assertRaisesRegex(UserError, "restore it instead"):
                self.domain.execute_operation("renew", 1)
            self.domain.execute_operation("restore", 1)
            self.assertEqual(self.domain.expiry_date, date(2028, 3, 1))
        self.assertEqual(self.wallet.balance, 200 - 10 - 13)

    def test_register_twice_or_renew_unregistered_is_refused(self):
        """Test that operations that do not fit the domain's state are refused and write nothing."""
        self.credit(100)
        with self.assertRaisesRegex(UserError, "not registered"):
            self.domain.execute_operation("renew", 1)
        self.domain.execute_operation("register", 1)
        before = self.domain_snapshot()
        with self.assertRaisesRegex(UserError, "already registered"):
            self.domain.execute_operation("transfer", 1)
        self.assertEqual(self.domain_snapshot(), before)

    def test_insufficient_credit_refuses_and_writes_nothing(self):
        """Test that an operation costing more than the credit is refused with nothing written."""
        self.credit(5)
        before = self.domain_snapshot()
        with self.assertRaisesRegex(UserError, "Insufficient credit"):
            self.domain.execute_operation("register", 1)
        self.assertEqual(self.domain_snapshot(), before)
        self.assertEqual(self.domain.state, "draft")
        self.assertFalse(self.domain.expiry_date)

    def test_usage_debt_does_not_pay_a_domain(self):
        """Test that a wallet in debt cannot buy a domain, and a cloud-only wallet refuses purchases."""
        self.debit(3)  # usage: debt
        with self.assertRaises(UserError):
            self.domain.execute_operation("register", 1)
        cloud_customer = self.env["res.partner"].create({"name": "Cloud Only", "is_company": True})
        cloud_wallet = self.env["prepaid.wallet"].sudo().create(
            {"partner_id": cloud_customer.id, "company_id": self.company.id, "currency_id": self.currency.id}
        )
        self.credit(100, wallet=cloud_wallet)
        domain = self.Domain.create({"name": "cloud-only.com", "wallet_id": cloud_wallet.id})
        before = self.domain_snapshot(domain)
        with self.assertRaisesRegex(UserError, "cloud usage only"):
            domain.execute_operation("register", 1)
        self.assertEqual(self.domain_snapshot(domain)[1:], before[1:])
        self.assertEqual(cloud_wallet.balance, 100)

    def test_same_request_twice_is_applied_once(self):
        """Test that repeating an operation with the caller's key returns the first one, charged once."""
        self.credit(100)
        first = self.domain.execute_operation("register", 1, idempotency_key="order-77")
        # The domain moved on; a replay with the same key changes nothing.
        again = self.domain.execute_operation("register", 1, idempotency_key="order-77")
        self.assertEqual(again["operation_id"], first["operation_id"])
        self.assertEqual(self.wallet.balance, 90)
        self.assertEqual(len(self.domain.operation_ids), 1)
        with self.assertRaisesRegex(UserError, "already used"):
            self.domain.execute_operation("renew", 1, idempotency_key="order-77")

    def test_caller_key_never_takes_the_key_of_another_domains_operation(self):
        """Test that a caller sending the internal key of another domain's renewal does not block it."""
        self.credit(100)
        other = self.env["prepaid.domain"].create({"name": "beta-example.com", "wallet_id": self.wallet.id})
        self.domain.execute_operation("register", 1)
        other.execute_operation("register", 1)
        internal_key = other._get_operation_key("renew")
        self.domain.execute_operation("renew", 1, idempotency_key=internal_key)
        renewal = other.execute_operation("renew", 1)
        self.assertEqual(self.env["prepaid.domain.operation"].browse(renewal["operation_id"]).domain_id, other)
        self.assertEqual(self.wallet.balance, 100 - 10 - 10 - 12 - 12)

    def test_key_with_a_character_that_cannot_be_stored_is_refused(self):
        """Test that an operation key with a NUL or a lone surrogate is a clear error and writes nothing."""
        self.credit(100)
        for key in ("k\x00", "k\ud800"):
            with self.subTest(key=key), self.assertRaisesRegex(ValidationError, "not allowed"):
                self.domain.execute_operation("register", 1, idempotency_key=key)
        with self.assertRaisesRegex(ValidationError, "not allowed"):
            self.domain.execute_operation("renew\x00", 1)
        self.assertFalse(self.domain.operation_ids)
        self.assertEqual(self.wallet.balance, 100)

    def test_operation_needs_a_manager_or_integration_user(self):
        """Test that a plain prepaid user cannot run domain operations and the operation log is read-only."""
        self.credit(100)
        reader = new_test_user(self.env, "dom-reader", groups="base.group_user,prepaid_cloud_credit.group_prepaid_user",
                               company_id=self.company.id, company_ids=[(6, 0, self.company.ids)])
        with self.assertRaises(AccessError):
            self.domain.with_user(reader).execute_operation("register", 1)
        self.assertEqual(self.wallet.balance, 100)
        self.domain.execute_operation("register", 1)
        with self.assertRaises(AccessError):
            self.domain.operation_ids.years = 5
        with self.assertRaises(UserError):
            self.domain.expiry_date = date(2040, 1, 1)

    def test_backend_wizard_shows_the_price_and_applies_the_operation(self):
        """Test that the operation wizard previews price and expiry, then registers the domain."""
        self.credit(100)
        with freeze_time("2026-11-21"):
            form = Form(self.env["prepaid.domain.operate"].with_context(
                default_domain_id=self.domain.id, default_operation="register"))
            form.years = 2
            self.assertEqual(form.price, 20)
            self.assertEqual(form.new_expiry_date, date(2028, 11, 21))
            form.save().action_apply()
        self.assertEqual(self.domain.expiry_date, date(2028, 11, 21))
        self.assertEqual(self.wallet.balance, 80)
        form = Form(self.env["prepaid.domain.operate"].with_context(
            default_domain_id=self.domain.id, default_operation="register"))
        self.assertIn("already registered", form.price_error)
