# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import UserError

# Put in the context by _prepaid_unbook alone: an object that no XML-RPC caller
# can send, so that a context key typed by a caller never lifts the check.
_UNBOOKING = object()


class AccountMove(models.Model):
    _inherit = "account.move"

    prepaid_recharge_id = fields.Many2one("prepaid.recharge", readonly=True, copy=False, index="btree_not_null")
    prepaid_transaction_ids = fields.One2many(
        "prepaid.wallet.transaction",
        "move_id",
        string="Prepaid credit carried",
        readonly=True,
        help="The wallet movements this document carries: the credit it paid, the credit it withdrew.",
    )
    prepaid_booked_transaction_ids = fields.One2many(
        "prepaid.wallet.transaction",
        "booking_move_id",
        string="Prepaid movements booked",
        readonly=True,
    )
    prepaid_transfer_move_id = fields.Many2one(
        "account.move",
        string="Paid from prepaid credit by",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="VAT at consumption: the entry that pays this consumption invoice from the customer's advance.",
    )
    prepaid_consumption_invoice_ids = fields.One2many(
        "account.move", "prepaid_transfer_move_id", string="Consumption invoices paid", readonly=True
    )
    prepaid_movement_ids = fields.Many2many(
        "prepaid.wallet.transaction",
        compute="_compute_prepaid_movement_ids",
        string="Prepaid movements",
        groups="prepaid_cloud_credit.group_prepaid_user",
        help="Every wallet movement this entry carries or books.",
    )
    prepaid_movement_count = fields.Integer(
        compute="_compute_prepaid_movement_ids", groups="prepaid_cloud_credit.group_prepaid_user"
    )

    @api.depends("prepaid_transaction_ids", "prepaid_booked_transaction_ids", "prepaid_consumption_invoice_ids")
    def _compute_prepaid_movement_ids(self):
        for move in self:
            movements = (
                move.prepaid_transaction_ids
                | move.prepaid_booked_transaction_ids
                | move.prepaid_consumption_invoice_ids.prepaid_booked_transaction_ids
            )
            move.prepaid_movement_ids = movements
            move.prepaid_movement_count = len(movements)

    # ------------------------------------------------------------------
    # Documents that carry credit keep it: no reset to draft, no cancel
    # ------------------------------------------------------------------

    def button_draft(self):
        """Override of `account` to refuse resetting a document whose credit
        was granted (or withdrawn) to draft: the credit would stay without
        its document."""
        self._prepaid_check_draftable()
        return super().button_draft()

    def button_cancel(self):
        """Override of `account` to book again the movements of a cancelled
        booking entry or consumption invoice."""
        self._prepaid_check_draftable()
        res = super().button_cancel()
        self._prepaid_unbook()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_prepaid_unbook(self):
        self._prepaid_unbook()

    def _prepaid_check_draftable(self):
        if self.env.context.get("prepaid_unbook") is _UNBOOKING:
            return
        # sudo: an accountant may not read wallets; the check is about the ledger.
        for move in self.sudo():
            carried = move.prepaid_transaction_ids
            if carried:
                raise UserError(_(
                    "%(move)s carries prepaid credit of %(wallet)s (%(movements)s): it cannot be reset to draft "
                    "or cancelled, or that credit would stay without its document. Issue a credit note instead: "
                    "it withdraws the unused credit.",
                    move=move.display_name,
                    wallet=carried.wallet_id[:1].display_name,
                    movements=", ".join(carried.mapped("name")),
                ))
            if move.prepaid_consumption_invoice_ids:
                raise UserError(_(
                    "%(move)s pays %(invoices)s from the customer's prepaid credit: cancel or reverse the "
                    "invoice instead.",
                    move=move.display_name,
                    invoices=", ".join(move.prepaid_consumption_invoice_ids.mapped("display_name")),
                ))

    def _prepaid_unbook(self):
        """The movements these entries booked go back to the booking queue;
        a consumption invoice takes its payment from the prepaid credit with it."""
        # sudo: the accountant cancelling an entry has no right on the ledger.
        moves = self.sudo()
        txs = moves.prepaid_booked_transaction_ids
        if txs:
            txs.write({"needs_booking": True, "booking_move_id": False})
        transfers = moves.prepaid_transfer_move_id - moves
        if transfers:
            moves.write({"prepaid_transfer_move_id": False})
            transfers.with_context(prepaid_unbook=_UNBOOKING)._unlink_or_reverse()

    # ------------------------------------------------------------------
    # Posting: recharge credit notes withdraw the credit
    # ------------------------------------------------------------------

    def _post(self, soft=True):
        """Override of `account`: a credit note of a paid recharge withdraws
        the unused credit it refunds (or is refused); a reversal of a booking
        entry sends its movements back to the booking queue."""
        refunds = self.filtered(lambda move: move.move_type == "out_refund" and move._prepaid_recharge_lines())
        for refund in refunds:
            origin = refund.reversed_entry_id
            if not origin or not origin._prepaid_recharge_lines():
                raise UserError(_(
                    "%(move)s refunds prepaid credit without reversing the recharge invoice that sold it: use "
                    "Reverse on that invoice, so that its unused credit is withdrawn.",
                    move=refund.display_name,
                ))
        posted = super()._post(soft)
        for refund in refunds & posted:
            refund._prepaid_withdraw_credit()
        reversed_entries = posted.reversed_entry_id.filtered(lambda move: move.move_type == "entry")
        reversed_entries._prepaid_unbook()
        for invoice in posted.filtered("prepaid_transfer_move_id"):
            invoice._prepaid_reconcile_transfer()
        return posted

    def _prepaid_withdraw_credit(self):
        """Withdraw from the wallet the credit this credit note refunds.

        A credit note posted before its recharge was paid withdraws nothing:
        the payment then credits the invoice less its credit notes.

        :return: the withdrawal transaction, or an empty recordset
        """
        self.ensure_one()
        Tx = self.env["prepaid.wallet.transaction"]
        # sudo: the accountant issuing the credit note has no right on wallets.
        credit = self.reversed_entry_id.sudo().prepaid_transaction_ids.filtered(lambda tx: tx.movement_type == "credit")
        if not credit:
            return Tx
        lot = credit.allocation_ids.filtered("is_creation").lot_id
        amount = self.currency_id.round(sum(self._prepaid_recharge_lines().mapped("price_subtotal")))
        if self.currency_id.is_zero(amount):
            return Tx
        wallet = lot.wallet_id.sudo()
        return wallet._ledger_apply(
            "withdrawal",
            amount,
            f"recharge:credit-note:{self.id}",
            lot=lot,
            description=wallet._customer_env()._("Credit note %(move)s", move=self.name),
            source=self,
            move=self,
        )

    def _prepaid_reconcile_transfer(self):
        """A consumption invoice posted again: its payment from the prepaid
        credit pays it again."""
        self.ensure_one()
        transfer = self.prepaid_transfer_move_id
        if transfer.state != "posted":
            return
        lines = (self.line_ids | transfer.line_ids).filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        )
        if len(lines.move_id) == 2:
            lines.reconcile()

    # ------------------------------------------------------------------
    # Paid recharge invoices credit the wallet
    # ------------------------------------------------------------------

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

        The lot holds the untaxed amount of the prepaid credit lines, less
        the credit notes issued before the payment: credit is net of VAT. It
        is worth on the prepayments account what the invoice booked there, at
        the invoice's rate. The idempotency key makes a second call (a second
        payment notification, a re-reconciliation) return the first
        transaction.

        :return: the credit transaction, or an empty recordset when the
            invoice sells no prepaid credit
        """
        self.ensure_one()
        Tx = self.env["prepaid.wallet.transaction"]
        lines = self._prepaid_recharge_lines()
        if not lines or self.payment_state not in ("paid", "in_payment"):
            return Tx
        refunds = self.reversal_move_ids.filtered(
            lambda move: move.state == "posted" and move.move_type == "out_refund"
            and not move.sudo().prepaid_transaction_ids
        )
        refund_lines = refunds.invoice_line_ids.filtered(lambda line: line.product_id == lines.product_id[:1])
        currency = self.currency_id
        amount = currency.round(sum(lines.mapped("price_subtotal")) - sum(refund_lines.mapped("price_subtotal")))
        if currency.compare_amounts(amount, 0) <= 0:
            return Tx
        balance = self.company_id.currency_id.round(-sum((lines | refund_lines).mapped("balance")))
        # The customer paying, or the accountant reconciling, has no right on
        # wallets: the ledger checks the invoice state instead.
        wallet = self.env["prepaid.wallet"].sudo()._get_or_create(
            self.commercial_partner_id, self.currency_id, self.company_id
        )
        tx = wallet._ledger_apply(
            "credit",
            amount,
            f"recharge:invoice:{self.id}",
            kind="paid",
            expiry_date=self.prepaid_recharge_id._prepaid_lot_expiry_date(wallet, lines.product_id[:1]),
            description=wallet._customer_env()._("Recharge %(invoice)s", invoice=self.name),
            source=self,
            move=self,
            booked_value=(amount, balance),
        )
        # The recharge follows its invoice; the customer has no write right on it.
        self.prepaid_recharge_id.sudo()._mark_paid(tx)
        return tx

    def action_view_prepaid_movements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prepaid_cloud_credit.prepaid_wallet_transaction_action"
        )
        action["domain"] = [("id", "in", self.prepaid_movement_ids.ids)]
        action["context"] = {}
        return action
