# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import re

from odoo.tests import HttpCase, tagged

from odoo.addons.prepaid_cloud_credit_renewal.tests.common import RenewalCommon

GOOD = {"l10n_it_cig": "ZAB1234567", "l10n_it_office_code": "UFABCD"}


@tagged("post_install", "-at_install")
class TestRenewalPublicAdministration(RenewalCommon, HttpCase):
    """Renewals of a public administration (an Italian customer with a
    6-character office code) from /my/services: bank transfer only, with
    the CIG, the CUP and the office code checked, then on the invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"country_id": cls.env.ref("base.it").id, "l10n_it_pa_index": "UFABCD"})

    def setUp(self):
        super().setUp()
        self.mine = self.service(10, name="pa-hosting")
        self.rivals = self.service(10, name="rival-hosting", partner=self.other_customer)

    def csrf(self):
        from odoo import http
        return http.Request.csrf_token(self)

    def summary(self, services, method="bank_transfer", **extra):
        return self.url_open("/my/services/renew", data=[
            ("csrf_token", self.csrf()), ("payment_method", method),
            *[("service_ids", str(s.id)) for s in services], *extra.items(),
        ], allow_redirects=False)

    def confirm(self, services, method="bank_transfer", **extra):
        page = self.summary(services, method)
        match = re.search(r'name="request_key" value="([0-9a-f]+)"', page.text)
        return self.summary(services, method, confirm="1", accept_terms="1",
                            request_key=match.group(1) if match else "", **extra)

    def error_of(self, response):
        match = re.search(r'id="renewal_error"[^>]*>([^<]*)</div>', response.text)
        return match and match.group(1).strip()

    def snapshot(self):
        Order = self.env["prepaid.renewal.order"].sudo()
        return (Order.search_count([]), self.env["account.move"].sudo().search_count([]),
                self.mine.expiry_date)

    def test_public_administration_sees_only_bank_transfer_and_its_codes(self):
        """Test that the summary of a public administration offers bank transfer only, asks for the CIG,
        the CUP and the office code (prefilled from the customer), and that an ordinary customer's
        summary offers every method and no code."""
        self.login(self.customer_user)
        page = self.summary(self.mine, method="credit").text
        self.assertEqual(re.findall(r'name="payment_method"[^>]*value="(\w+)"', page), ["bank_transfer"])
        self.assertIn('name="l10n_it_cig"', page)
        self.assertIn('name="l10n_it_cup"', page)
        self.assertRegex(page, r'name="l10n_it_office_code"[^>]*value="UFABCD"')
        self.assertIn("renewal_fee_line", page, "a credit choice falls back to the transfer")
        self.login(self.other_user)
        page = self.summary(self.rivals, method="credit").text
        self.assertEqual(set(re.findall(r'name="payment_method"[^>]*value="(\w+)"', page)),
                         {"credit", "online", "bank_transfer"})
        self.assertNotIn('name="l10n_it_cig"', page)

    def test_public_administration_cannot_pay_otherwise(self):
        """Test that an order of a public administration by credit or card is refused, also when called
        over the model without the portal."""
        Order = self.env["prepaid.renewal.order"].sudo()
        for method in ("credit", "online"):
            with self.assertRaisesRegex(Exception, "payment method is not available"):
                Order._create_order(self.mine, payment_method=method, **GOOD)
        self.assertEqual(Order._allowed_payment_methods(self.customer, self.company), ["bank_transfer"])

    def test_bad_codes_are_refused_writing_nothing(self):
        """Test that a missing or malformed CIG, a malformed CUP, and a missing or malformed office code
        are each refused with a clear error on the summary, and no order, invoice or renewal is written."""
        self.login(self.customer_user)
        before = self.snapshot()
        cases = [
            ({"l10n_it_office_code": "UFABCD"}, "The CIG must be 10 letters or digits."),
            ({**GOOD, "l10n_it_cig": "ZAB-123456"}, "The CIG must be 10 letters or digits."),
            ({**GOOD, "l10n_it_cig": "ZAB12345678901"}, "The CIG must be 10 letters or digits."),
            ({**GOOD, "l10n_it_cup": "J12"}, "The CUP must be 15 letters or digits."),
            ({**GOOD, "l10n_it_office_code": "UF'AB"},
             "The office code (Codice Univoco Ufficio) must be 6 letters or digits."),
            ({"l10n_it_cig": "ZAB1234567", "l10n_it_office_code": "   "},
             "The office code (Codice Univoco Ufficio) must be 6 letters or digits."),
        ]
        for extra, message in cases:
            with self.subTest(extra=extra):
                response = self.confirm(self.mine, **extra)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(self.error_of(response), message.replace("'", "&#39;"))
                self.mine.invalidate_recordset()
                self.assertEqual(self.snapshot(), before)

    def test_good_codes_land_on_the_invoice(self):
        """Test that a good CIG, CUP and office code (lower case accepted) are on the order and on its
        posted invoice, which names the order as the purchase order, with the transfer fee."""
        self.login(self.customer_user)
        response = self.confirm(self.mine, l10n_it_cig="zab1234567", l10n_it_cup="J12B34567890123",
                                l10n_it_office_code="ufxyz1")
        self.assertEqual(response.status_code, 303)
        order = self.orders()
        self.assertEqual(len(order), 1)
        self.assertEqual((order.payment_method, order.state), ("bank_transfer", "awaiting"))
        self.assertEqual((order.l10n_it_cig, order.l10n_it_cup, order.l10n_it_office_code),
                         ("ZAB1234567", "J12B34567890123", "UFXYZ1"))
        invoice = order.invoice_id
        self.assertEqual(invoice.state, "posted")
        self.assertEqual((invoice.l10n_it_cig, invoice.l10n_it_cup, invoice.prepaid_l10n_it_office_code),
                         ("ZAB1234567", "J12B34567890123", "UFXYZ1"))
        self.assertEqual(invoice.l10n_it_origin_document_type, "purchase_order")
        self.assertEqual(invoice.l10n_it_origin_document_name, order.name)
        self.assertTrue(invoice.l10n_it_origin_document_date)
        self.assertTrue(invoice.invoice_line_ids.filtered(lambda line: line.price_unit == 2.0), "the fee")

    def test_ordinary_customer_is_unaffected(self):
        """Test that an ordinary customer renews by credit without codes, its invoice carries none, and
        that codes it sends anyway are refused writing nothing."""
        self.login(self.other_user)
        before = self.env["prepaid.renewal.order"].sudo().search_count([])
        response = self.confirm(self.rivals, method="bank_transfer", **GOOD)
        self.assertEqual(self.error_of(response),
                         "CIG, CUP and office code are for public administrations only; leave them empty.")
        self.assertEqual(self.env["prepaid.renewal.order"].sudo().search_count([]), before)
        self.confirm(self.rivals, method="bank_transfer")
        order = self.orders(self.other_customer)
        self.assertEqual(len(order), 1)
        self.assertFalse(order.l10n_it_cig or order.l10n_it_office_code)
        self.assertFalse(order.invoice_id.l10n_it_cig or order.invoice_id.prepaid_l10n_it_office_code)
        self.assertFalse(order.invoice_id.l10n_it_origin_document_type)
