# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import itertools
import json
import re
from urllib.parse import urlparse

from odoo import Command, http
from odoo.tests import new_test_user

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
        cls.wallet = cls.env["prepaid.wallet"].sudo().create({
            "partner_id": cls.customer.id, "company_id": cls.company.id, "currency_id": cls.currency.id,
            "scope": "all",
        })
        cls.Tx = cls.env["prepaid.wallet.transaction"].sudo()

    @classmethod
    def create_integration_user(cls, login, name):
        """Return a user of the integration group of the test company: what a
        bridge or a platform logs in as."""
        return cls.env["res.users"].create({
            "name": name,
            "login": login,
            "company_id": cls.company.id,
            "company_ids": [Command.set(cls.company.ids)],
            "groups_id": [Command.set([
                cls.env.ref("base.group_user").id, cls.env.ref("prepaid_cloud_credit.group_prepaid_integration").id,
            ])],
        })

    @classmethod
    def activate_lang(cls, code):
        """Activate the language ``code`` with the terms of our installed addons
        (their selection labels are read from the database)."""
        cls.env["res.lang"]._activate_lang(code)
        ours = cls.env["ir.module.module"].search(
            [("state", "=", "installed"), ("name", "=like", "prepaid_cloud_credit%")]
        )
        ours._load_module_terms(ours.mapped("name"), [code], overwrite=True)

    @classmethod
    def key(cls, prefix="t"):
        return f"{prefix}:{next(_keys)}"

    def credit(self, amount, kind="paid", wallet=None, **kw):
        return (wallet or self.wallet)._ledger_apply("credit", amount, self.key("c"), kind=kind, **kw)

    def debit(self, amount, purpose="usage", wallet=None, **kw):
        return (wallet or self.wallet)._ledger_apply("debit", amount, self.key("d"), purpose=purpose, **kw)

    def pay_recharge(self, recharge, amount=None, day=None):
        """A bank transfer of the recharge's total received and registered
        from the recharge: it issues the invoice and pays it.

        :return: the posted payment
        """
        return recharge._prepaid_register_payment(amount=amount, date=day)

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

    def require_payment_demo(self):
        """Skip the test where ``payment_demo`` (the card flow's provider) is
        not installed; ``provider`` is the demo provider the class set up."""
        provider = getattr(self, "provider", None)
        if not provider or provider.code != "demo":
            self.skipTest("payment_demo is not installed")


class PrepaidPortalCommon(PrepaidCommon):
    """The customer's portal contact, another customer with its own portal
    contact and wallet, an internal user with *Prepaid Credit / User*, VAT at
    22 %, recharge limits and the demo payment provider of the company.

    Mixed with ``HttpCase`` by the tests that use it.
    """

    PASSWORD = "portal-pass-123"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vat22 = cls.company_data["default_tax_sale"].copy({"name": "IVA 22%", "amount": 22})
        cls.company.prepaid_product_id.with_company(cls.company).taxes_id = [Command.set(cls.vat22.ids)]
        company_ids = [Command.set(cls.company.ids)]
        cls.customer_user = cls._portal_user("cora", cls.customer, company_ids)
        cls.other_customer = cls.env["res.partner"].create({"name": "Rival Cloud", "is_company": True})
        cls.other_wallet = cls.env["prepaid.wallet"].sudo().create({
            "partner_id": cls.other_customer.id, "company_id": cls.company.id,
            "currency_id": cls.currency.id, "scope": "all",
        })
        cls.other_wallet._ledger_apply("credit", 100, cls.key("other"), kind="paid")
        cls.other_user = cls._portal_user("otto", cls.other_customer, company_ids)
        # An employee who reads every wallet in the backend; on the portal a
        # customer like any other, of its own (empty) account.
        cls.staff_user = new_test_user(
            cls.env, "stella", groups="base.group_user,prepaid_cloud_credit.group_prepaid_user",
            company_id=cls.company.id, company_ids=company_ids, password=cls.PASSWORD,
            email="stella@example.com",
        )
        cls.env["prepaid.recharge.limit"].create({
            "company_id": cls.company.id, "currency_id": cls.currency.id, "min_amount": 20, "max_amount": 5000,
        })
        # The demo provider belongs to the main company: it is moved to the test company.
        # Read in sudo: the provider belongs to another company until it is moved.
        cls.provider = cls.env.ref("payment.payment_provider_demo", raise_if_not_found=False)
        cls.provider = cls.provider and cls.provider.sudo()
        if cls.provider and cls.provider.code == "demo":
            cls.provider.write({
                "state": "test",
                "company_id": cls.company.id,
                "journal_id": cls.company_data["default_journal_bank"].id,
            })

    @classmethod
    def _portal_user(cls, login, customer, company_ids):
        contact = cls.env["res.partner"].create(
            {"name": login.title(), "parent_id": customer.id, "email": f"{login}@example.com"}
        )
        return new_test_user(
            cls.env, login, groups="base.group_portal", partner_id=contact.id,
            company_id=cls.company.id, company_ids=company_ids, password=cls.PASSWORD,
        )

    def login(self, user):
        self.authenticate(user.login, self.PASSWORD)

    def post(self, url, **data):
        """A form posted the way the browser posts it, with the CSRF token of the session."""
        data["csrf_token"] = http.Request.csrf_token(self)
        return self.url_open(url, data=data, allow_redirects=False)

    def location(self, response):
        return urlparse(response.headers.get("Location", ""))

    def recharges(self, wallet=None):
        return self.env["prepaid.recharge"].sudo().search([("wallet_id", "=", (wallet or self.wallet).id)])

    def confirm_recharge(self, amount="50", method="online", wallet=None, **extra):
        """Ask for a recharge from the portal, as the logged-in user, through the summary."""
        wallet = wallet or self.wallet
        summary = self.post(f"/my/wallet/{wallet.id}/recharge", amount=amount, payment_method=method, **extra)
        key = re.search(r'name="request_key" value="([0-9a-f]+)"', summary.text)
        self.post(
            f"/my/wallet/{wallet.id}/recharge", amount=amount, payment_method=method, confirm="1",
            request_key=key.group(1) if key else "", **extra,
        )
        return self.recharges(wallet)[:1]

    def jsonrpc(self, route, params):
        """A JSON-RPC call as a browser makes it: the decoded answer, ``result`` or ``error``."""
        response = self.url_open(
            route,
            data=json.dumps({"id": 0, "jsonrpc": "2.0", "method": "call", "params": params}).encode(),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def transaction_request(self, recharge):
        """What the payment form does: ask the portal for a transaction of the recharge.

        :return: the decoded JSON-RPC answer
        """
        self.require_payment_demo()
        return self.jsonrpc(f"/my/recharges/{recharge.id}/transaction", {
            "access_token": recharge._portal_ensure_token(),
            "provider_id": self.provider.id,
            "payment_method_id": self.env.ref("payment_demo.payment_method_demo").id,
            "token_id": None,
            "amount": recharge.total_amount,
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": recharge.get_portal_url(),
            "is_validation": False,
        })

    def start_payment(self, recharge):
        """Start a payment of the recharge; the new ``payment.transaction``."""
        answer = self.transaction_request(recharge)
        self.assertIn("result", answer, answer.get("error"))
        return self.env["payment.transaction"].sudo().search([("reference", "=", answer["result"]["reference"])])

    def notify(self, tx, state="done"):
        """What the provider does: notify the state of the payment, then Odoo post-processes it."""
        self.make_jsonrpc_request("/payment/demo/simulate_payment", {
            "reference": tx.reference, "payment_details": "4242", "simulated_state": state,
        })
        tx._post_process()
        return tx


class ExpiryPerSourceCommon(PrepaidCommon):
    """A company whose paid credit expires after six months by default, and
    recharges paid by bank transfer: each source of credit sets the expiry of
    the lots it opens."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The company default for paid credit: six months.
        cls.company.write({"prepaid_paid_expiry": "months", "prepaid_paid_expiry_months": 6})
        cls.product = cls.company.prepaid_product_id.product_tmpl_id
        cls.Recharge = cls.env["prepaid.recharge"]

    def pay(self, recharge):
        self.pay_recharge(recharge)
        self.assertEqual(recharge.state, "paid")
        return recharge.lot_id

    def recharge(self, amount=100, wallet=None):
        vals = self.Recharge._prepare_recharge_vals(wallet or self.wallet, amount, "bank_transfer")
        recharge = self.Recharge.create(vals)
        recharge.action_confirm()
        return recharge

