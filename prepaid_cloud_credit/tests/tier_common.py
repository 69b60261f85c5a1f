# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import Command

from .common import PrepaidCommon


class PrepaidTierCommon(PrepaidCommon):
    """The shipped tiers sold in the company currency, and a .com price list."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = cls.env.ref("prepaid_cloud_credit.tier_member")
        cls.prestige = cls.env.ref("prepaid_cloud_credit.tier_prestige")
        cls.elite = cls.env.ref("prepaid_cloud_credit.tier_elite")
        for tier, amount in ((cls.member, 50), (cls.prestige, 200), (cls.elite, 500)):
            tier.entry_ids = [Command.create({"currency_id": cls.currency.id, "amount": amount})]
        cls.Price = cls.env["prepaid.domain.price"]
        cls.com = cls.env["prepaid.domain.tld"].search([("name", "=", ".com")]) or cls.env[
            "prepaid.domain.tld"
        ].create({"name": ".com"})
        # Only the prices these tests set: the demo price list is in EUR of another company.
        cls.Price.search([("tld_id", "=", cls.com.id), ("company_id", "=", cls.company.id)]).unlink()

    @classmethod
    def set_price(cls, operation, years, price, tier=None, tld=None, currency=None):
        return cls.Price.create({
            "company_id": cls.company.id,
            "currency_id": (currency or cls.currency).id,
            "tier_id": tier.id if tier else False,
            "tld_id": (tld or cls.com).id,
            "operation": operation,
            "years": years,
            "price": price,
        })

    def pay(self, invoice):
        return self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"payment_date": invoice.invoice_date})._create_payments()

    def plan_recharge(self, tier, wallet=None):
        Recharge = self.env["prepaid.recharge"]
        recharge = Recharge.create(Recharge._prepare_plan_recharge_vals(wallet or self.wallet, tier, "bank_transfer"))
        recharge.action_confirm()
        return recharge

    def buy_plan(self, tier, wallet=None):
        recharge = self.plan_recharge(tier, wallet)
        self.pay_recharge(recharge)
        return recharge
