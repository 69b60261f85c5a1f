# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount


class PrepaidCreditLotRefund(models.TransientModel):
    """Give a customer back the unused credit of a paid lot, in one step:
    the credit note of its recharge invoice (VAT at recharge) or an outgoing
    payment from the advance (VAT at consumption), the withdrawal of the
    credit, and the outgoing payment to register."""

    _name = "prepaid.credit.lot.refund"
    _description = "Refund Unused Prepaid Credit"

    lot_id = fields.Many2one("prepaid.credit.lot", required=True, readonly=True, ondelete="cascade")
    currency_id = fields.Many2one(related="lot_id.currency_id")
    unused_amount = fields.Monetary(related="lot_id.remaining_amount", string="Unused credit")
    amount = fields.Monetary("Credit to refund (net)", required=True)
    refund_total = fields.Monetary(
        "To pay back", compute="_compute_refund_total", help="What the customer gets back, VAT included."
    )
    reason = fields.Text(required=True)
    document_type = fields.Selection(
        [("credit_note", "Credit note of the recharge invoice"), ("advance_refund", "Refund of the advance")],
        compute="_compute_document_type",
    )

    @api.depends("lot_id")
    def _compute_document_type(self):
        for wizard in self:
            document = wizard._paying_document()
            wizard.document_type = "credit_note" if document._name == "account.move" and document.is_invoice() else (
                "advance_refund"
            )

    @api.depends("lot_id", "amount")
    def _compute_refund_total(self):
        for wizard in self:
            lot = wizard.lot_id.sudo()
            if wizard.document_type == "advance_refund":
                wizard.refund_total = wizard._advance_refund_amount()
            else:
                invoice = wizard._paying_document()
                taxes = invoice._prepaid_recharge_lines()[:1].tax_ids
                wizard.refund_total = taxes.compute_all(
                    wizard.amount, currency=lot.currency_id, partner=lot.partner_id
                )["total_included"] if taxes else wizard.amount

    def _paying_document(self):
        """The invoice or advance payment that paid the lot."""
        self.ensure_one()
        # sudo: the manager refunding need not have invoicing rights.
        credit = self.lot_id.sudo().source_transaction_id
        if credit.source_ref and credit.source_ref._name == "account.payment":
            return credit.source_ref
        return credit.move_id

    def _advance_refund_amount(self):
        """What withdrawing ``amount`` frees on the prepayments account."""
        lot = self.lot_id.sudo()
        remaining = lot.remaining_amount
        after = max(remaining - self.amount, 0.0)
        return lot.currency_id.round(lot._booked_value(remaining)[0] - lot._booked_value(after)[0])

    def action_apply(self):
        """Issue the refund document and withdraw the credit.

        :return: the outgoing payment to register (or a notification when the
            manager has no invoicing rights: the accountant gets an activity)
        """
        self.ensure_one()
        if not self.env.su and not self.env.user.has_group("prepaid_cloud_credit.group_prepaid_manager"):
            raise AccessError(_("Only prepaid managers can refund prepaid credit."))
        lot = self.lot_id.sudo()
        currency = lot.currency_id
        if lot.kind != "paid":
            raise UserError(_("Only paid credit is refunded; bonus and voucher credit carry no cash."))
        if currency.compare_amounts(self.amount, 0) <= 0:
            raise UserError(_("Refund an amount greater than zero."))
        if currency.compare_amounts(self.amount, lot.remaining_amount) > 0:
            raise UserError(_(
                "Only %(unused)s of this credit is unused: refund at most that.",
                unused=format_amount(self.env, lot.remaining_amount, currency),
            ))
        document = self._paying_document()
        if not document:
            raise UserError(_("No invoice or advance payment paid this credit: adjust the balance instead."))
        if self.document_type == "credit_note":
            refund = self._create_credit_note(document)
            return self._propose_payment(refund, refund.action_register_payment())
        payment = self._create_advance_refund(document)
        return self._propose_payment(payment.move_id, payment._get_records_action(name=_("Refund")))

    def _create_credit_note(self, invoice):
        # sudo: the credit note is the recharge's; the manager need not have invoicing rights.
        invoice = invoice.sudo()
        lines = invoice._prepaid_recharge_lines()
        refund = invoice._reverse_moves([{
            "invoice_date": fields.Date.context_today(self),
            "ref": _("Refund of unused credit: %(reason)s", reason=self.reason),
        }])
        if self.lot_id.currency_id.compare_amounts(sum(lines.mapped("price_subtotal")), self.amount) != 0:
            refund.invoice_line_ids = [Command.clear()] + [Command.create({
                "product_id": lines[:1].product_id.id,
                "name": _("Refund of unused prepaid credit %(invoice)s", invoice=invoice.name),
                "quantity": 1,
                "price_unit": self.amount,
                "tax_ids": [Command.set(lines[:1].tax_ids.ids)],
            })]
        refund.action_post()
        return refund

    def _create_advance_refund(self, advance):
        lot = self.lot_id.sudo()
        # sudo: the refund is the advance's; the manager need not have invoicing rights.
        return self.env["account.payment"].sudo().create({
            "payment_type": "outbound",
            "partner_type": "customer",
            "partner_id": lot.partner_id.id,
            "company_id": lot.company_id.id,
            "journal_id": advance.journal_id.id,
            "currency_id": lot.currency_id.id,
            "amount": self._advance_refund_amount(),
            "date": fields.Date.context_today(self),
            "memo": _("Refund of unused credit: %(reason)s", reason=self.reason),
            "prepaid_wallet_id": lot.wallet_id.id,
            "prepaid_refund_lot_id": lot.id,
            "prepaid_net_amount": self.amount,
        })

    def _propose_payment(self, move, action):
        """The accountant's next step: pay the customer back."""
        if self.env.user.has_group("account.group_account_invoice"):
            return action
        move.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=_("Pay back the unused prepaid credit"),
            note=self.reason,
            user_id=(move.invoice_user_id or move.create_uid or self.env.user).id,
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("%(document)s is ready; the accountant pays the customer back.",
                             document=move.display_name),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
