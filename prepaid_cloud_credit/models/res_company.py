# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..const import (
    ACCOUNT_PLACEMENT,
    ACCOUNT_ROLES,
    CONSUMPTION_ORDERS,
    DEFAULT_ACCOUNT_PLACEMENT,
    DEFAULT_CONSUMPTION_ORDER,
)

EXPIRY_POLICIES = [
    ("never", "Never"),
    ("months", "Months after purchase"),
    ("date", "Fixed date"),
]


def _consumption_order_selection(model):
    """The consumption orders, their kinds named in the language of ``model``'s environment."""
    labels = {"voucher": model.env._("Voucher"), "bonus": model.env._("Bonus"), "paid": model.env._("Paid")}
    return [(key, " → ".join(labels[kind] for kind in kinds)) for key, kinds in CONSUMPTION_ORDERS.items()]


class ResCompany(models.Model):
    _inherit = "res.company"

    prepaid_vat_policy = fields.Selection(
        [
            ("recharge", "VAT at recharge (single-purpose voucher)"),
            ("consumption", "VAT at consumption (multi-purpose voucher)"),
        ],
        string="Prepaid VAT policy",
        default="recharge",
        required=True,
    )
    prepaid_consumption_order = fields.Selection(
        _consumption_order_selection, default=DEFAULT_CONSUMPTION_ORDER, required=True
    )
    prepaid_paid_expiry = fields.Selection(EXPIRY_POLICIES, default="never", required=True)
    prepaid_paid_expiry_months = fields.Integer(default=13)
    prepaid_paid_expiry_date = fields.Date()
    prepaid_bonus_expiry = fields.Selection(EXPIRY_POLICIES, default="months", required=True)
    prepaid_bonus_expiry_months = fields.Integer(default=13)
    prepaid_bonus_expiry_date = fields.Date()
    prepaid_voucher_expiry = fields.Selection(EXPIRY_POLICIES, default="months", required=True)
    prepaid_voucher_expiry_months = fields.Integer(default=13)
    prepaid_voucher_expiry_date = fields.Date()
    prepaid_product_id = fields.Many2one(
        "product.product",
        string="Prepaid credit product",
        help="Sold by recharge invoices; its income account is the prepayment liability.",
    )
    prepaid_liability_account_id = fields.Many2one(
        "account.account",
        string="Customer prepayments account",
        check_company=True,
        help="Holds the paid credit of the wallets: net of VAT under VAT at recharge, with the VAT still "
        "to charge under VAT at consumption. It should hold nothing else, so that the liability check "
        "can compare it with the wallets.",
    )
    prepaid_unbilled_account_id = fields.Many2one(
        "account.account",
        string="Usage to invoice account",
        check_company=True,
        help="VAT at recharge: usage that no credit covered (the customer's debt), per customer, until "
        "the next recharge pays it.",
    )
    prepaid_revenue_account_id = fields.Many2one(
        "account.account",
        string="Default consumption revenue account",
        check_company=True,
        help="Used when the consumed product and its category name no income account.",
    )
    prepaid_bonus_treatment = fields.Selection(
        [
            ("discount", "A discount: reduces revenue"),
            ("expense", "A promotion expense"),
        ],
        string="Bonus and voucher consumption",
        default="discount",
        required=True,
        help="Bonus and voucher credit carry no cash. As a discount (the Italian standard OIC 34) their "
        "consumption is booked on the discount account, among revenue; as a promotion expense, on the "
        "promotion account.",
    )
    prepaid_discount_account_id = fields.Many2one(
        "account.account", string="Discount account", check_company=True
    )
    prepaid_promotion_account_id = fields.Many2one(
        "account.account", string="Promotion account", check_company=True
    )
    prepaid_breakage_account_id = fields.Many2one(
        "account.account", string="Breakage income account", check_company=True
    )
    prepaid_adjustment_account_id = fields.Many2one(
        "account.account", string="Adjustment account", check_company=True
    )
    prepaid_journal_id = fields.Many2one(
        "account.journal",
        string="Prepaid journal",
        check_company=True,
        domain="[('type', '=', 'general')]",
        help="Journal of the aggregated consumption, expiry and adjustment entries.",
    )

    @api.constrains(
        "prepaid_paid_expiry_months", "prepaid_bonus_expiry_months", "prepaid_voucher_expiry_months"
    )
    def _check_prepaid_expiry_months(self):
        for company in self:
            for kind in ("paid", "bonus", "voucher"):
                if company[f"prepaid_{kind}_expiry"] == "months" and company[f"prepaid_{kind}_expiry_months"] <= 0:
                    raise ValidationError(_("An expiry in months needs a positive number of months."))

    def _prepaid_setup_accounting(self):
        """Give the company what the ledger books into, where it has none yet.

        Each role takes the chart's own account when the chart has one
        (:data:`ACCOUNT_PLACEMENT`), otherwise an account created with the
        right type and report tags. Accounts already configured are kept.
        """
        product = self.env.ref("prepaid_cloud_credit.product_prepaid_credit", raise_if_not_found=False)
        for company in self:
            placement = company._prepaid_account_placement()
            vals = {}
            for role in ACCOUNT_ROLES:
                field = f"prepaid_{role}_account_id"
                if not company[field]:
                    vals[field] = company._prepaid_placed_account(role, placement).id
            if not company.prepaid_journal_id:
                vals["prepaid_journal_id"] = self.env["account.journal"].search(
                    [*self.env["account.journal"]._check_company_domain(company), ("type", "=", "general")],
                    limit=1,
                ).id
            if product and not company.prepaid_product_id:
                vals["prepaid_product_id"] = product.id
            if vals:
                # Setup runs for whoever loads a chart: the company's own settings.
                company.sudo().write(vals)
            if product:
                liability = company.prepaid_liability_account_id
                # The shared product gets this company's accounts and taxes.
                product_company = product.sudo().with_company(company)
                if not product_company.property_account_income_id:
                    product_company.property_account_income_id = liability
                if not product_company.taxes_id.filtered(lambda t, c=company: t.company_id == c):
                    tax = company.account_sale_tax_id
                    if tax:
                        product_company.taxes_id = [(4, tax.id)]

    def _prepaid_account_placement(self):
        """The placement of the prepaid accounts for this company's chart (or
        the chart it derives from), the generic one for other charts."""
        self.ensure_one()
        templates = self.env["account.chart.template"]._get_parent_template(self.chart_template) if (
            self.chart_template
        ) else []
        for code in templates:
            if code in ACCOUNT_PLACEMENT:
                return ACCOUNT_PLACEMENT[code]
        return ACCOUNT_PLACEMENT[DEFAULT_ACCOUNT_PLACEMENT]

    def _prepaid_placed_account(self, role, placement):
        """The account of ``role``: the chart's own, or a new one."""
        self.ensure_one()
        # Accounts are the company's configuration, set up for any user loading a chart.
        Account = self.env["account.account"].sudo().with_company(self)
        spec = placement.get(role) or ACCOUNT_PLACEMENT[DEFAULT_ACCOUNT_PLACEMENT][role]
        if "template" in spec:
            chart = self.env["account.chart.template"].with_company(self)
            account = chart.ref(spec["template"], raise_if_not_found=False)
            if account:
                return account
            # The chart's account was deleted: create the generic one instead.
            spec = ACCOUNT_PLACEMENT[DEFAULT_ACCOUNT_PLACEMENT][role]
            if "template" in spec:
                return self._prepaid_income_fallback()
        code = spec["code"]
        # Charts pad their codes (l10n_it: 2530 is 253000): pad ours the same way.
        digits = len(self.partner_id.with_company(self).property_account_receivable_id.code or "")
        if code.isdigit() and len(code) < digits:
            code = code.ljust(digits, "0")
        existing = Account.search([*Account._check_company_domain(self), ("code", "=", code)], limit=1)
        if existing and existing.account_type == spec["account_type"]:
            return existing
        if existing:
            code = Account._search_new_account_code(code)
        account = Account.create({
            "code": code,
            "name": spec["name"],
            "account_type": spec["account_type"],
            "reconcile": spec.get("reconcile", False),
            "company_ids": [Command.set(self.ids)],
        })
        # Explicit tags, even none: Odoo would copy those of the closest code.
        tags = [self.env.ref(xmlid, raise_if_not_found=False) for xmlid in spec.get("tags", [])]
        account.tag_ids = [Command.set([tag.id for tag in tags if tag])]
        languages = dict(self.env["res.lang"].get_installed())
        translations = {
            lang: name
            for prefix, name in spec.get("translations", {}).items()
            for lang in languages
            if lang.split("_")[0] == prefix
        }
        if translations:
            account.update_field_translations("name", translations)
        return account

    def _prepaid_income_fallback(self):
        """An income account of the company, for a chart that lost the one its
        placement names."""
        self.ensure_one()
        Account = self.env["account.account"].sudo()
        return self.env["product.category"].with_company(self).search(
            [], limit=1
        ).property_account_income_categ_id or Account.search(
            [*Account._check_company_domain(self), ("account_type", "=", "income")], limit=1
        )

    def _prepaid_bonus_account(self):
        """Where the consumption of bonus and voucher credit is booked."""
        self.ensure_one()
        if self.prepaid_bonus_treatment == "expense":
            return self.prepaid_promotion_account_id
        return self.prepaid_discount_account_id

    def _prepaid_accounting_ready(self):
        self.ensure_one()
        return not self._prepaid_missing_accounting()

    def _prepaid_check_accounting(self):
        self.ensure_one()
        missing = self._prepaid_missing_accounting()
        if missing:
            raise UserError(
                _(
                    "Configure the prepaid accounting of %(company)s first: %(missing)s.",
                    company=self.display_name,
                    missing=", ".join(missing),
                )
            )

    def _prepaid_missing_accounting(self):
        return [
            label
            for field, label in (
                ("prepaid_liability_account_id", _("customer prepayments account")),
                ("prepaid_unbilled_account_id", _("usage to invoice account")),
                ("prepaid_discount_account_id", _("discount account")),
                ("prepaid_promotion_account_id", _("promotion account")),
                ("prepaid_breakage_account_id", _("breakage account")),
                ("prepaid_adjustment_account_id", _("adjustment account")),
                ("prepaid_revenue_account_id", _("revenue account")),
                ("prepaid_journal_id", _("prepaid journal")),
            )
            if not self[field]
        ]

    def _prepaid_liability_check(self):
        """Compare the customer prepayments account with the wallets, in
        every currency and in the company currency.

        The liability in the general ledger, less the posted recharge
        invoices (and their credit notes) not yet paid, equals the paid
        credit of the wallets valued as the account holds it (net of VAT
        under VAT at recharge, with the VAT still to charge under VAT at
        consumption; in the company currency at the rate of the lot), once
        the movements waiting for their booking are taken out. It holds under
        both VAT policies; debt is a receivable and is not in it.

        :return: dict with, for the company currency, ``gl``,
            ``unpaid_recharges``, ``wallets``, ``unbooked`` and ``difference``
            (zero when the two agree); ``currencies``, the same figures per
            currency code, in that currency (``amount_currency``); and
            ``exact``, true when every difference is zero
        """
        self.ensure_one()
        account = self.prepaid_liability_account_id
        company_currency = self.currency_id
        for model in ("account.move.line", "account.move", "prepaid.wallet.transaction",
                      "prepaid.wallet.allocation", "prepaid.credit.lot"):
            self.env[model].flush_model()
        figures = {}

        def empty():
            return {"gl": 0.0, "unpaid_recharges": 0.0, "wallets": 0.0, "unbooked": 0.0}

        def add(currency, key, amount, balance):
            # Credit positive: the liability grows. None is the company currency.
            figures.setdefault(currency, empty())[key] += amount
            figures.setdefault(None, empty())[key] += balance

        rows = self.env.execute_query(SQL(
            """
            SELECT aml.currency_id, -SUM(aml.amount_currency), -SUM(aml.balance),
                   -SUM(aml.amount_currency) FILTER (WHERE unpaid.id IS NOT NULL),
                   -SUM(aml.balance) FILTER (WHERE unpaid.id IS NOT NULL)
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              LEFT JOIN account_move unpaid ON unpaid.id = move.id
                   AND unpaid.move_type IN ('out_invoice', 'out_refund')
                   AND NOT EXISTS (SELECT 1 FROM prepaid_wallet_transaction t
                                    WHERE t.move_id IN (unpaid.id, unpaid.reversed_entry_id))
             WHERE aml.account_id = %s AND aml.company_id = %s AND move.state = 'posted'
          GROUP BY aml.currency_id
            """,
            account.id, self.id,
        ))
        Currency = self.env["res.currency"]
        for currency_id, amount, balance, unpaid_amount, unpaid_balance in rows:
            currency = Currency.browse(currency_id)
            add(currency, "gl", float(amount), float(balance))
            add(currency, "unpaid_recharges", float(unpaid_amount or 0.0), float(unpaid_balance or 0.0))
        # sudo: the check reads every wallet of the company, whoever runs it.
        lots = self.env["prepaid.credit.lot"].sudo().search(
            [("company_id", "=", self.id), ("kind", "=", "paid"), ("remaining_amount", "!=", 0)]
        )
        for lot in lots:
            amount, balance = lot._booked_value(lot.remaining_amount)
            add(lot.currency_id, "wallets", amount, balance)
        unbooked = self.env["prepaid.wallet.transaction"].sudo()._prepaid_unbooked(self)
        for currency, (amount, balance) in unbooked._unbooked_liability_values().items():
            add(currency, "unbooked", amount, balance)

        def result(row, currency):
            row = {key: currency.round(value) for key, value in row.items()}
            row["difference"] = currency.round(
                (row["gl"] - row["unpaid_recharges"]) - (row["wallets"] - row["unbooked"])
            )
            return row

        company_row = result(figures.pop(None, empty()), company_currency)
        currencies = {currency.name: result(row, currency) for currency, row in figures.items()}
        return {
            **company_row,
            "currencies": currencies,
            "exact": company_row["difference"] == 0 and all(row["difference"] == 0 for row in currencies.values()),
        }
