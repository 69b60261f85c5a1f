# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from datetime import timedelta

from odoo import Command, fields

from odoo.addons.prepaid_cloud_credit.tests.common import PrepaidPortalCommon


class RenewalCommon(PrepaidPortalCommon):
    """A yearly hosting plan and a monthly-or-yearly licence at 22 % VAT,
    services of the customer and of a rival, and demo payment tokens."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({
            "prepaid_renewal_expiring_days": 30,
            "prepaid_renewal_auto_days": 3,
            "prepaid_renewal_reminder_days": "30,7,1,0",
            "prepaid_renewal_transfer_fee": 2.0,
        })
        cls.env.ref("prepaid_cloud_credit_renewal.product_renewal_transfer_fee").taxes_id = [
            Command.set(cls.vat22.ids)]
        cls.hosting = cls.env["product.product"].create({
            "name": "Hosting Pro", "type": "service", "prepaid_renewable": True,
            "prepaid_renewal_period": "year", "prepaid_renewal_price_year": 100.0,
            "prepaid_renewal_grace_days": 15, "prepaid_renewal_termination_days": 30,
            "taxes_id": [Command.set(cls.vat22.ids)],
        })
        cls.licence = cls.env["product.product"].create({
            "name": "cPanel licence", "type": "service", "prepaid_renewable": True,
            "prepaid_renewal_period": "both", "prepaid_renewal_price_month": 10.0,
            "prepaid_renewal_price_year": 100.0, "taxes_id": [Command.set(cls.vat22.ids)],
        })
        cls.today = fields.Date.context_today(cls.env.user)

    def service(self, expires_in=10, product=None, partner=None, **vals):
        """A service of the customer expiring in ``expires_in`` days."""
        expiry = self.today + timedelta(days=expires_in)
        return self.env["prepaid.renewal.service"].create({
            "name": vals.pop("name", f"srv-{self.key('s')}"),
            "partner_id": (partner or self.customer).id,
            "company_id": self.company.id,
            "currency_id": self.currency.id,
            "product_id": (product or self.hosting).id,
            "period": "year",
            "start_date": expiry - timedelta(days=365),
            "expiry_date": expiry,
            **vals,
        })

    def token(self, partner=None, state="done"):
        """A saved demo card of the customer that pays (``done``) or is refused (``error``)."""
        self.require_payment_demo()
        self.provider.allow_tokenization = True
        return self.env["payment.token"].sudo().create({
            "provider_id": self.provider.id,
            "payment_method_id": self.env.ref("payment_demo.payment_method_demo").id,
            "partner_id": (partner or self.customer).id,
            "payment_details": "4242",
            "provider_ref": f"demo-{self.key('tok')}",
            "demo_simulated_state": state,
        })

    def orders(self, partner=None):
        return self.env["prepaid.renewal.order"].sudo().search(
            [("partner_id", "=", (partner or self.customer).id)])
