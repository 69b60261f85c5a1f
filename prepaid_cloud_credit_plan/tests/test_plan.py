# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .plan_common import PrepaidPlanCommon


@tagged("post_install", "-at_install")
class TestPlan(PrepaidPlanCommon):

    def test_shipped_plans_are_ordered_member_to_super_elite(self):
        """Test that the four shipped plans exist in their order, with their EUR and RUB plan prices."""
        plans = self.env["prepaid.plan"].search([("code", "in", ("member", "prestige", "elite", "super_elite"))])
        self.assertEqual(plans.mapped("code"), ["member", "prestige", "elite", "super_elite"])
        super_elite = plans[-1]
        self.assertEqual(super_elite._get_entry_amount(self.env.ref("base.EUR")), 1000)
        self.assertEqual(super_elite._get_entry_amount(self.env.ref("base.RUB")), 100000)
        self.assertTrue(super_elite._is_higher_than(self.elite))
        self.assertFalse(self.member._is_higher_than(self.member))

    def test_entry_recharge_assigns_the_plan(self):
        """Test that paying the first plan recharge credits its full price and assigns the plan once."""
        recharge = self.plan_recharge(self.member)
        self.assertEqual(recharge.amount, 50)
        self.assertFalse(self.wallet.plan_id, "an unpaid plan assigns nothing")
        self.pay(recharge.invoice_id)
        self.assertEqual(recharge.state, "paid")
        self.assertEqual(self.wallet.plan_id, self.member)
        self.assertEqual(self.wallet.paid_amount, 50)
        self.assertRecordValues(self.wallet.plan_history_ids, [{
            "old_plan_id": False,
            "new_plan_id": self.member.id,
            "change_type": "assign",
            "recharge_id": recharge.id,
            "user_id": self.env.uid,
        }])
        # A second payment notification changes nothing.
        recharge._mark_paid(recharge.transaction_id)
        self.assertEqual(len(self.wallet.plan_history_ids), 1)

    def test_later_recharge_of_any_amount_keeps_the_plan(self):
        """Test that an ordinary recharge after the plan adds credit and keeps the plan."""
        self.buy_plan(self.prestige)
        Recharge = self.env["prepaid.recharge"]
        recharge = Recharge.create(Recharge._prepare_recharge_vals(self.wallet, 7.5, "bank_transfer"))
        recharge.action_confirm()
        self.pay(recharge.invoice_id)
        self.assertEqual(recharge.state, "paid")
        self.assertEqual(self.wallet.plan_id, self.prestige)
        self.assertEqual(self.wallet.balance, 207.5)
        self.assertEqual(len(self.wallet.plan_history_ids), 1)

    def test_higher_plan_upgrades_and_keeps_the_remaining_credit(self):
        """Test that buying a higher plan upgrades the plan and adds its price to the remaining credit."""
        self.buy_plan(self.member)
        self.debit(20, purpose="purchase")
        self.assertEqual(self.wallet.balance, 30)
        recharge = self.buy_plan(self.elite)
        self.assertEqual(self.wallet.plan_id, self.elite)
        self.assertEqual(self.wallet.balance, 530)
        last = self.wallet.plan_history_ids[0]
        self.assertRecordValues(last, [{
            "old_plan_id": self.member.id, "new_plan_id": self.elite.id,
            "change_type": "upgrade", "recharge_id": recharge.id,
        }])
        self.assertLedgerConsistent()

    def test_lower_or_equal_plan_is_refused(self):
        """Test that a plan not higher than the current one cannot be ordered and nothing is created."""
        self.buy_plan(self.prestige)
        before = self.env["prepaid.recharge"].search_count([])
        for plan in (self.member, self.prestige):
            with self.subTest(plan=plan.code), self.assertRaisesRegex(UserError, "only a higher plan"):
                self.plan_recharge(plan)
        self.assertEqual(self.env["prepaid.recharge"].search_count([]), before)

    def test_plan_not_sold_in_the_wallet_currency_is_refused(self):
        """Test that a plan without a price in the wallet currency cannot be ordered."""
        super_elite = self.env.ref("prepaid_cloud_credit_plan.plan_super_elite")
        with self.assertRaisesRegex(UserError, "cannot be bought in"):
            self.plan_recharge(super_elite)

    def test_plan_paid_after_a_higher_one_keeps_the_higher_plan(self):
        """Test that of two plan orders paid in reverse order the wallet keeps the higher plan and both credits."""
        member = self.plan_recharge(self.member)
        elite = self.plan_recharge(self.elite)
        self.pay(elite.invoice_id)
        self.pay(member.invoice_id)
        self.assertEqual(self.wallet.plan_id, self.elite)
        self.assertEqual(self.wallet.balance, 550)
        self.assertEqual(self.wallet.plan_history_ids.mapped("change_type"), ["assign"])

    def test_plan_invoice_line_names_the_plan(self):
        """Test that the invoice of a plan purchase names the plan."""
        recharge = self.plan_recharge(self.elite)
        self.assertIn("Elite", recharge.invoice_id.invoice_line_ids.name)
        self.assertEqual(recharge.invoice_id.amount_untaxed, 500)

    def test_plan_cannot_be_written_directly(self):
        """Test that the plan of a wallet cannot be typed in, bypassing its history."""
        with self.assertRaises(UserError):
            self.wallet.plan_id = self.elite
        self.assertFalse(self.wallet.plan_id)

    def test_manager_lowers_the_plan_with_a_reason(self):
        """Test that the downgrade wizard lowers the plan and records the reason and the manager."""
        self.buy_plan(self.elite)
        wizard = Form(self.env["prepaid.wallet.plan.downgrade"].with_context(default_wallet_id=self.wallet.id))
        wizard.plan_id = self.member
        wizard.reason = "Contract renegotiated"
        wizard.save().action_apply()
        self.assertEqual(self.wallet.plan_id, self.member)
        self.assertEqual(self.wallet.balance, 500, "a downgrade moves no money")
        self.assertRecordValues(self.wallet.plan_history_ids[0], [{
            "old_plan_id": self.elite.id, "new_plan_id": self.member.id, "change_type": "downgrade",
            "reason": "Contract renegotiated", "user_id": self.env.uid, "recharge_id": False,
        }])

    def test_downgrade_needs_a_reason_a_lower_plan_and_a_manager(self):
        """Test that a downgrade without reason, to a higher plan, or by a non-manager is refused."""
        self.buy_plan(self.prestige)
        Downgrade = self.env["prepaid.wallet.plan.downgrade"]
        with self.assertRaises(ValidationError):
            Downgrade.create({"wallet_id": self.wallet.id, "plan_id": self.member.id, "reason": "  "})
        with self.assertRaisesRegex(UserError, "not lower"):
            Downgrade.create({"wallet_id": self.wallet.id, "plan_id": self.elite.id, "reason": "x"}).action_apply()
        reader = new_test_user(self.env, "plan-reader",
                               groups="base.group_user,prepaid_cloud_credit.group_prepaid_user",
                               company_id=self.company.id, company_ids=[(6, 0, self.company.ids)])
        with self.assertRaises(AccessError):
            Downgrade.with_user(reader).create(
                {"wallet_id": self.wallet.id, "plan_id": self.member.id, "reason": "x"}
            ).action_apply()
        with self.assertRaises(UserError):
            self.wallet._set_plan(self.member, reason="")
        self.assertEqual(self.wallet.plan_id, self.prestige)
        self.assertEqual(len(self.wallet.plan_history_ids), 1)

    def test_pricing_plan_hook_returns_the_wallet_plan(self):
        """Test that the hook for plan-dependent prices returns the wallet's plan, empty without a plan."""
        self.assertFalse(self.wallet._get_pricing_plan())
        self.buy_plan(self.member)
        self.assertEqual(self.wallet._get_pricing_plan(), self.member)
