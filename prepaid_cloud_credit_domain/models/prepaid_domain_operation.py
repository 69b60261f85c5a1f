# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from .prepaid_domain_price import DOMAIN_OPERATIONS


class PrepaidDomainOperation(models.Model):
    """A domain operation done and paid: written once by the domain service."""

    _name = "prepaid.domain.operation"
    _description = "Domain Operation"
    _order = "date desc, id desc"
    _check_company_auto = True

    domain_id = fields.Many2one("prepaid.domain", required=True, readonly=True, index=True, ondelete="restrict")
    wallet_id = fields.Many2one("prepaid.wallet", required=True, readonly=True, index=True, ondelete="restrict")
    partner_id = fields.Many2one(related="wallet_id.partner_id", store=True, index=True, string="Customer")
    company_id = fields.Many2one(related="wallet_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="wallet_id.currency_id")
    operation = fields.Selection(DOMAIN_OPERATIONS, required=True, readonly=True)
    years = fields.Integer(required=True, readonly=True)
    amount = fields.Monetary(readonly=True, help="Price paid, net of VAT.")
    plan_id = fields.Many2one("prepaid.plan", string="Price of plan", readonly=True, help="Empty: list price.")
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    old_expiry_date = fields.Date("Expiry before", readonly=True)
    new_expiry_date = fields.Date("Expiry after", readonly=True)
    transaction_id = fields.Many2one("prepaid.wallet.transaction", readonly=True, index="btree_not_null")
    balance_after = fields.Monetary(related="transaction_id.balance_after", string="Remaining credit")
    idempotency_key = fields.Char(required=True, readonly=True, copy=False)
    user_id = fields.Many2one("res.users", default=lambda self: self.env.uid, readonly=True)

    _sql_constraints = [
        ("idempotency_key_uniq", "UNIQUE(idempotency_key)", "A domain operation request is applied once."),
    ]

    @api.depends("operation", "domain_id.name", "years")
    @api.depends_context("lang")
    def _compute_display_name(self):
        labels = dict(self._fields["operation"]._description_selection(self.env))
        for op in self:
            op.display_name = _(
                "%(operation)s %(domain)s, %(years)s year(s)",
                operation=labels.get(op.operation, ""),
                domain=op.domain_id.name or "",
                years=op.years,
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(_("Domain operations are written by the domain service only."))
        return super().create(vals_list)

    def write(self, vals):
        # Written once; only the debit that pays it is attached right after.
        if not self.env.su or set(vals) - {"transaction_id"} or self.filtered("transaction_id"):
            raise AccessError(_("Domain operations cannot be changed."))
        return super().write(vals)
