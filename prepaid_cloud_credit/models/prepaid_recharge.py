# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class PrepaidRecharge(models.Model):
    """A customer's request to add paid credit: an order to pay first.

    Under VAT at recharge it is invoiced at once (the bill of a bank transfer);
    under VAT at consumption it waits for an advance payment. It becomes a paid
    lot exactly once, when the invoice is paid or the advance posted.
    """

    _name = "prepaid.recharge"
    _description = "Prepaid Recharge"
    _inherit = ["mail.thread", "portal.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default=lambda self: _("New"))
    wallet_id = fields.Many2one(
        "prepaid.wallet", required=True, readonly=True, index=True, check_company=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(related="wallet_id.partner_id", store=True, index=True)
    company_id = fields.Many2one(related="wallet_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="wallet_id.currency_id", store=True)
    amount = fields.Monetary("Credit (net)", required=True, readonly=True)
    tax_amount = fields.Monetary("VAT", compute="_compute_totals", store=True)
    total_amount = fields.Monetary("Total", compute="_compute_totals", store=True)
    payment_method = fields.Selection(
        [("online", "Online payment"), ("bank_transfer", "Bank transfer")],
        default="online",
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("awaiting", "Awaiting payment"),
            ("paid", "Paid"),
            ("cancelled", "Cancelled"),
            ("failed", "Failed"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    invoice_id = fields.Many2one("account.move", readonly=True, copy=False, check_company=True)
    payment_id = fields.Many2one("account.payment", readonly=True, copy=False, check_company=True)
    transaction_id = fields.Many2one(
        "prepaid.wallet.transaction", string="Credit movement", readonly=True, copy=False
    )
    lot_id = fields.Many2one(
        "prepaid.credit.lot", compute="_compute_lot_id", string="Credit lot"
    )

    @api.depends("amount", "wallet_id")
    def _compute_totals(self):
        for recharge in self:
            if not recharge.wallet_id:
                recharge.tax_amount = recharge.total_amount = 0.0
                continue
            taxes = recharge.wallet_id._prepaid_taxes()
            result = taxes.compute_all(recharge.amount, currency=recharge.currency_id, partner=recharge.partner_id)
            recharge.total_amount = result["total_included"]
            recharge.tax_amount = result["total_included"] - result["total_excluded"]

    def _compute_lot_id(self):
        for recharge in self:
            recharge.lot_id = recharge.transaction_id.allocation_ids.filtered("is_creation").lot_id[:1]

    def _compute_access_url(self):
        super()._compute_access_url()
        for recharge in self:
            recharge.access_url = f"/my/recharges/{recharge.id}"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("prepaid.recharge") or _("New")
        recharges = super().create(vals_list)
        for recharge in recharges:
            # Same validation as every movement: positive, finite, currency decimals.
            recharge.wallet_id._prepaid_parse_amount(recharge.amount)
        return recharges

    @api.model
    def _prepare_recharge_vals(self, wallet, amount, payment_method="online"):
        """Hook: the values of a new recharge (modules add promo codes, plans)."""
        return {"wallet_id": wallet.id, "amount": amount, "payment_method": payment_method}

    def action_confirm(self):
        """Issue the order to pay: the invoice under VAT at recharge."""
        for recharge in self.filtered(lambda r: r.state == "draft"):
            if recharge.company_id.prepaid_vat_policy == "recharge":
                recharge.invoice_id = recharge._create_invoice()
            recharge.state = "awaiting"
        return True

    def _prepare_invoice_vals(self):
        self.ensure_one()
        company = self.company_id
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "currency_id": self.currency_id.id,
            "company_id": company.id,
            "invoice_origin": self.name,
            "invoice_line_ids": [(0, 0, {
                "product_id": company.prepaid_product_id.id,
                "name": _("Prepaid credit %(recharge)s", recharge=self.name),
                "quantity": 1,
                "price_unit": self.amount,
            })],
        }

    def _create_invoice(self):
        self.ensure_one()
        if not self.company_id.prepaid_product_id:
            raise UserError(_("Configure the prepaid credit product of %(company)s first.", company=self.company_id.name))
        invoice = self.env["account.move"].sudo().with_company(self.company_id).create(self._prepare_invoice_vals())
        invoice.prepaid_recharge_id = self
        invoice.action_post()
        return invoice

    def action_cancel(self):
        for recharge in self:
            if recharge.state == "paid":
                raise UserError(_("The recharge %(name)s is paid; refund it instead.", name=recharge.name))
            if recharge.invoice_id and recharge.invoice_id.state == "posted":
                recharge.invoice_id.sudo().button_draft()
                recharge.invoice_id.sudo().button_cancel()
            recharge.state = "cancelled"
        return True

    def _mark_failed(self):
        self.filtered(lambda r: r.state in ("draft", "awaiting")).state = "failed"

    def _mark_paid(self, credit_tx):
        """Record the credit movement; ``_on_paid`` runs once per recharge."""
        for recharge in self:
            if recharge.state == "paid":
                continue
            recharge.write({"state": "paid", "transaction_id": credit_tx.id})
            recharge._on_paid()

    def _on_paid(self):
        """Hook: the recharge has just become credit (tiers, promo bonuses...)."""
        self.ensure_one()
