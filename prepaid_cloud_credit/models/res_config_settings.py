# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    prepaid_vat_policy = fields.Selection(related="company_id.prepaid_vat_policy", readonly=False)
    prepaid_consumption_order = fields.Selection(
        related="company_id.prepaid_consumption_order", readonly=False
    )
    prepaid_paid_expiry = fields.Selection(related="company_id.prepaid_paid_expiry", readonly=False)
    prepaid_paid_expiry_months = fields.Integer(
        related="company_id.prepaid_paid_expiry_months", readonly=False
    )
    prepaid_paid_expiry_date = fields.Date(related="company_id.prepaid_paid_expiry_date", readonly=False)
    prepaid_bonus_expiry = fields.Selection(related="company_id.prepaid_bonus_expiry", readonly=False)
    prepaid_bonus_expiry_months = fields.Integer(
        related="company_id.prepaid_bonus_expiry_months", readonly=False
    )
    prepaid_bonus_expiry_date = fields.Date(related="company_id.prepaid_bonus_expiry_date", readonly=False)
    prepaid_voucher_expiry = fields.Selection(related="company_id.prepaid_voucher_expiry", readonly=False)
    prepaid_voucher_expiry_months = fields.Integer(
        related="company_id.prepaid_voucher_expiry_months", readonly=False
    )
    prepaid_voucher_expiry_date = fields.Date(
        related="company_id.prepaid_voucher_expiry_date", readonly=False
    )
    prepaid_product_id = fields.Many2one(related="company_id.prepaid_product_id", readonly=False)
    prepaid_liability_account_id = fields.Many2one(
        related="company_id.prepaid_liability_account_id", readonly=False
    )
    prepaid_revenue_account_id = fields.Many2one(
        related="company_id.prepaid_revenue_account_id", readonly=False
    )
    prepaid_unbilled_account_id = fields.Many2one(
        related="company_id.prepaid_unbilled_account_id", readonly=False
    )
    prepaid_discount_account_id = fields.Many2one(
        related="company_id.prepaid_discount_account_id", readonly=False
    )
    prepaid_bonus_treatment = fields.Selection(related="company_id.prepaid_bonus_treatment", readonly=False)
    prepaid_promotion_account_id = fields.Many2one(
        related="company_id.prepaid_promotion_account_id", readonly=False
    )
    prepaid_breakage_account_id = fields.Many2one(
        related="company_id.prepaid_breakage_account_id", readonly=False
    )
    prepaid_adjustment_account_id = fields.Many2one(
        related="company_id.prepaid_adjustment_account_id", readonly=False
    )
    prepaid_journal_id = fields.Many2one(related="company_id.prepaid_journal_id", readonly=False)

    def action_prepaid_setup_accounting(self):
        self.company_id._prepaid_setup_accounting()
        return {"type": "ir.actions.client", "tag": "reload"}
