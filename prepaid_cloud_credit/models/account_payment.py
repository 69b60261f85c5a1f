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
        "the customer prepayments account and credits the wallet once posted. An outgoing "
        "payment refunds unused credit of the lot below and withdraws it once posted.",
    )
    prepaid_recharge_id = fields.Many2one("prepaid.recharge", readonly=True, copy=False, index="btree_not_null")
    prepaid_refund_lot_id = fields.Many2one(
        "prepaid.credit.lot",
        string="Refunded credit",
        readonly=True,
        copy=False,
        help="The paid lot whose unused credit this outgoing payment refunds.",
    )
    prepaid_net_amount = fields.Monetary(
        compute="_compute_prepaid_net_amount",
        store=True,
        readonly=False,
        string="Prepaid credit (net)",
        help="The credit the advance buys, or the refund withdraws: the amount less the VAT due at consumption.",
    )

    # Extra payments of a recharge: flagged until the accountant refunds them.
    prepaid_extra_payment = fields.Boolean(
        "Extra recharge payment",
        readonly=True,
        copy=False,
        help="This payment arrived for a recharge already paid or cancelled: it credited nothing.",
    )
    prepaid_refund_due = fields.Boolean(
        "Refund due",
        compute="_compute_prepaid_refund_due",
        store=True,
        help="An extra recharge payment not yet refunded (reconciled) nor cancelled.",
    )

    @api.depends("prepaid_extra_payment", "is_reconciled", "state")
    def _compute_prepaid_refund_due(self):
        for payment in self:
            payment.prepaid_refund_due = (
                payment.prepaid_extra_payment and not payment.is_reconciled and payment.state != "canceled"
            )

    @api.depends("prepaid_wallet_id", "prepaid_refund_lot_id", "amount", "partner_id")
    def _compute_prepaid_net_amount(self):
        for payment in self:
            lot = payment.prepaid_refund_lot_id
            if not payment.prepaid_wallet_id:
                payment.prepaid_net_amount = 0.0
            elif lot:
                # A refund frees the credit its amount is worth in the lot.
                payment.prepaid_net_amount = payment.currency_id.round(
                    payment.amount * lot.original_amount / lot.booked_amount
                ) if lot.booked_amount else payment.amount
            else:
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

    @api.depends("prepaid_wallet_id", "prepaid_recharge_id")
    def _compute_outstanding_account_id(self):
        """Override of `account`: an advance moves the prepayments account,
        and a recharge's payment pays the invoice it issues, so both always
        have their journal entry."""
        res = super()._compute_outstanding_account_id()
        for payment in self.filtered(
            lambda pay: (pay.prepaid_wallet_id or pay.prepaid_recharge_id) and not pay.outstanding_account_id
        ):
            payment.outstanding_account_id = payment._get_outstanding_account(payment.payment_type)
        return res

    def action_post(self):
        """Override of `account` to credit the wallet of a posted advance
        payment, or withdraw the credit a refund pays back, and to settle the
        recharge an incoming payment pays (found by its reference when the
        accountant did not start from the recharge)."""
        self._prepaid_match_recharge()
        res = super().action_post()
        for payment in self.filtered("prepaid_wallet_id"):
            if payment.prepaid_refund_lot_id:
                payment._prepaid_withdraw_refund()
            elif payment.prepaid_recharge_id and payment.prepaid_recharge_id.sudo()._prepaid_is_settled():
                # sudo: the payer has no right on recharges.
                payment.prepaid_recharge_id.sudo()._prepaid_flag_extra_payment(payment)
            else:
                payment._prepaid_credit_advance()
        for payment in self.filtered(
            lambda pay: pay.prepaid_recharge_id and not pay.prepaid_wallet_id and pay.payment_type == "inbound"
            and pay.state in ("in_process", "paid")
        ):
            invoice = payment.prepaid_recharge_id._prepaid_settle_payment(payment)
            if invoice:
                # sudo: the payer may have no right on payments.
                payment.sudo().invoice_ids |= invoice
        return res

    def _prepaid_match_recharge(self):
        """Link the incoming customer payments whose memo is the reference of
        one of the customer's recharges awaiting payment to that recharge."""
        payments = self.filtered(
            lambda pay: pay.payment_type == "inbound" and pay.partner_type == "customer" and pay.memo
            and pay.partner_id and not pay.prepaid_recharge_id and not pay.prepaid_wallet_id
            and not pay.payment_transaction_id
        )
        # sudo: the accountant reads the recharges a payment refers to.
        Recharge = self.env["prepaid.recharge"].sudo()
        for payment in payments:
            recharge = Recharge.search([
                ("name", "=", payment.memo.strip()),
                ("partner_id", "=", payment.partner_id.commercial_partner_id.id),
                ("company_id", "=", payment.company_id.id),
                ("currency_id", "=", payment.currency_id.id),
                ("state", "in", ("awaiting", "failed")),
            ], limit=1)
            if not recharge:
                continue
            vals = {"prepaid_recharge_id": recharge.id}
            if recharge.company_id.prepaid_vat_policy == "consumption":
                vals["prepaid_wallet_id"] = recharge.wallet_id.id
            payment.write(vals)

    def _prepaid_liability_values(self):
        """What this payment booked on the prepayments account (credit positive).

        :return: (amount in the payment currency, balance in the company currency)
        """
        self.ensure_one()
        liability = self.company_id.prepaid_liability_account_id
        lines = self.move_id.line_ids.filtered(lambda line: line.account_id == liability)
        return -sum(lines.mapped("amount_currency")), -sum(lines.mapped("balance"))

    def _prepaid_check_wallet(self, payment_type):
        self.ensure_one()
        # sudo: the accountant registering the payment has no right on wallets.
        wallet = self.prepaid_wallet_id.sudo()
        if self.payment_type != payment_type or wallet.partner_id != self.partner_id.commercial_partner_id:
            if payment_type == "inbound":
                raise UserError(_("An advance payment must come in from the wallet's customer."))
            raise UserError(_("A refund of prepaid credit must go out to the wallet's customer."))
        if self.currency_id != wallet.currency_id:
            raise UserError(
                _("The payment is in %(payment)s but the wallet in %(wallet)s.",
                  payment=self.currency_id.name, wallet=wallet.currency_id.name)
            )
        if not self.move_id:
            raise UserError(_("The payment %(payment)s has no journal entry on the prepayments account.",
                              payment=self.display_name))
        return wallet

    def _prepaid_credit_advance(self):
        """Turn this posted advance payment into a paid lot, exactly once.

        The lot is worth on the prepayments account what the payment booked
        there: the amount with VAT, at the payment's rate.
        """
        self.ensure_one()
        if self.payment_type == "outbound":
            raise UserError(_(
                "An outgoing payment refunds prepaid credit only through the refund of a credit lot."
            ))
        wallet = self._prepaid_check_wallet("inbound")
        if self.state not in ("in_process", "paid"):
            return self.env["prepaid.wallet.transaction"]
        tx = wallet._ledger_apply(
            "credit",
            self.prepaid_net_amount,
            f"recharge:payment:{self.id}",
            kind="paid",
            expiry_date=self.prepaid_recharge_id._prepaid_lot_expiry_date(wallet),
            description=wallet._customer_env()._("Advance payment %(payment)s", payment=self.name),
            source=self,
            move=self.move_id,
            booked_value=self._prepaid_liability_values(),
        )
        self.prepaid_recharge_id.sudo()._mark_paid(tx)
        return tx

    def _prepaid_withdraw_refund(self):
        """Withdraw the credit this posted refund pays back, exactly once."""
        self.ensure_one()
        wallet = self._prepaid_check_wallet("outbound")
        if self.state not in ("in_process", "paid"):
            return self.env["prepaid.wallet.transaction"]
        return wallet._ledger_apply(
            "withdrawal",
            self.prepaid_net_amount,
            f"recharge:refund-payment:{self.id}",
            lot=self.prepaid_refund_lot_id.sudo(),
            description=wallet._customer_env()._("Refund %(payment)s", payment=self.name),
            source=self,
            move=self.move_id,
        )
