# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import create_unique_index

DOMAIN_OPERATIONS = [
    ("register", "Register"),
    ("transfer", "Transfer"),
    ("renew", "Renew"),
    ("restore", "Restore after expiry"),
]
MAX_DOMAIN_YEARS = 10


class PrepaidDomainPrice(models.Model):
    """One cell of the domain price matrix: a plan (or the list price), a
    currency, a TLD, an operation and a number of years."""

    _name = "prepaid.domain.price"
    _description = "Domain Price"
    _order = "tld_id, operation, years, plan_id"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    plan_id = fields.Many2one(
        "prepaid.plan", ondelete="cascade", index=True,
        help="Empty: the list price, for customers without a plan or a price of their plan.",
    )
    currency_id = fields.Many2one("res.currency", required=True, default=lambda self: self.env.company.currency_id)
    tld_id = fields.Many2one("prepaid.domain.tld", string="TLD", required=True, ondelete="cascade", index=True)
    operation = fields.Selection(DOMAIN_OPERATIONS, required=True)
    years = fields.Integer(required=True, default=1)
    price = fields.Monetary(required=True, help="Net of VAT, for the whole period.")

    _sql_constraints = [
        ("years_range", f"CHECK(years BETWEEN 1 AND {MAX_DOMAIN_YEARS})", "A domain price covers 1 to 10 years."),
        ("price_positive", "CHECK(price >= 0)", "A domain price cannot be negative."),
    ]

    def init(self):
        # UNIQUE treats NULL plans (list prices) as distinct; the index does not.
        create_unique_index(
            self.env.cr,
            "prepaid_domain_price_key_uniq",
            self._table,
            ["company_id", "COALESCE(plan_id, 0)", "currency_id", "tld_id", "operation", "years"],
        )

    @api.model
    def _get_price_domain(self, company, currency, plans=None, tlds=None):
        """Hook: the lines that may price a wallet (its company and currency)."""
        domain = [("company_id", "=", company.id), ("currency_id", "=", currency.id)]
        if plans is not None:
            domain.append(("plan_id", "in", plans.ids + [False]))
        if tlds is not None:
            domain.append(("tld_id", "in", tlds.ids))
        return domain

    @api.model
    def _get_domain_price(self, wallet, tld, operation, years):
        """The price of a domain operation for ``wallet``: its plan's price,
        falling back to the list price.

        :param wallet: the ``prepaid.wallet`` that pays
        :param tld: a ``prepaid.domain.tld`` record or its name (``.com``)
        :param operation: register, transfer, renew or restore
        :param years: 1 to 10
        :return: ``(price, price_line)``
        :raise UserError: on a bad operation or years, or when neither the
            plan nor the list has a price
        """
        wallet.ensure_one()
        if isinstance(tld, str):
            tld = self.env["prepaid.domain.tld"].search([("name", "=", tld.strip().lower())], limit=1)
        if not tld:
            raise UserError(_("Unknown domain extension."))
        if operation not in dict(DOMAIN_OPERATIONS):
            raise UserError(_("Unknown domain operation %(operation)s.", operation=operation))
        if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= MAX_DOMAIN_YEARS:
            raise UserError(_("A domain operation covers 1 to 10 years, not %(years)s.", years=years))
        plan = wallet._get_pricing_plan()
        # Prices are configuration; the customer's own access is checked by the caller.
        lines = self.sudo().search(
            self._get_price_domain(wallet.company_id, wallet.currency_id, plans=plan, tlds=tld)
            + [("operation", "=", operation), ("years", "=", years)]
        )
        line = (
            lines.filtered(lambda p: plan and p.plan_id == plan)[:1]
            or lines.filtered(lambda p: not p.plan_id)[:1]
        )
        if not line:
            raise UserError(
                _(
                    "No price to %(operation)s %(tld)s for %(years)s year(s) in %(currency)s.",
                    operation=dict(self._fields["operation"]._description_selection(self.env))[operation],
                    tld=tld.name,
                    years=years,
                    currency=wallet.currency_id.name,
                )
            )
        return line.price, line

    @api.model
    def _get_price_matrix(self, company, currency, plan):
        """All prices of a customer: ``{tld: {operation: {years: (price, list_price)}}}``.

        The plan price wins over the list price; ``list_price`` is None where
        the list has no price.
        """
        # Customers read the price list through here only, restricted to their plan.
        lines = self.sudo().search(self._get_price_domain(company, currency, plans=plan))
        matrix = {}
        for line in lines.filtered(lambda p: not p.plan_id):
            matrix.setdefault(line.tld_id, {}).setdefault(line.operation, {})[line.years] = (line.price, line.price)
        for line in lines.filtered("plan_id"):
            cell = matrix.setdefault(line.tld_id, {}).setdefault(line.operation, {})
            cell[line.years] = (line.price, cell.get(line.years, (None, None))[1])
        return matrix
