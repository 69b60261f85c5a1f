# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..const import ACCOUNT_CODES, CONSUMPTION_ORDERS, DEFAULT_CONSUMPTION_ORDER

EXPIRY_POLICIES = [
    ("never", "Never"),
    ("months", "Months after purchase"),
    ("date", "Fixed date"),
]


def _consumption_order_selection(model):
    labels = {"voucher": _("Voucher"), "bonus": _("Bonus"), "paid": _("Paid")}
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
        "account.account", string="Customer prepayments account", check_company=True
    )
    prepaid_revenue_account_id = fields.Many2one(
        "account.account",
        string="Default consumption revenue account",
        check_company=True,
        help="Used when the consumed product and its category name no income account.",
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
        """Create what the ledger books into, when the company has none yet."""
        Account = self.env["account.account"].sudo()
        product = self.env.ref("prepaid_cloud_credit.product_prepaid_credit", raise_if_not_found=False)
        for company in self:
            vals = {}
            for role, (code, name, account_type) in ACCOUNT_CODES.items():
                field = f"prepaid_{role}_account_id"
                if company[field]:
                    continue
                account = Account.search(
                    [*Account._check_company_domain(company), ("code", "=", code)], limit=1
                ) or Account.create(
                    {"code": code, "name": name, "account_type": account_type, "company_ids": [(6, 0, company.ids)]}
                )
                vals[field] = account.id
            if not company.prepaid_revenue_account_id:
                income = self.env["product.category"].with_company(company).search(
                    [], limit=1
                ).property_account_income_categ_id or Account.search(
                    [*Account._check_company_domain(company), ("account_type", "=", "income")], limit=1
                )
                vals["prepaid_revenue_account_id"] = income.id
            if not company.prepaid_journal_id:
                vals["prepaid_journal_id"] = self.env["account.journal"].search(
                    [*self.env["account.journal"]._check_company_domain(company), ("type", "=", "general")],
                    limit=1,
                ).id
            if product and not company.prepaid_product_id:
                vals["prepaid_product_id"] = product.id
            if vals:
                company.sudo().write(vals)
            if product:
                liability = company.prepaid_liability_account_id
                product_company = product.sudo().with_company(company)
                if not product_company.property_account_income_id:
                    product_company.property_account_income_id = liability
                if not product_company.taxes_id.filtered(lambda t: t.company_id == company):
                    tax = company.account_sale_tax_id
                    if tax:
                        product_company.taxes_id = [(4, tax.id)]

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
                ("prepaid_promotion_account_id", _("promotion account")),
                ("prepaid_breakage_account_id", _("breakage account")),
                ("prepaid_adjustment_account_id", _("adjustment account")),
                ("prepaid_revenue_account_id", _("revenue account")),
                ("prepaid_journal_id", _("prepaid journal")),
            )
            if not self[field]
        ]

    def _prepaid_liability_check(self):
        """Compare the customer prepayments account with the wallets.

        Under VAT at recharge the liability in the general ledger, less the
        posted recharge invoices not yet paid, equals the paid credit of the
        wallets less their debt, once the movements waiting for their booking
        are taken out. ``difference`` is zero when the two agree.

        :return: dict with ``gl``, ``unpaid_recharges``, ``wallets``,
            ``unbooked`` and ``difference``
        """
        self.ensure_one()
        account = self.prepaid_liability_account_id
        currency = self.currency_id
        self.env["account.move.line"].flush_model()
        self.env["prepaid.wallet"].flush_model()
        self.env.cr.execute(
            """
            SELECT COALESCE(-SUM(aml.balance), 0)
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
             WHERE aml.account_id = %s AND aml.company_id = %s AND move.state = 'posted'
            """,
            (account.id, self.id),
        )
        gl = self.env.cr.fetchone()[0]
        recharges = self.env["account.move"].sudo().search([
            ("company_id", "=", self.id),
            ("state", "=", "posted"),
            ("move_type", "=", "out_invoice"),
            ("line_ids.account_id", "=", account.id),
            ("prepaid_transaction_ids", "=", False),
        ])
        unpaid = -sum(recharges.line_ids.filtered(lambda line: line.account_id == account).mapped("balance"))
        wallets = self.env["prepaid.wallet"].sudo().with_context(active_test=False).search(
            [("company_id", "=", self.id), ("currency_id", "=", currency.id)]
        )
        wallet_total = sum(wallets.mapped("paid_amount")) - sum(wallets.mapped("debt_amount"))
        unbooked = self.env["prepaid.wallet.transaction"].sudo().search(
            [("company_id", "=", self.id), ("needs_booking", "=", True)]
        )._unbooked_liability_amount()
        difference = currency.round((gl - unpaid) - (wallet_total - unbooked))
        return {
            "gl": currency.round(gl),
            "unpaid_recharges": currency.round(unpaid),
            "wallets": currency.round(wallet_total),
            "unbooked": currency.round(unbooked),
            "difference": difference,
        }
