# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .accounting_common import PrepaidItalianAccountingCommon
from .common import PrepaidCommon


@tagged("post_install", "-at_install")
class TestItalianChartPlacement(PrepaidItalianAccountingCommon):
    """The prepaid accounts in the Italian chart: its own accounts where it has them, the others
    created with the type and the report tags of their place in the balance sheet and income statement."""

    def tag(self, name):
        return self.env.ref(f"l10n_it.account_tag_{name}")

    def test_prepayments_and_usage_to_invoice_are_the_charts_own_accounts(self):
        """Test that the Italian customer advances (2530) and invoices to issue (1509) accounts are used."""
        chart = self.env["account.chart.template"].with_company(self.company)
        self.assertEqual(self.company.prepaid_liability_account_id, chart.ref("2530"))
        self.assertEqual(self.company.prepaid_unbilled_account_id, chart.ref("1509"))
        self.assertEqual(self.company.prepaid_liability_account_id.tag_ids, self.tag("D_PASS"))
        self.assertEqual(self.product._get_product_accounts()["income"], chart.ref("2530"))

    def test_created_accounts_have_the_type_and_tags_of_their_place(self):
        """Test that revenue, discount and breakage sit in the value of production, promotions and adjustments
        in the production costs, none among equity or financial items."""
        company = self.company
        expected = {
            company.prepaid_revenue_account_id: ("310200", "income", "A_PL"),
            company.prepaid_discount_account_id: ("311300", "income", "A_PL"),
            company.prepaid_breakage_account_id: ("320300", "income", "A_PL"),
            company.prepaid_promotion_account_id: ("421400", "expense", "B_PL"),
            company.prepaid_adjustment_account_id: ("490400", "expense", "B_PL"),
        }
        for account, (code, account_type, tag) in expected.items():
            with self.subTest(code=code):
                self.assertEqual((account.code, account.account_type), (code, account_type))
                self.assertEqual(account.tag_ids, self.tag(tag))

    def test_a_taken_code_moves_the_new_account_to_the_next_free_one(self):
        """Test that setup never reuses an account of another type that holds the code it wanted."""
        company = self.company
        old = company.prepaid_discount_account_id
        old.code = "311390"
        squatter = old.copy({"code": "311300", "account_type": "expense", "name": "Somebody else's"})
        company.prepaid_discount_account_id = False
        company._prepaid_setup_accounting()
        account = company.prepaid_discount_account_id
        self.assertNotIn(account, old | squatter)
        self.assertEqual((account.code, account.account_type), ("311301", "income"))
        self.assertEqual(account.tag_ids, self.tag("A_PL"))

    def test_configured_accounts_are_kept(self):
        """Test that setup leaves alone the accounts a company already chose."""
        chosen = self.account("320200")
        self.company.prepaid_breakage_account_id = chosen
        self.company._prepaid_setup_accounting()
        self.assertEqual(self.company.prepaid_breakage_account_id, chosen)


@tagged("post_install", "-at_install")
class TestFrenchChartPlacement(PrepaidCommon):
    """The prepaid accounts in the French chart (PCG): every role has its account there."""

    @classmethod
    @AccountTestInvoicingCommon.setup_country("fr")
    def setUpClass(cls):
        super().setUpClass()

    def test_every_role_uses_the_pcg_account(self):
        """Test that a French company books into 4191, 4181, 706, 7096, 6234, 758 and 658."""
        chart = self.env["account.chart.template"].with_company(self.company)
        company = self.company
        self.assertEqual(company.chart_template, "fr")
        expected = {
            "prepaid_liability_account_id": "pcg_4191",
            "prepaid_unbilled_account_id": "pcg_4181",
            "prepaid_revenue_account_id": "pcg_706",
            "prepaid_discount_account_id": "pcg_7096",
            "prepaid_promotion_account_id": "pcg_6234",
            "prepaid_breakage_account_id": "pcg_758",
            "prepaid_adjustment_account_id": "pcg_658",
        }
        for field, xmlid in expected.items():
            with self.subTest(field=field):
                self.assertEqual(company[field], chart.ref(xmlid))
