# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from urllib.parse import urlparse

from odoo import Command, http
from odoo.tests import HttpCase, new_test_user

from odoo.addons.prepaid_cloud_credit.tests.common import PrepaidCommon


class PrepaidPlanCommon(PrepaidCommon):
    """The shipped plans sold in the company currency."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = cls.env.ref("prepaid_cloud_credit_plan.plan_member")
        cls.prestige = cls.env.ref("prepaid_cloud_credit_plan.plan_prestige")
        cls.elite = cls.env.ref("prepaid_cloud_credit_plan.plan_elite")
        for plan, amount in ((cls.member, 50), (cls.prestige, 200), (cls.elite, 500)):
            plan.entry_ids = [Command.create({"currency_id": cls.currency.id, "amount": amount})]

    def pay(self, invoice):
        return self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"payment_date": invoice.invoice_date})._create_payments()

    def plan_recharge(self, plan, wallet=None):
        Recharge = self.env["prepaid.recharge"]
        recharge = Recharge.create(Recharge._prepare_plan_recharge_vals(wallet or self.wallet, plan, "bank_transfer"))
        recharge.action_confirm()
        return recharge

    def buy_plan(self, plan, wallet=None):
        recharge = self.plan_recharge(plan, wallet)
        self.pay(recharge.invoice_id)
        return recharge


class PrepaidPlanPortalCommon(PrepaidPlanCommon, HttpCase):
    """A portal contact of the customer, another customer with its portal
    contact, and an integration user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company_ids = [(6, 0, cls.company.ids)]
        contact = cls.env["res.partner"].create(
            {"name": "Portal Pia", "parent_id": cls.customer.id, "email": "pia@example.com"}
        )
        cls.portal = new_test_user(cls.env, "pia", groups="base.group_portal", partner_id=contact.id,
                                   company_id=cls.company.id, company_ids=company_ids, password="pia-pass-123")
        cls.other_customer = cls.env["res.partner"].create({"name": "Rival Hosting", "is_company": True})
        cls.other_wallet = cls.env["prepaid.wallet"].sudo().create({
            "partner_id": cls.other_customer.id, "company_id": cls.company.id,
            "currency_id": cls.currency.id, "scope": "all",
        })
        other_contact = cls.env["res.partner"].create(
            {"name": "Rival Rob", "parent_id": cls.other_customer.id, "email": "rob@example.com"}
        )
        cls.other_portal = new_test_user(cls.env, "rob", groups="base.group_portal", partner_id=other_contact.id,
                                         company_id=cls.company.id, company_ids=company_ids, password="rob-pass-123")
        cls.integration = new_test_user(
            cls.env, "bridge", groups="base.group_user,prepaid_cloud_credit.group_prepaid_integration",
            company_id=cls.company.id, company_ids=company_ids, password="bridge-pass-123")

    def post(self, url, **data):
        data["csrf_token"] = http.Request.csrf_token(self)
        return self.url_open(url, data=data, allow_redirects=False)

    def location(self, response):
        return urlparse(response.headers.get("Location", ""))
