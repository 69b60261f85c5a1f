# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from urllib.parse import urlparse

from odoo import Command
from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged

from .common import PrepaidCommon


@tagged("post_install", "-at_install")
class TestPortal(PrepaidCommon, HttpCase):
    """The customer's pages, the recharge and its payment through `payment_demo`."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vat22 = cls.company_data["default_tax_sale"].copy({"name": "IVA 22%", "amount": 22})
        cls.company.prepaid_product_id.with_company(cls.company).taxes_id = [Command.set(cls.vat22.ids)]
        contact = cls.env["res.partner"].create(
            {"name": "Portal Paola", "parent_id": cls.customer.id, "email": "paola@example.com"}
        )
        company_ids = [Command.set(cls.company.ids)]
        cls.portal_user = new_test_user(
            cls.env, "paola", groups="base.group_portal", partner_id=contact.id,
            company_id=cls.company.id, company_ids=company_ids, password="paola-pass-1",
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Other Hosting", "is_company": True})
        cls.other_wallet = cls.env["prepaid.wallet"].sudo().create({
            "partner_id": cls.other_customer.id, "company_id": cls.company.id, "currency_id": cls.currency.id,
        })
        cls.other_wallet._ledger_apply("credit", 40, "portal:other", kind="paid")
        other_contact = cls.env["res.partner"].create({"name": "Otto", "parent_id": cls.other_customer.id})
        cls.other_user = new_test_user(
            cls.env, "otto", groups="base.group_portal", partner_id=other_contact.id,
            company_id=cls.company.id, company_ids=company_ids, password="otto-pass-1",
        )
        cls.env["prepaid.recharge.limit"].create({
            "company_id": cls.company.id, "currency_id": cls.currency.id, "min_amount": 20, "max_amount": 5000,
        })
        # The demo provider belongs to the main company: it is moved to the test company.
        cls.provider = cls.env.ref("payment.payment_provider_demo", raise_if_not_found=False).sudo()
        if cls.provider and cls.provider.code == "demo":
            cls.provider.write({
                "state": "test",
                "company_id": cls.company.id,
                "journal_id": cls.company_data["default_journal_bank"].id,
            })

    def setUp(self):
        super().setUp()
        self.authenticate("paola", "paola-pass-1")

    # ---------------------------------------------------------------- helpers

    def post_form(self, url, data):
        return self.url_open(url, data={"csrf_token": self.csrf_token(), **data})

    def csrf_token(self):
        """The token a browser would post: read from the form page."""
        import re

        page = self.url_open(f"/my/wallet/{self.wallet.id}/recharge").text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def recharges(self):
        return self.env["prepaid.recharge"].sudo().search([("wallet_id", "=", self.wallet.id)])

    def pay_online(self, recharge, state="done"):
        """What the payment form does: create the transaction, then the provider notifies."""
        tx = self.start_online(recharge)
        self.make_jsonrpc_request("/payment/demo/simulate_payment", {
            "reference": tx.reference, "payment_details": "4242", "simulated_state": state,
        })
        tx._post_process()
        return tx

    def start_online(self, recharge):
        """What the payment form does first: create the transaction (the customer may leave then)."""
        self.require_payment_demo()
        processing = self.make_jsonrpc_request(f"/my/recharges/{recharge.id}/transaction", {
            "access_token": recharge._portal_ensure_token(),
            "provider_id": self.provider.id,
            "payment_method_id": self.env.ref("payment_demo.payment_method_demo").id,
            "token_id": None,
            "amount": 0.01,  # tampered: the server takes the recharge total
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": recharge.get_portal_url(),
            "is_validation": False,
        })
        return self.env["payment.transaction"].sudo().search([("reference", "=", processing["reference"])])

    def confirm_recharge(self, amount="50", method="online", **extra):
        response = self.post_form(f"/my/wallet/{self.wallet.id}/recharge", {
            "amount": amount, "payment_method": method, "confirm": "1", **extra,
        })
        self.assertEqual(response.status_code, 200)
        return self.recharges()[:1]

    # ------------------------------------------------------------------ pages

    def test_home_counter_shows_the_balance(self):
        """Test that the "Prepaid credit" tile of /my gets the wallet balance."""
        self.credit(74.55)
        result = self.make_jsonrpc_request("/my/counters", {"counters": ["prepaid_balance"]})
        self.assertIn("74.55", result["prepaid_balance"])

    def test_wallet_page_shows_the_split_lots_and_paginated_transactions(self):
        """Test that /my/wallet shows paid, bonus and voucher credit, open lots and 20 transactions a page."""
        self.credit(100, "paid")
        self.credit(7, "bonus")
        for _i in range(24):
            self.debit(1)
        page = self.url_open("/my/wallet").text
        self.assertIn("83.00", page)  # balance: 107 - 24
        self.assertIn('id="prepaid_add_credit"', page)
        self.assertEqual(page.count("o_prepaid_transaction"), 20)
        page2 = self.url_open("/my/wallet/page/2").text
        self.assertEqual(page2.count("o_prepaid_transaction"), 6)
        debits_only = self.url_open("/my/wallet?filterby=credit").text
        self.assertEqual(debits_only.count("o_prepaid_transaction"), 2)

    def test_another_customers_wallet_redirects_to_my(self):
        """Test that changing the wallet id in the URL never shows another customer's wallet."""
        for url in (f"/my/wallet/{self.other_wallet.id}", f"/my/wallet/{self.other_wallet.id}/recharge",
                    f"/my/wallet/{self.other_wallet.id}/statement?date_from=2026-01-01&date_to=2026-12-31"):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertIn(response.status_code, (301, 302, 303))
                self.assertTrue(response.headers["Location"].endswith("/my"))
        self.post_form(f"/my/wallet/{self.other_wallet.id}/recharge", {"amount": "50", "confirm": "1"})
        self.assertFalse(self.env["prepaid.recharge"].sudo().search([("wallet_id", "=", self.other_wallet.id)]))

    def test_recharge_summary_shows_net_vat_and_total(self):
        """Test that 50.00 of credit at 22 % shows VAT 11.00 and a total of 61.00 before paying."""
        url = f"/my/wallet/{self.wallet.id}/recharge"
        page = self.post_form(url, {"amount": "50", "payment_method": "online"}).text
        self.assertIn('id="prepaid_recharge_summary"', page)
        for figure in ("50.00", "11.00", "61.00"):
            self.assertIn(figure, page)
        self.assertFalse(self.recharges(), "the summary writes nothing")

    def test_bad_recharge_amounts_get_a_clear_message_and_write_nothing(self):
        """Test that text, negative, below-minimum, above-maximum and huge amounts are refused."""
        cases = {
            "fifty": "is not a number",
            "-50": "greater than zero",
            "10": "minimum recharge",
            "5000.01": "maximum recharge",
            "1e400": "digits 0-9",
            "nan": "digits 0-9",
            "9_50": "digits 0-9",
            "٥٠": "digits 0-9",
            "1000000000.01": "maximum of one movement",
            "12.345": "more decimals",
        }
        for amount, message in cases.items():
            with self.subTest(amount=amount):
                page = self.post_form(f"/my/wallet/{self.wallet.id}/recharge", {"amount": amount, "confirm": "1"}).text
                self.assertIn(message, page)
        self.assertFalse(self.recharges())
        self.assertFalse(self.wallet.transaction_ids)

    def test_forms_are_csrf_protected(self):
        """Test that a recharge or an alert change posted without the CSRF token is refused."""
        response = self.url_open(f"/my/wallet/{self.wallet.id}/recharge", data={"amount": "50", "confirm": "1"})
        self.assertEqual(response.status_code, 400)
        response = self.url_open(f"/my/wallet/{self.wallet.id}/alerts", data={"enabled": "on", "threshold": "99"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.recharges())
        self.wallet.invalidate_recordset()
        self.assertNotEqual(self.wallet.low_balance_threshold, 99)

    def test_low_balance_settings_are_saved_and_checked(self):
        """Test that the customer sets its threshold, with the decimal comma, and bad input changes nothing."""
        self.post_form(f"/my/wallet/{self.wallet.id}/alerts", {"enabled": "on", "threshold": "15,50"})
        self.wallet.invalidate_recordset()
        self.assertEqual((self.wallet.low_balance_alert, self.wallet.low_balance_threshold), (True, 15.5))
        page = self.post_form(f"/my/wallet/{self.wallet.id}/alerts", {"enabled": "on", "threshold": "-3"}).text
        self.assertIn("greater than zero", page)
        self.wallet.invalidate_recordset()
        self.assertEqual(self.wallet.low_balance_threshold, 15.5)
        self.post_form(f"/my/wallet/{self.wallet.id}/alerts", {"threshold": "20"})
        self.wallet.invalidate_recordset()
        self.assertFalse(self.wallet.low_balance_alert)

    def test_statement_is_a_pdf_of_the_period(self):
        """Test that the statement downloads as a PDF and a bad period is refused."""
        self.credit(30)
        response = self.url_open(f"/my/wallet/{self.wallet.id}/statement?date_from=2020-01-01&date_to=2099-12-31")
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertIn("attachment", response.headers["Content-Disposition"])
        # Odoo renders reports as HTML in tests unless forced: force it once here.
        report = self.env.ref("prepaid_cloud_credit.action_report_wallet_statement").with_context(
            force_report_rendering=True
        )
        data = {"date_from": "2020-01-01", "date_to": "2099-12-31"}
        pdf, kind = report._render_qweb_pdf(report.report_name, self.wallet.ids, data=data)
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        response = self.url_open(f"/my/wallet/{self.wallet.id}/statement?date_from=2026-12-31&date_to=2026-01-01")
        self.assertIn("valid period", response.text)

    def test_statement_carries_the_company_letterhead(self):
        """Test that the statement is laid out like an invoice: Odoo's external layout puts the
        company's logo, name and address in the header of each page."""
        from lxml import html

        self.company.logo = self.company.partner_id.image_128
        self.credit(30)
        report = self.env.ref("prepaid_cloud_credit.action_report_wallet_statement")
        body, _kind = report._render_qweb_html(
            report.report_name, self.wallet.ids, data={"date_from": "2020-01-01", "date_to": "2099-12-31"})
        tree = html.fromstring(body)
        layout = f"o_company_{self.company.id}_layout"
        header = tree.xpath(f"//div[contains(@class, 'header') and contains(@class, '{layout}')]")
        self.assertEqual(len(header), 1, "one letterhead, of the wallet's company")
        self.assertTrue(header[0].xpath(".//img[starts-with(@src, 'data:image')]"), "the company logo")
        self.assertIn(self.company.name, header[0].text_content())
        self.assertIn(self.company.country_id.name, header[0].text_content())
        self.assertTrue(tree.xpath(f"//div[contains(@class, 'footer') and contains(@class, '{layout}')]"))

    def test_statement_report_has_opening_and_closing_balances(self):
        """Test the statement's figures: opening balance before the period, closing after it."""
        from freezegun import freeze_time

        with freeze_time("2026-10-15"):
            self.credit(100)
        with freeze_time("2026-11-05"):
            self.debit(30)
            self.credit(5, "bonus")
        values = self.env["report.prepaid_cloud_credit.report_wallet_statement"]._get_report_values(
            self.wallet.ids, {"date_from": "2026-11-01", "date_to": "2026-11-30"})
        statement = values["statements"][0]
        self.assertEqual((statement["opening"], statement["credits"], statement["debits"], statement["closing"]),
                         (100, 5, 30, 75))

    # ---------------------------------------------------------------- payment

    def test_recharge_paid_with_payment_demo_credits_the_wallet_once(self):
        """Test the card flow: confirmed recharge, demo payment done, one paid lot even if notified twice."""
        self.require_payment_demo()
        recharge = self.confirm_recharge("50")
        self.assertEqual(recharge.state, "awaiting")
        page = self.url_open(recharge.get_portal_url()).text
        self.assertIn("o_payment_form", page)
        self.assertFalse(recharge.invoice_id, "a payment request, no invoice yet")
        tx = self.pay_online(recharge)
        self.assertEqual(tx.amount, 61.0, "the amount comes from the recharge, not from the browser")
        self.assertEqual(recharge.state, "paid")
        self.assertEqual(self.wallet.paid_amount, 50)
        invoice = recharge.invoice_id
        self.assertRecordValues(invoice, [{
            "state": "posted", "amount_total": 61, "invoice_date": tx.payment_id.date, "amount_residual": 0,
        }])
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(tx.payment_id.reconciled_invoice_ids, invoice)
        self.assertEqual(tx.invoice_ids, invoice)
        self.assertEqual(recharge.transaction_id.move_id, invoice)
        # The provider notifies again; the customer reloads the status page.
        self.make_jsonrpc_request("/payment/demo/simulate_payment", {
            "reference": tx.reference, "payment_details": "4242", "simulated_state": "done"})
        tx._post_process()
        self.url_open(recharge.get_portal_url())
        self.assertEqual(len(self.wallet.lot_ids), 1)
        self.assertEqual(self.wallet.paid_amount, 50)
        self.assertEqual(self.recharge_invoices(recharge), invoice, "one invoice")

    def recharge_invoices(self, recharge):
        return self.env["account.move"].sudo().search([
            "|", ("prepaid_recharge_id", "=", recharge.id), ("invoice_origin", "=", recharge.name),
        ])

    def test_abandoned_or_failed_payment_leaves_no_invoice(self):
        """Test that a payment started and abandoned, then one failed and one cancelled, leave no invoice
        at all (nothing posted, nothing in draft) and no credit."""
        recharge = self.confirm_recharge("50")
        abandoned = self.start_online(recharge)
        self.assertEqual(abandoned.state, "draft")
        self.pay_online(recharge, "error")
        self.pay_online(recharge, "cancel")
        self.assertEqual(recharge.state, "failed")
        self.assertFalse(self.recharge_invoices(recharge))
        self.assertFalse(self.wallet.transaction_ids)

    def test_failed_payment_credits_nothing_and_can_be_retried(self):
        """Test that an error leaves the recharge failed without credit, and a new attempt can pay it."""
        recharge = self.confirm_recharge("50")
        self.pay_online(recharge, "error")
        self.assertEqual(recharge.state, "failed")
        self.assertFalse(self.wallet.transaction_ids)
        self.pay_online(recharge, "done")
        self.assertEqual(recharge.state, "paid")
        self.assertEqual(self.wallet.paid_amount, 50)

    def test_cancelled_payment_credits_nothing(self):
        """Test that a cancelled payment leaves no credit."""
        recharge = self.confirm_recharge("50")
        self.pay_online(recharge, "cancel")
        self.assertEqual(recharge.state, "failed")
        self.assertFalse(self.wallet.transaction_ids)

    def test_pending_payment_credits_once_done(self):
        """Test that a pending payment credits nothing until the provider confirms it."""
        recharge = self.confirm_recharge("50")
        tx = self.pay_online(recharge, "pending")
        self.assertEqual(recharge.state, "awaiting")
        self.assertFalse(self.wallet.transaction_ids)
        self.make_jsonrpc_request("/payment/demo/simulate_payment", {
            "reference": tx.reference, "payment_details": "4242", "simulated_state": "done"})
        tx._post_process()
        self.assertEqual(recharge.state, "paid")
        self.assertEqual(self.wallet.paid_amount, 50)

    def test_recharge_repays_debt_first(self):
        """Test that a portal recharge pays the wallet's debt before adding credit."""
        self.debit(12)
        recharge = self.confirm_recharge("50")
        self.pay_online(recharge)
        self.assertEqual(self.wallet.debt_amount, 0)
        self.assertEqual(self.wallet.balance, 38)

    def test_online_payment_under_vat_at_consumption_is_an_advance(self):
        """Test that without an invoice the paid transaction becomes an advance payment crediting the wallet."""
        self.company.prepaid_vat_policy = "consumption"
        recharge = self.confirm_recharge("50")
        self.assertFalse(recharge.invoice_id)
        tx = self.pay_online(recharge)
        self.assertEqual(tx.payment_id.prepaid_wallet_id, self.wallet)
        self.assertEqual(tx.payment_id.destination_account_id, self.company.prepaid_liability_account_id)
        self.assertEqual(recharge.state, "paid")
        self.assertEqual(self.wallet.paid_amount, 50)

    def test_bank_transfer_waits_with_its_bill_and_is_credited_when_reconciled(self):
        """Test the bank transfer: awaiting payment with a downloadable payment request and no invoice; the
        accountant registers the transfer from the recharge, which issues the invoice, pays it and credits."""
        recharge = self.confirm_recharge("50", method="bank_transfer")
        page = self.url_open(recharge.get_portal_url()).text
        self.assertIn('id="prepaid_bank_transfer"', page)
        self.assertIn('id="prepaid_bill_download"', page)
        bill = self.url_open(f"/my/recharges/{recharge.id}/request")
        self.assertEqual(bill.headers["Content-Type"], "application/pdf")
        self.assertFalse(recharge.invoice_id)
        self.assertFalse(self.wallet.transaction_ids)
        self.authenticate(self.other_user.login, "otto-pass-1")
        response = self.url_open(f"/my/recharges/{recharge.id}/request", allow_redirects=False)
        self.assertEqual(urlparse(response.headers.get("Location", "")).path, "/my", "not another customer's")
        action = recharge.action_register_payment()
        payment = self.env["account.payment"].with_context(**action["context"]).create({})
        payment.action_post()
        self.assertEqual(recharge.state, "paid")
        self.assertRecordValues(recharge.invoice_id, [{
            "state": "posted", "amount_total": 61, "move_type": "out_invoice", "journal_id": self.company_data[
                "default_journal_sale"].id,
        }])
        self.assertEqual(self.wallet.paid_amount, 50)

    def test_transaction_route_refuses_another_customers_recharge(self):
        """Test that a portal user cannot pay into another customer's recharge, even with a guessed id."""
        Recharge = self.env["prepaid.recharge"].sudo()
        foreign = Recharge.create(Recharge._prepare_recharge_vals(self.other_wallet, 50, "online"))
        foreign.action_confirm()
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(f"/my/recharges/{foreign.id}/transaction", {
                "access_token": "forged", "provider_id": self.provider.id if self.provider else 1,
                "payment_method_id": 1, "token_id": None, "amount": 1, "flow": "direct",
                "tokenization_requested": False, "landing_route": "/my", "is_validation": False,
            })
        response = self.url_open(f"/my/recharges/{foreign.id}", allow_redirects=False)
        self.assertIn(response.status_code, (301, 302, 303))
        self.assertFalse(foreign.payment_transaction_ids)
