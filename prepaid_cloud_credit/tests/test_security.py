# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import json
from xmlrpc.client import Fault

from odoo.tests import HttpCase, new_test_user, tagged

from .common import PrepaidCommon


@tagged("post_install", "-at_install")
class TestSecurity(PrepaidCommon, HttpCase):
    """Every public entry point, called the way XML-RPC calls it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.credit_tx = cls.wallet._ledger_apply("credit", 100, "sec:credit", kind="paid")
        cls.other_customer = cls.env["res.partner"].create({"name": "Other Cloud", "is_company": True})
        cls.other_wallet = cls.env["prepaid.wallet"].sudo().create(
            {"partner_id": cls.other_customer.id, "company_id": cls.company.id, "currency_id": cls.currency.id}
        )
        cls.other_wallet._ledger_apply("credit", 70, "sec:credit:other", kind="paid")
        contact = cls.env["res.partner"].create(
            {"name": "Portal Pat", "parent_id": cls.customer.id, "email": "pat@example.com"}
        )
        company_ids = [(6, 0, cls.company.ids)]
        cls.portal = new_test_user(cls.env, "pat", groups="base.group_portal", partner_id=contact.id,
                                   company_id=cls.company.id, company_ids=company_ids, password="pat-pass-123")
        cls.internal = new_test_user(cls.env, "ivan", groups="base.group_user", company_id=cls.company.id,
                                     company_ids=company_ids, password="ivan-pass-123")
        cls.reader = new_test_user(cls.env, "rita", groups="base.group_user,prepaid_cloud_credit.group_prepaid_user",
                                   company_id=cls.company.id, company_ids=company_ids, password="rita-pass-123")
        cls.integration = new_test_user(
            cls.env, "bot", groups="base.group_user,prepaid_cloud_credit.group_prepaid_integration",
            company_id=cls.company.id, company_ids=company_ids, password="bot-pass-123")

    def rpc(self, login, model, method, *args, **kwargs):
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, login, f"{login}-pass-123", {})
        self.assertTrue(uid, f"{login} could not log in")
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, uid, f"{login}-pass-123", model, method, list(args), kwargs
        )

    def assertRpcRefused(self, login, model, method, *args, **kwargs):
        with self.assertRaises(Fault) as caught:
            self.rpc(login, model, method, *args, **kwargs)
        return caught.exception

    def test_portal_user_reads_only_its_own_wallet(self):
        """Test that a portal user sees its commercial partner's wallet, lots and transactions only."""
        wallets = self.rpc("pat", "prepaid.wallet", "search_read", [], fields=["balance"])
        self.assertEqual([w["id"] for w in wallets], [self.wallet.id])
        self.assertEqual(wallets[0]["balance"], 100)
        txs = self.rpc("pat", "prepaid.wallet.transaction", "search", [])
        self.assertEqual(txs, [self.credit_tx.id])
        lots = self.rpc("pat", "prepaid.credit.lot", "search", [])
        self.assertEqual(lots, self.wallet.lot_ids.ids)
        self.assertRpcRefused("pat", "prepaid.wallet", "read", [self.other_wallet.id], ["balance"])

    def test_portal_and_plain_internal_users_cannot_move_money(self):
        """Test that no public method lets a portal or internal user without the groups move money."""
        for login in ("pat", "ivan", "rita"):
            with self.subTest(login=login):
                self.assertRpcRefused(login, "prepaid.wallet", "ledger_debit", [self.wallet.id], 10, f"{login}:1")
                self.assertRpcRefused(
                    login, "prepaid.wallet", "ledger_refund", [self.wallet.id], self.credit_tx.id, 1, f"{login}:2"
                )
                self.assertRpcRefused(login, "prepaid.wallet", "get_or_create_wallet", self.customer.id)
                self.assertRpcRefused(
                    login, "prepaid.wallet", "_ledger_apply", [self.wallet.id], "credit", 10, f"{login}:3"
                )
                self.assertRpcRefused(login, "prepaid.wallet", "write", [self.wallet.id], {"balance": 1e6})
                self.assertRpcRefused(login, "prepaid.wallet.transaction", "create", {
                    "wallet_id": self.wallet.id, "movement_type": "credit", "amount": 1e6,
                    "idempotency_key": f"{login}:4"})
                self.assertRpcRefused(login, "prepaid.credit.lot", "create", {
                    "wallet_id": self.wallet.id, "kind": "paid", "original_amount": 1e6, "remaining_amount": 1e6})
                self.assertRpcRefused(
                    login, "prepaid.credit.lot", "write", self.wallet.lot_ids.ids, {"remaining_amount": 1e6}
                )
                self.assertRpcRefused(login, "prepaid.wallet.adjust", "create", {
                    "wallet_id": self.wallet.id, "amount": 1e6, "reason": "free money"})
                self.assertRpcRefused(login, "account.move", "_prepaid_credit_recharge", [1])
        self.wallet.invalidate_recordset()
        self.assertEqual(self.wallet.balance, 100)
        self.assertEqual(len(self.wallet.transaction_ids), 1)

    def test_context_flags_do_not_open_the_ledger(self):
        """Test that an accountant who passes the context key the ledger sets for itself
        (``prepaid_unbook``) still cannot reset or cancel a recharge invoice whose credit
        was granted."""
        self.company.prepaid_vat_policy = "recharge"
        Recharge = self.env["prepaid.recharge"]
        recharge = Recharge.create(Recharge._prepare_recharge_vals(self.wallet, 40, "bank_transfer"))
        recharge.action_confirm()
        self.pay_recharge(recharge)
        invoice = recharge.invoice_id
        self.assertEqual(recharge.state, "paid")
        new_test_user(self.env, "anna", groups="base.group_user,account.group_account_manager",
                      company_id=self.company.id, company_ids=[(6, 0, self.company.ids)], password="anna-pass-123")
        for method in ("button_draft", "button_cancel"):
            with self.subTest(method=method):
                fault = self.assertRpcRefused("anna", "account.move", method, invoice.ids,
                                              context={"prepaid_unbook": True})
                self.assertIn("carries prepaid credit", fault.faultString)
        self.assertEqual(invoice.state, "posted")
        self.wallet.invalidate_recordset()
        self.assertEqual(self.wallet.balance, 140)

    def test_integration_user_debits_over_xmlrpc(self):
        """Test that the integration group debits through the public method, idempotently."""
        result = self.rpc(
            "bot", "prepaid.wallet", "ledger_debit", [self.wallet.id], "12.34", "platform:usage:1", purpose="usage"
        )
        self.assertEqual(result["balance"], 87.66)
        again = self.rpc("bot", "prepaid.wallet", "ledger_debit", [self.wallet.id], "12.34", "platform:usage:1")
        self.assertEqual(again["transaction_id"], result["transaction_id"])
        fault = self.assertRpcRefused(
            "bot", "prepaid.wallet", "ledger_debit", [self.wallet.id], "-5", "platform:usage:2"
        )
        self.assertIn("greater than zero", fault.faultString)
        fault = self.assertRpcRefused("bot", "prepaid.wallet", "ledger_debit", [424242], "5", "platform:usage:3")
        self.assertIn("Unknown wallet", fault.faultString)
        # The integration user still cannot adjust balances.
        self.assertRpcRefused(
            "bot", "prepaid.wallet.adjust", "create", {"wallet_id": self.wallet.id, "amount": 5, "reason": "x"}
        )
        self.wallet.invalidate_recordset()
        self.assertEqual(self.wallet.balance, 87.66)

    def test_multi_company_rule_hides_other_companies_wallets(self):
        """Test that a prepaid user of one company does not see another company's wallets."""
        other_company = self.setup_other_company()["company"]
        foreign = self.env["prepaid.wallet"].sudo().create({
            "partner_id": self.customer.id, "company_id": other_company.id, "currency_id": other_company.currency_id.id,
        })
        ids = self.rpc("rita", "prepaid.wallet", "search", [])
        self.assertIn(self.wallet.id, ids)
        self.assertNotIn(foreign.id, ids)

    # ------------------------------------------------------------------
    # Balances, keys and raw input over XML-RPC and JSON-RPC
    # ------------------------------------------------------------------

    def test_manager_cannot_write_balances_over_xmlrpc(self):
        """Test that a prepaid manager writing a balance, a credit or the debt over XML-RPC is refused."""
        new_test_user(self.env, "mona", groups="base.group_user,prepaid_cloud_credit.group_prepaid_manager",
                      company_id=self.company.id, company_ids=[(6, 0, self.company.ids)], password="mona-pass-123")
        for field in ("balance", "paid_amount", "bonus_amount", "voucher_amount", "debt_amount"):
            with self.subTest(field=field):
                fault = self.assertRpcRefused("mona", "prepaid.wallet", "write", [self.wallet.id], {field: 0})
                self.assertIn("Adjust balance", fault.faultString)
        self.wallet.invalidate_recordset()
        self.assertEqual((self.wallet.balance, self.wallet.paid_amount), (100, 100))
        self.assertLedgerConsistent()

    def test_caller_keys_never_take_an_internal_key(self):
        """Test that a platform debiting with the key of a recharge invoice does not stop the
        invoice from crediting the wallet, and still gets its replay on its own key."""
        self.company.prepaid_vat_policy = "recharge"
        Recharge = self.env["prepaid.recharge"]
        recharge = Recharge.create(Recharge._prepare_recharge_vals(self.wallet, 40, "bank_transfer"))
        recharge.action_confirm()
        # The invoice is issued when the payment arrives: the caller squats the keys of the next ids.
        self.env.cr.execute("SELECT last_value FROM account_move_id_seq")
        last = self.env.cr.fetchone()[0]
        squats = [f"recharge:invoice:{last + step}" for step in (1, 2, 3)]
        first = {}
        for squat in squats:
            first[squat] = self.rpc("bot", "prepaid.wallet", "ledger_debit", [self.wallet.id], "5", squat)
        squat = squats[0]
        again = self.rpc("bot", "prepaid.wallet", "ledger_debit", [self.wallet.id], "5", squat)
        self.assertEqual(again["transaction_id"], first[squat]["transaction_id"], "the caller's replay on its own key")
        fault = self.assertRpcRefused("bot", "prepaid.wallet", "ledger_debit", [self.wallet.id], "6", squat)
        self.assertIn(f"The idempotency key {squat} was already used", fault.faultString)
        self.pay_recharge(recharge)
        self.assertEqual(recharge.state, "paid")
        own_key = f"recharge:invoice:{recharge.invoice_id.id}"
        self.assertIn(own_key, squats, "the key was squatted")
        self.assertEqual(recharge.transaction_id.idempotency_key, own_key, "the invoice's own movement")
        self.assertNotEqual(recharge.transaction_id.id, first[own_key]["transaction_id"])
        self.wallet.invalidate_recordset()
        self.assertEqual(self.wallet.balance, 100 - 3 * 5 + 40)
        # Usage keys of the daily rating are out of reach too.
        usage_key = f"usage:{self.wallet.id}:2026-11-20"
        self.rpc("bot", "prepaid.wallet", "ledger_debit", [self.wallet.id], "1", usage_key)
        self.assertEqual(self.wallet._ledger_apply("debit", 7, usage_key).amount, -7)

    def test_adjustment_key_is_never_an_internal_key(self):
        """Test that an adjustment created with the key of a recharge invoice takes a key of its own."""
        wizard = self.env["prepaid.wallet.adjust"].create({
            "wallet_id": self.wallet.id, "amount": 5, "reason": "test", "idempotency_key": "recharge:invoice:1",
        })
        wizard.action_apply()
        tx = self.wallet.transaction_ids.filtered(lambda t: t.movement_type == "adjustment")
        self.assertEqual(tx.idempotency_key, "adjust:recharge:invoice:1")

    def jsonrpc_call(self, login, model, method, *args, **kwargs):
        """An ``execute_kw`` over JSON-RPC: JSON may carry what XML cannot (a lone surrogate)."""
        password = f"{login}-pass-123"
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, login, password, {})
        payload = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
            "service": "object", "method": "execute_kw",
            "args": [self.env.cr.dbname, uid, password, model, method, list(args), kwargs],
        }})
        response = self.url_open("/jsonrpc", data=payload.encode(), headers={"Content-Type": "application/json"})
        self.assertEqual(response.status_code, 200)
        return response.json()

    def test_lone_surrogates_and_nul_get_a_clear_error_over_jsonrpc(self):
        """Test that a key, description or currency code with a lone surrogate or a NUL, sent over
        JSON-RPC, is refused with a clear error instead of a database or encoding error."""
        calls = [
            ("ledger_debit", [[self.wallet.id], "1", "k\ud800"], {}),
            ("ledger_debit", [[self.wallet.id], "1", "k\x00"], {}),
            ("ledger_debit", [[self.wallet.id], "1", "k-1"], {"description": "\udc80"}),
            ("ledger_debit", [[self.wallet.id], "1", "k-2"], {"currency_code": "EU\x00"}),
            ("ledger_refund", [[self.wallet.id], self.credit_tx.id, "1", "\ud83d"], {}),
            ("get_or_create_wallet", [self.customer.id], {"currency_code": "\ud800"}),
        ]
        for method, args, kwargs in calls:
            with self.subTest(method=method, args=args, kwargs=kwargs):
                answer = self.jsonrpc_call("bot", "prepaid.wallet", method, *args, **kwargs)
                self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.ValidationError", answer)
                self.assertIn("not allowed", answer["error"]["data"]["message"])
        self.wallet.invalidate_recordset()
        self.assertEqual(len(self.wallet.transaction_ids), 1)

    def test_only_plain_decimal_numbers_are_read_over_xmlrpc(self):
        """Test that amounts and ids written with separators, other digits or exponents are refused."""
        for amount in ("9_50", "1_0", "١٠", "1e3", "nan"):
            with self.subTest(amount=amount):
                fault = self.assertRpcRefused("bot", "prepaid.wallet", "ledger_debit", [self.wallet.id], amount, "n:1")
                self.assertIn("digits 0-9", fault.faultString)
        for partner_id in ("1_0", "١", f" {self.customer.id}x"):
            with self.subTest(partner_id=partner_id):
                fault = self.assertRpcRefused("bot", "prepaid.wallet", "get_or_create_wallet", partner_id)
                self.assertIn("digits 0-9", fault.faultString)
        fault = self.assertRpcRefused("bot", "prepaid.wallet", "ledger_refund", [self.wallet.id], "1_0", "1", "n:2")
        self.assertIn("digits 0-9", fault.faultString)
        self.wallet.invalidate_recordset()
        self.assertEqual(len(self.wallet.transaction_ids), 1)
