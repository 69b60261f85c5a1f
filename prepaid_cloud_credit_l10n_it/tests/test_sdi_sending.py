# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.prepaid_cloud_credit.tests.accounting_common import PrepaidItalianAccountingCommon


@tagged("post_install", "-at_install")
class TestRechargeInvoiceSending(PrepaidItalianAccountingCommon):
    """Recharge invoices go to the SdI once their payment posts them.

    The sending itself (``account.move._l10n_it_fatturapa_send``) belongs to
    ``l10n_it_fatturapa_bridge``; until it provides it, these tests stand in
    for it on the model class, to see when it is called and what its failure
    does.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Move = type(cls.env["account.move"])
        cls.Recharge = cls.env["prepaid.recharge"]

    def recharge_request(self, amount=100):
        recharge = self.Recharge.create(self.Recharge._prepare_recharge_vals(self.wallet, amount, "bank_transfer"))
        recharge.action_confirm()
        return recharge

    def send_stand_in(self, side_effect=None):
        """Stand in for the sending: record each invoice sent, then run ``side_effect`` on it."""
        sent = []

        def _l10n_it_fatturapa_send(invoice):
            sent.append(invoice)
            if side_effect:
                side_effect(invoice)

        self.sent = sent
        return patch.object(self.Move, "_l10n_it_fatturapa_send", _l10n_it_fatturapa_send, create=True)

    def test_posted_recharge_invoice_is_sent_once(self):
        """Test that the payment posts the invoice and sends it once, and that confirming sends nothing."""
        self.set_policy("recharge")
        with self.send_stand_in():
            recharge = self.recharge_request()
            self.assertFalse(self.sent, "a payment request is not sent")
            self.pay_recharge(recharge)
        self.assertEqual(self.sent, [recharge.invoice_id])
        self.assertFalse(recharge.invoice_id.prepaid_l10n_it_send_error)
        self.assertEqual(self.wallet.paid_amount, 100)

    def test_sending_is_a_company_setting(self):
        """Test that a company that turned the setting off sends nothing."""
        self.set_policy("recharge")
        self.assertTrue(self.company.prepaid_l10n_it_auto_send, "on by default")
        self.company.prepaid_l10n_it_auto_send = False
        with self.send_stand_in():
            self.pay_recharge(self.recharge_request())
        self.assertFalse(self.sent)

    def test_sending_failure_is_recorded_and_never_blocks_the_credit(self):
        """Test that a failing sending leaves the invoice posted and paid, the credit granted, and the
        error on the invoice and in its chatter."""
        self.set_policy("recharge")

        def fail(invoice):
            invoice.write({"ref": "half-written by the failing sending"})
            raise ConnectionError("PEC server unreachable")

        with self.send_stand_in(fail):
            recharge = self.recharge_request()
            self.pay_recharge(recharge)
        invoice = recharge.invoice_id
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(recharge.state, "paid")
        self.assertEqual(self.wallet.paid_amount, 100)
        self.assertIn("PEC server unreachable", invoice.prepaid_l10n_it_send_error)
        self.assertIn("PEC server unreachable", invoice.message_ids[:1].body)
        self.assertNotEqual(invoice.ref, "half-written by the failing sending", "the failed sending is rolled back")

    def test_without_the_sending_method_the_recharge_is_credited(self):
        """Test that without the FatturaPA sending installed the invoice is posted and credited as usual."""
        self.set_policy("recharge")
        if hasattr(self.env["account.move"], "_l10n_it_fatturapa_send"):
            self.skipTest("the FatturaPA sending is installed")
        recharge = self.recharge_request()
        self.pay_recharge(recharge)
        self.assertEqual(recharge.state, "paid")
        self.assertFalse(recharge.invoice_id.prepaid_l10n_it_send_error)

    def sent_copies(self, invoice):
        """The e-mails of the mail queue that carry ``invoice``'s PDF to its customer."""
        mails = self.env["mail.mail"].sudo().search([
            ("model", "=", "account.move"), ("res_id", "=", invoice.id),
            ("recipient_ids", "in", invoice.partner_id.ids),
        ])
        return mails.filtered(lambda mail: any(
            att.mimetype == "application/pdf" or att.name.endswith(".pdf") for att in mail.attachment_ids
        ))

    def test_customer_receives_the_pdf_copy_through_the_mail_queue(self):
        """Test that, after the automatic sending, Odoo's invoice sending puts one e-mail in the mail
        queue for the customer with the invoice PDF attached, and that asking again adds nothing."""
        self.set_policy("recharge")
        self.customer.email = "billing@acme-cloud.example"
        with self.send_stand_in():
            recharge = self.recharge_request()
            self.pay_recharge(recharge)
        invoice = recharge.invoice_id
        self.assertEqual(self.sent, [invoice])
        copies = self.sent_copies(invoice)
        self.assertEqual(len(copies), 1)
        self.assertIn(invoice.name, copies.subject)
        self.assertEqual(copies.state, "outgoing", "in the mail queue")
        self.assertTrue(invoice.is_move_sent)
        recharge._prepaid_l10n_it_send_pdf_copy(invoice)
        self.assertEqual(len(self.sent_copies(invoice)), 1, "sent once")
        self.assertEqual(self.wallet.paid_amount, 100)

    def test_setting_off_sends_no_copy_and_credits(self):
        """Test that a customer whose company turned the setting off gets no e-mail copy, while the
        credit is granted."""
        self.set_policy("recharge")
        self.customer.email = "billing@acme-cloud.example"
        self.company.prepaid_l10n_it_auto_send = False
        with self.send_stand_in():
            recharge = self.recharge_request()
            self.pay_recharge(recharge)
        self.assertFalse(self.sent_copies(recharge.invoice_id))
        self.assertEqual(self.wallet.paid_amount, 100)

    def test_customer_without_email_gets_no_copy_and_the_credit(self):
        """Test that a customer without an e-mail address is credited and nothing is queued."""
        self.set_policy("recharge")
        self.customer.email = False
        with self.send_stand_in():
            recharge = self.recharge_request()
            self.pay_recharge(recharge)
        self.assertFalse(self.sent_copies(recharge.invoice_id))
        self.assertFalse(recharge.invoice_id.is_move_sent)
        self.assertEqual(self.wallet.paid_amount, 100)

    def test_failing_pdf_copy_never_blocks_the_credit(self):
        """Test that a PDF copy that cannot be made leaves the invoice posted and paid, the credit granted,
        no e-mail queued, and the reason in the invoice's chatter."""
        self.set_policy("recharge")
        self.customer.email = "billing@acme-cloud.example"

        def broken(*args, **kwargs):
            raise OSError("wkhtmltopdf crashed")

        with self.send_stand_in(), patch.object(type(self.env["account.move.send"]), "_generate_and_send_invoices",
                                                broken):
            recharge = self.recharge_request()
            self.pay_recharge(recharge)
        invoice = recharge.invoice_id
        self.assertEqual(recharge.state, "paid")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.wallet.paid_amount, 100)
        self.assertFalse(self.sent_copies(invoice))
        self.assertIn("wkhtmltopdf crashed", invoice.message_ids[:1].body)
