# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    prepaid_recharge_id = fields.Many2one("prepaid.recharge", readonly=True, copy=False, index="btree_not_null")
    prepaid_transaction_ids = fields.One2many(
        "prepaid.wallet.transaction", "move_id", string="Prepaid movements", readonly=True
    )

    def _invoice_paid_hook(self):
        """Override of `account` to credit the wallet of a paid recharge invoice."""
        res = super()._invoice_paid_hook()
        for invoice in self.filtered(lambda move: move.move_type == "out_invoice"):
            invoice._prepaid_credit_recharge()
        return res

    def _prepaid_recharge_lines(self):
        self.ensure_one()
        product = self.company_id.prepaid_product_id
        return self.invoice_line_ids.filtered(lambda line: product and line.product_id == product)

    def _prepaid_credit_recharge(self):
        """Turn this paid recharge invoice into a paid lot, exactly once.

        The lot holds the untaxed amount of the prepaid credit lines: credit is
        net of VAT. The idempotency key makes a second call (a second payment
        notification, a re-reconciliation) return the first transaction.

        :return: the credit transaction, or an empty recordset when the
            invoice sells no prepaid credit
        """
        self.ensure_one()
        lines = self._prepaid_recharge_lines()
        if not lines or self.payment_state not in ("paid", "in_payment"):
            return self.env["prepaid.wallet.transaction"]
        # The customer paying, or the accountant reconciling, has no right on
        # wallets: the ledger checks the invoice state instead.
        wallet = self.env["prepaid.wallet"].sudo()._get_or_create(
            self.commercial_partner_id, self.currency_id, self.company_id
        )
        tx = wallet._ledger_apply(
            "credit",
            self.currency_id.round(sum(lines.mapped("price_subtotal"))),
            f"recharge:invoice:{self.id}",
            kind="paid",
            expiry_date=self.prepaid_recharge_id._prepaid_lot_expiry_date(wallet, lines.product_id[:1]),
            description=_("Recharge %(invoice)s", invoice=self.name),
            source=self,
            move=self,
        )
        # The recharge follows its invoice; the customer has no write right on it.
        self.prepaid_recharge_id.sudo()._mark_paid(tx)
        return tx
