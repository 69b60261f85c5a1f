# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from dateutil.relativedelta import relativedelta

from odoo.tests import tagged

from .domain_common import PrepaidDomainPortalCommon


@tagged("post_install", "-at_install")
class TestDomainRenewal(PrepaidDomainPortalCommon):
    """Domains are services of the renewal engine."""

    def register(self, name="acme-renewal.com"):
        domain = self.Domain.create({"name": name, "wallet_id": self.wallet.id})
        self.credit(500)
        domain.execute_operation("register", 1)
        return domain

    def test_registered_domain_is_a_renewal_service_at_its_plan_price(self):
        """Test that a registered domain gets its renewal service on its expiry,
        priced at the customer's plan price for a one-year renewal."""
        domain = self.register()
        service = domain.service_id
        self.assertTrue(service)
        self.assertEqual(service.expiry_date, domain.expiry_date)
        self.assertEqual(service.partner_id, self.customer)
        self.assertEqual(service.price, 11.0)
        self.buy_plan(self.elite)
        service.invalidate_recordset(["price"])
        self.assertEqual(service.price, 9.0)

    def test_service_renewal_moves_the_domain_once(self):
        """Test that renewing the domain's service by credit moves the domain's
        expiry by one year, with one debit, and a domain operation keeps the
        service on the domain's dates."""
        domain = self.register()
        expiry = domain.expiry_date
        order = self.env["prepaid.renewal.order"]._create_order(domain.service_id, payment_method="credit")
        order._confirm()
        self.assertEqual(order.amount_untaxed, 11.0)
        self.assertEqual(domain.expiry_date, expiry + relativedelta(years=1))
        domain.execute_operation("renew", 1)
        self.assertEqual(domain.service_id.expiry_date, expiry + relativedelta(years=2))
