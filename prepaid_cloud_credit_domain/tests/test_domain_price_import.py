# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import base64

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .domain_common import PrepaidDomainCommon

GOOD_CSV = """tld,operation,years,price,plan,currency
.com,register,1,12.00,,{currency}
.com,register,2,24.00,,{currency}
.com,register,1,10.50,member,{currency}
.co.uk,renew,3,27,elite,{currency}
.xn--p1ai,transfer,1,0,,{currency}
"""


@tagged("post_install", "-at_install")
class TestDomainPriceImport(PrepaidDomainCommon):

    def run_import(self, text, currency=None):
        wizard = self.env["prepaid.domain.price.import"].create({
            "company_id": self.company.id,
            "currency_id": (currency or self.currency).id,
            "file": base64.b64encode(text.encode()),
            "filename": "prices.csv",
        })
        wizard.action_import()
        return wizard

    def price_state(self):
        prices = self.Price.search([("company_id", "=", self.company.id)])
        return (
            sorted((p.tld_id.name, p.operation, p.years, p.plan_id.code or "", p.price) for p in prices),
            self.env["prepaid.domain.tld"].with_context(active_test=False).search_count([]),
        )

    def test_good_file_creates_prices_and_missing_tlds(self):
        """Test that a good file creates every price, the TLDs it names, and that prices are then found."""
        self.run_import(GOOD_CSV.format(currency=self.currency.name))
        prices, _tlds = self.price_state()
        self.assertIn((".com", "register", 1, "member", 10.5), prices)
        self.assertIn((".co.uk", "renew", 3, "elite", 27), prices)
        self.assertIn((".xn--p1ai", "transfer", 1, "", 0), prices)
        self.assertEqual(len(prices), 5)
        self.wallet._set_plan(self.member, reason="test")
        self.assertEqual(self.Price._get_domain_price(self.wallet, ".com", "register", 1)[0], 10.5)
        self.assertEqual(self.Price._get_domain_price(self.wallet, ".com", "register", 2)[0], 24)

    def test_second_import_updates_existing_prices(self):
        """Test that importing again upserts: changed prices are updated, the others kept, nothing duplicated."""
        self.run_import(GOOD_CSV.format(currency=self.currency.name))
        stats = self.env["prepaid.domain.price.import"].create({
            "currency_id": self.currency.id, "company_id": self.company.id, "file": base64.b64encode(b"x"),
        })._apply_rows([
            {"plan": None, "tld": ".com", "operation": "register", "years": 1, "price": 13.0},
            {"plan": self.member, "tld": ".com", "operation": "register", "years": 1, "price": 10.5},
            {"plan": self.member, "tld": ".com", "operation": "renew", "years": 1, "price": 9.0},
        ])
        self.assertEqual(stats, {"created": 1, "updated": 1, "unchanged": 1})
        prices, _tlds = self.price_state()
        self.assertIn((".com", "register", 1, "", 13), prices)
        self.assertEqual(len(prices), 6)

    def test_semicolon_separated_file_without_optional_columns(self):
        """Test that a ;-separated file with only the required columns imports list prices."""
        self.run_import("TLD;Operation;Years;Price\n.com;renew;1;11.99\n\n")
        self.assertEqual(self.Price._get_domain_price(self.wallet, ".com", "renew", 1)[0], 11.99)

    def test_bad_file_is_rejected_whole_with_every_line_number(self):
        """Test that any bad row rejects the whole file, listing each error with its line, and writes nothing."""
        self.run_import(".com,renew,1,5\n".join(["tld,operation,years,price\n", ""]))
        before = self.price_state()
        currency = self.currency.name
        text = "\n".join([
            "tld,operation,years,price,plan,currency",
            f".com,register,1,12.00,,{currency}",          # 2: good
            f"com,register,1,12.00,,{currency}",           # 3: no dot
            f".COM,renew,1,12.00,,{currency}",             # 4: uppercase
            f".com,renew,1,-1,,{currency}",                # 5: negative
            f".com,delete,1,1,,{currency}",                # 6: operation
            f".com,renew,11,1,,{currency}",                # 7: years
            f".com,renew,2,1.234,,{currency}",             # 8: decimals
            f".com,renew,3,nan,,{currency}",               # 9: not finite
            ".com,renew,4,1,,XXX",                         # 10: currency
            f".com,renew,5,1,platinum,{currency}",         # 11: plan
            f".com,register,1,11.00,,{currency}",          # 12: duplicate of line 2
            f".com,renew,6,1,,{currency},extra",           # 13: columns
            f".com,renew,7,abc,,{currency}",               # 14: price
        ])
        with self.assertRaises(UserError) as caught:
            self.run_import(text)
        message = caught.exception.args[0]
        self.assertIn("nothing was changed", message)
        for line, fragment in [
            (3, "com is not a TLD"), (4, "lowercase"), (5, "negative"), (6, "unknown operation delete"),
            (7, "from 1 to 10"), (8, "more decimals"), (9, "not a number"), (10, "currency XXX"),
            (11, "unknown plan platinum"), (12, "as line 2"), (13, "columns instead of 6"), (14, "not a number"),
        ]:
            with self.subTest(line=line):
                self.assertRegex(message, rf"Line {line}: [^\n]*{fragment}")
        self.assertNotIn("Line 2:", message)
        self.assertEqual(self.price_state(), before)

    def test_numbers_other_than_plain_decimals_are_rejected_with_their_line(self):
        """Test that years and prices written with superscripts, other scripts' digits, separators or
        exponents, or a NUL anywhere, reject the file with the line number, and nothing is written."""
        before = self.price_state()
        text = "\n".join([
            "tld,operation,years,price",
            ".com,renew,²,10",       # 2
            ".com,renew,١,10",       # 3
            ".com,renew,1,9_50",     # 4
            ".com,renew,1,١٠",       # 5
            ".com,renew,1,1e3",      # 6
        ])
        with self.assertRaises(UserError) as caught:
            self.run_import(text)
        message = caught.exception.args[0]
        for line, fragment in [(2, "whole number"), (3, "whole number"), (4, "digits 0-9"), (5, "digits 0-9"),
                               (6, "digits 0-9")]:
            with self.subTest(line=line):
                self.assertRegex(message, rf"Line {line}: [^\n]*{fragment}")
        with self.assertRaisesRegex(UserError, "Line 3: a NUL"):
            self.run_import("tld,operation,years,price\n.com,renew,1,10\n.com,renew,2,2\x000\n")
        self.assertEqual(self.price_state(), before)

    def test_bad_header_or_empty_file_is_rejected(self):
        """Test that a file without the required columns, or with no price, is refused."""
        texts = (
            "",
            "tld,operation,years\n.com,renew,1\n",
            "tld,operation,years,price,colour\n",
            "tld,operation,years,price\n",
        )
        for text in texts:
            with self.subTest(text=text), self.assertRaises(UserError):
                self.run_import(text)
        self.assertEqual(self.Price.search_count([("company_id", "=", self.company.id)]), 0)

    def test_only_managers_import_prices(self):
        """Test that a prepaid user cannot import a price list."""
        reader = new_test_user(self.env, "price-reader",
                               groups="base.group_user,prepaid_cloud_credit.group_prepaid_user",
                               company_id=self.company.id, company_ids=[(6, 0, self.company.ids)])
        with self.assertRaises(AccessError):
            self.env["prepaid.domain.price.import"].with_user(reader).create({
                "currency_id": self.currency.id,
                "file": base64.b64encode(b"tld,operation,years,price\n.com,renew,1,1\n"),
            }).action_import()
        with self.assertRaises(AccessError):
            self.env["prepaid.domain.price"].with_user(reader).create({
                "tld_id": self.com.id, "operation": "renew", "years": 1, "price": 1, "currency_id": self.currency.id,
            })

    def test_export_then_import_changes_nothing(self):
        """Test that the export writes the import format: importing it back leaves every price unchanged."""
        self.run_import(GOOD_CSV.format(currency=self.currency.name))
        before = self.price_state()
        export = self.env["prepaid.domain.price.export"].create(
            {"company_id": self.company.id, "currency_id": self.currency.id}
        )
        export.action_export()
        text = base64.b64decode(export.file).decode()
        self.assertTrue(text.startswith("tld,operation,years,price,plan,currency\n"))
        self.assertIn(f".com,register,1,10.50,member,{self.currency.name}", text)
        self.assertEqual(len(text.strip().splitlines()), 6)
        wizard = self.env["prepaid.domain.price.import"].create({
            "company_id": self.company.id, "currency_id": self.currency.id, "file": export.file,
        })
        self.assertEqual(wizard._apply_rows(wizard._parse_rows(wizard._read_csv_text())),
                         {"created": 0, "updated": 0, "unchanged": 5})
        self.assertEqual(self.price_state(), before)
