# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import re

from odoo.tests import HttpCase, tagged

from odoo.addons.prepaid_cloud_credit.tests.common import PrepaidPortalCommon

GOOD = {"l10n_it_cig": "ZAB1234567", "l10n_it_office_code": "UFABCD"}


@tagged("post_install", "-at_install")
class TestPublicAdministrationPortal(PrepaidPortalCommon, HttpCase):
    """The recharge form of a public administration (an Italian customer
    with a 6-character office code): CIG, CUP and office code, checked, on
    the recharge and then on its invoice; bank transfer only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"country_id": cls.env.ref("base.it").id, "l10n_it_pa_index": "UFABCD"})

    def recharge_count(self):
        return self.env["prepaid.recharge"].sudo().search_count([])

    def error_of(self, response):
        match = re.search(r'<div class="alert alert-danger" role="alert">([^<]*)</div>', response.text)
        return match and match.group(1)

    def test_form_asks_a_public_administration_for_cig_cup_and_office_code(self):
        """Test that the recharge form of a public administration has the CIG, CUP and office code fields,
        the office code filled from the customer, and that an ordinary customer's form has none."""
        self.login(self.customer_user)
        page = self.url_open(f"/my/wallet/{self.wallet.id}/recharge").text
        self.assertIn('name="l10n_it_cig"', page)
        self.assertIn('name="l10n_it_cup"', page)
        self.assertRegex(page, r'name="l10n_it_office_code"[^>]*value="UFABCD"')
        self.login(self.other_user)
        page = self.url_open(f"/my/wallet/{self.other_wallet.id}/recharge").text
        self.assertIn('id="prepaid_recharge_form"', page)
        self.assertNotIn('name="l10n_it_cig"', page)

    def test_cig_cup_and_office_code_land_on_the_recharge_and_its_invoice(self):
        """Test that a valid form (lower case accepted) creates a bank-transfer recharge with its codes, and
        that the invoice issued at payment names it as the purchase order with CIG, CUP and office code."""
        self.login(self.customer_user)
        summary = self.post(f"/my/wallet/{self.wallet.id}/recharge", amount="100", payment_method="bank_transfer",
                            l10n_it_cig="zab1234567", l10n_it_cup="J11B22000330001", l10n_it_office_code="ufabcd")
        self.assertIn('id="prepaid_pa_summary"', summary.text)
        self.assertIn('name="l10n_it_cig" value="zab1234567"', summary.text, "carried to the confirmation")
        recharge = self.confirm_recharge("100", method="bank_transfer", l10n_it_cig="zab1234567",
                                         l10n_it_cup="J11B22000330001", l10n_it_office_code="ufabcd")
        self.assertRecordValues(recharge, [{
            "state": "awaiting", "payment_method": "bank_transfer", "l10n_it_cig": "ZAB1234567",
            "l10n_it_cup": "J11B22000330001", "l10n_it_office_code": "UFABCD",
        }])
        self.assertFalse(recharge.invoice_id)
        self.pay_recharge(recharge)
        self.assertRecordValues(recharge.invoice_id, [{
            "state": "posted", "l10n_it_cig": "ZAB1234567", "l10n_it_cup": "J11B22000330001",
            "prepaid_l10n_it_office_code": "UFABCD", "l10n_it_origin_document_type": "purchase_order",
            "l10n_it_origin_document_name": recharge.name,
        }])
        self.assertEqual(recharge.state, "paid")
        self.assertEqual(self.wallet.paid_amount, 100)

    def test_bad_codes_are_refused_with_a_clear_message_and_write_nothing(self):
        """Test that a bad CIG, CUP or office code, a missing one, or an online payment is refused on the
        summary and on the confirmation, with its translated reason, and creates no recharge."""
        self.login(self.customer_user)
        cases = [
            ({"l10n_it_cig": "ZAB123"}, "The CIG must be 10 letters or digits."),
            ({"l10n_it_cig": "ZAB123456!"}, "The CIG must be 10 letters or digits."),
            ({"l10n_it_cig": ""}, "The CIG must be 10 letters or digits."),
            ({"l10n_it_cig": "ZAB12345\x00"}, "The CIG must be 10 letters or digits."),
            ({"l10n_it_office_code": "UFAB"}, "The office code (Codice Univoco Ufficio) must be 6"),
            ({"l10n_it_office_code": "UFABCD1"}, "The office code (Codice Univoco Ufficio) must be 6"),
            ({"l10n_it_office_code": ""}, "The office code (Codice Univoco Ufficio) must be 6"),
            ({"l10n_it_cup": "J11"}, "The CUP must be 15 letters or digits."),
            ({"payment_method": "online"}, "Public administrations pay by bank transfer."),
        ]
        before = (self.recharge_count(), self.ledger_snapshot())
        for change, message in cases:
            data = {"amount": "100", "payment_method": "bank_transfer", **GOOD, **change}
            for confirm in ({}, {"confirm": "1", "request_key": "0" * 32}):
                with self.subTest(change=change, confirm=bool(confirm)):
                    response = self.post(f"/my/wallet/{self.wallet.id}/recharge", **data, **confirm)
                    self.assertEqual(response.status_code, 200)
                    self.assertIn(message, self.error_of(response) or "")
        self.assertEqual((self.recharge_count(), self.ledger_snapshot()), before)

    def test_ordinary_customer_giving_a_cig_is_refused_and_writes_nothing(self):
        """Test that a customer who is no public administration cannot put a CIG or office code on a recharge."""
        self.login(self.other_user)
        before = (self.recharge_count(), self.ledger_snapshot(self.other_wallet))
        for confirm in ({}, {"confirm": "1", "request_key": "1" * 32}):
            response = self.post(f"/my/wallet/{self.other_wallet.id}/recharge", amount="50",
                                 payment_method="bank_transfer", **GOOD, **confirm)
            self.assertIn("for public administrations only", self.error_of(response) or "")
        self.assertEqual((self.recharge_count(), self.ledger_snapshot(self.other_wallet)), before)

    def test_public_administration_recharge_is_never_paid_online(self):
        """Test that the payment route refuses an online payment of a public administration's recharge."""
        self.login(self.customer_user)
        recharge = self.confirm_recharge("100", method="bank_transfer", **GOOD)
        self.assertNotIn("o_payment_form", self.url_open(recharge.get_portal_url()).text)
        answer = self.transaction_request(recharge)
        self.assertIn("pay by bank transfer", answer["error"]["data"]["message"])
        self.assertFalse(recharge.payment_transaction_ids)

    def test_second_customer_cannot_act_on_a_public_administration_recharge(self):
        """Test that another customer neither sees, downloads, nor pays the administration's recharge."""
        self.login(self.customer_user)
        recharge = self.confirm_recharge("100", method="bank_transfer", **GOOD)
        self.login(self.other_user)
        for url in (recharge.access_url, f"{recharge.access_url}/request"):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertEqual(self.location(response).path, "/my")
        answer = self.transaction_request(recharge)
        self.assertIn("your own account", answer["error"]["data"]["message"])
        self.assertFalse(recharge.payment_transaction_ids)
        self.assertEqual(recharge.state, "awaiting")
        self.assertFalse(recharge.invoice_id)
