# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import logging

from odoo import Command, api, fields, models

from odoo.addons.prepaid_cloud_credit.ledger_storage import lock_rows

_logger = logging.getLogger(__name__)


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    prepaid_renewal_order_id = fields.Many2one("prepaid.renewal.order", readonly=True, index="btree_not_null")
    prepaid_topup_request_id = fields.Many2one("prepaid.topup.request", readonly=True, index="btree_not_null")

    def _set_canceled(self, state_message=None, extra_allowed_states=()):
        """Override of `payment` to mark the renewal order failed: it renews nothing."""
        txs = super()._set_canceled(state_message=state_message, extra_allowed_states=extra_allowed_states)
        for tx in txs:
            tx.prepaid_renewal_order_id.sudo()._payment_failed(tx.state_message)
        return txs

    def _set_done(self, state_message=None, extra_allowed_states=()):
        """Override of `payment`: an automatic renewal is charged before it is
        invoiced, so its order is paid (its services extended) as soon as the
        charge is done; its invoice follows (:meth:`_prepaid_invoice_renewals`)."""
        txs = super()._set_done(state_message=state_message, extra_allowed_states=extra_allowed_states)
        # The payer or the cron has no rights on orders and services.
        orders = txs.filtered(lambda tx: tx.state == "done").prepaid_renewal_order_id.sudo()
        orders.filtered(
            lambda order: not order.invoice_id and order.state in ("draft", "awaiting", "failed")
        )._mark_paid()
        return txs

    def _set_error(self, state_message, extra_allowed_states=()):
        """Override of `payment` to mark the renewal order failed: it renews nothing."""
        txs = super()._set_error(state_message, extra_allowed_states=extra_allowed_states)
        for tx in txs:
            tx.prepaid_renewal_order_id.sudo()._payment_failed(tx.state_message)
        return txs

    def _post_process(self):
        """Override of `account_payment`: a charged automatic renewal gets its
        invoice before the payment is made and reconciled with it, and the
        paid invoice goes to the customer."""
        self._prepaid_invoice_renewals()
        res = super()._post_process()
        orders = self.filtered(lambda tx: tx.state == "done").prepaid_renewal_order_id.sudo()
        orders.filtered(lambda order: order.state == "paid")._queue_invoice_sending()
        return res

    def _prepaid_invoice_renewals(self):
        """Create, in one ``create`` per company, the invoices of the renewal
        orders these done transactions paid without one (automatic renewals:
        charged first, invoiced after), and attach each to its transaction.

        :return: the invoices created (drafts: the payment posts them)
        """
        Move = self.env["account.move"].sudo()
        txs = self.filtered(lambda tx: tx.state == "done" and tx.prepaid_renewal_order_id and not tx.invoice_ids
                            and not tx.payment_id)
        # The cron has no invoicing rights; the invoices are the orders'.
        orders = txs.prepaid_renewal_order_id.sudo()
        if not orders:
            return Move
        # Two post-processing crons never invoice one order twice.
        lock_rows(orders)
        orders.invalidate_recordset(["invoice_id"])
        orders = orders.filtered(lambda order: order.state == "paid" and not order.invoice_id)
        invoices = Move
        for company, company_orders in orders.grouped("company_id").items():
            company_invoices = Move.with_company(company).create(
                [order._prepare_invoice_vals() for order in company_orders])
            for order, invoice in zip(company_orders, company_invoices, strict=True):
                order.invoice_id = invoice
            invoices |= company_invoices
        for tx in txs:
            tx.invoice_ids = [Command.set(tx.prepaid_renewal_order_id.sudo().invoice_id.ids)]
        return invoices

    @api.model
    def _cron_invoice_renewals(self, batch_size=100):
        """Invoice the automatic renewals charged since the last run, in
        batches committed one by one: each order's invoice, its payment and
        their reconciliation, then the invoice to the customer. A batch that
        fails is settled one transaction at a time, so that one bad order
        never holds the others back (it is retried at the next run, as
        `payment` retries its post-processing)."""
        last_id = 0
        while True:
            txs = self.sudo().search([
                ("prepaid_renewal_order_id", "!=", False), ("state", "=", "done"),
                ("is_post_processed", "=", False), ("id", ">", last_id),
            ], order="id", limit=batch_size)
            if not txs:
                break
            last_id = txs[-1].id
            try:
                with self.env.cr.savepoint():
                    txs._create_payments_batch()
                    txs._post_process()
            except Exception:  # noqa: BLE001 - settled one by one instead
                _logger.exception("Renewal invoicing: %s transactions settled one by one", len(txs))
                for tx in txs:
                    try:
                        with self.env.cr.savepoint():
                            tx._post_process()
                    except Exception:  # noqa: BLE001 - left to the next run, as `payment` does
                        _logger.exception("Renewal invoicing %s: not settled yet", tx.reference)
            if self.env["prepaid.wallet"]._prepaid_can_commit():
                self.env.cr.commit()  # pylint: disable=invalid-commit

    def _create_payments_batch(self):
        """Post the invoices of these done transactions and create their
        payments together, as `account_payment`'s ``_create_payment`` does
        one by one: one ``create`` and one posting for every payment, one
        reconciliation plan per transaction. ``_post_process`` then finds
        each payment made.

        For the automatic renewal cron, whose orders are charged by the
        hundred; transactions with a recharge keep the core's own settlement.
        """
        txs = self.filtered(lambda tx: tx.state == "done" and not tx.payment_id and not tx.prepaid_recharge_id
                            and tx.operation != "validation" and not tx.source_transaction_id)
        if not txs:
            return self.env["account.payment"]
        txs._prepaid_invoice_renewals()
        txs.invoice_ids.filtered(lambda move: move.state == "draft").action_post()
        vals_list = []
        for tx in txs:
            method_line = tx.provider_id.journal_id.inbound_payment_method_line_ids.filtered(
                lambda line, tx=tx: line.payment_provider_id == tx.provider_id)
            vals_list.append({
                "amount": abs(tx.amount),
                "payment_type": "inbound" if tx.amount > 0 else "outbound",
                "currency_id": tx.currency_id.id,
                "partner_id": tx.partner_id.commercial_partner_id.id,
                "partner_type": "customer",
                "journal_id": tx.provider_id.journal_id.id,
                "company_id": tx.provider_id.company_id.id,
                "payment_method_line_id": method_line.id,
                "payment_token_id": tx.token_id.id,
                "payment_transaction_id": tx.id,
                "memo": f"{tx.reference} - {tx.partner_id.display_name or ''} - {tx.provider_reference or ''}",
                "invoice_ids": tx.invoice_ids,
            })
        payments = self.env["account.payment"]
        for company, company_txs in txs.grouped("company_id").items():
            company_vals = [vals for tx, vals in zip(txs, vals_list, strict=True) if tx in company_txs]
            payments |= self.env["account.payment"].with_company(company).create(company_vals)
        payments.action_post()
        plans = []
        for payment in payments:
            tx = payment.payment_transaction_id
            tx.payment_id = payment
            plans.append((payment.move_id.line_ids + tx.invoice_ids.line_ids).filtered(
                lambda line, payment=payment: line.account_id == payment.destination_account_id
                and not line.reconciled
            ))
        # One call for every pair: each plan reconciles one payment with its own invoice only.
        self.env["account.move.line"]._reconcile_plan([plan for plan in plans if plan])
        return payments
