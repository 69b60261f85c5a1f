# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class AccountPayment(models.Model):
    _inherit = "account.payment"

    prepaid_wallet_id = fields.Many2one(
        "prepaid.wallet",
        string="Prepaid wallet",
        check_company=True,
        help="An advance payment for this wallet (VAT at consumption): it is booked on "
        "the customer prepayments account and credits the wallet once posted.",
    )
    prepaid_recharge_id = fields.Many2one("prepaid.recharge", readonly=True, copy=False, index="btree_not_null")
    prepaid_net_amount = fields.Monetary(
        compute="_compute_prepaid_net_amount",
        store=True,
        readonly=False,
        string="Prepaid credit (net)",
        help="The credit the advance buys: the amount less the VAT due at consumption.",
    )

    @api.depends("prepaid_wallet_id", "amount", "partner_id")
    def _compute_prepaid_net_amount(self):
        for payment in self:
            if not payment.prepaid_wallet_id:
                payment.prepaid_net_amount = 0.0
                continue
            payment.prepaid_net_amount = payment.prepaid_wallet_id._prepaid_net_from_gross(
                payment.amount, payment.partner_id
            )

    @api.depends("prepaid_wallet_id")
    def _compute_destination_account_id(self):
        """Override of `account` to book advances on the prepayments account."""
        res = super()._compute_destination_account_id()
        for payment in self.filtered("prepaid_wallet_id"):
            payment.destination_account_id = payment.company_id.prepaid_liability_account_id
        return res

    def action_post(self):
        """Override of `account` to credit the wallet of a posted advance payment."""
        res = super().action_post()
        for payment in self.filtered("prepaid_wallet_id"):
            payment._prepaid_credit_advance()
        return res

    def _prepaid_credit_advance(self):
        """Turn this posted advance payment into a paid lot, exactly once."""
        self.ensure_one()
        wallet = self.prepaid_wallet_id.sudo()
        if self.payment_type != "inbound" or wallet.partner_id != self.partner_id.commercial_partner_id:
            raise UserError(_("An advance payment must come in from the wallet's customer."))
        if self.currency_id != wallet.currency_id:
            raise UserError(
                _("The payment is in %(payment)s but the wallet in %(wallet)s.",
                  payment=self.currency_id.name, wallet=wallet.currency_id.name)
            )
        if self.state not in ("in_process", "paid"):
            return self.env["prepaid.wallet.transaction"]
        tx = wallet._ledger_apply(
            "credit",
            self.prepaid_net_amount,
            f"recharge:payment:{self.id}",
            kind="paid",
            expiry_date=self.prepaid_recharge_id._prepaid_lot_expiry_date(wallet),
            description=_("Advance payment %(payment)s", payment=self.name),
            source=self,
            move=self.move_id,
        )
        self.prepaid_recharge_id.sudo()._mark_paid(tx)
        return tx
