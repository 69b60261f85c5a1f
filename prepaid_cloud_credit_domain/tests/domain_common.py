# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo.addons.prepaid_cloud_credit_plan.tests.plan_common import PrepaidPlanCommon, PrepaidPlanPortalCommon


class PrepaidDomainCommon(PrepaidPlanCommon):
    """The shipped plans sold in the company currency, and a .com price list."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Price = cls.env["prepaid.domain.price"]
        cls.com = cls.env["prepaid.domain.tld"].search([("name", "=", ".com")]) or cls.env[
            "prepaid.domain.tld"
        ].create({"name": ".com"})
        # Only the prices these tests set: the demo price list is in EUR of another company.
        cls.Price.search([("tld_id", "=", cls.com.id), ("company_id", "=", cls.company.id)]).unlink()

    @classmethod
    def set_price(cls, operation, years, price, plan=None, tld=None, currency=None):
        return cls.Price.create({
            "company_id": cls.company.id,
            "currency_id": (currency or cls.currency).id,
            "plan_id": plan.id if plan else False,
            "tld_id": (tld or cls.com).id,
            "operation": operation,
            "years": years,
            "price": price,
        })


class PrepaidDomainPortalCommon(PrepaidDomainCommon, PrepaidPlanPortalCommon):
    """The plans' portal users, and domain prices of the company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for years in (1, 2):
            cls.set_price("register", years, 12 * years)
            cls.set_price("renew", years, 11 * years)
            cls.set_price("renew", years, 9 * years, plan=cls.elite)
        cls.set_price("transfer", 1, 10)
        cls.set_price("restore", 1, 60)
        cls.Domain = cls.env["prepaid.domain"]
