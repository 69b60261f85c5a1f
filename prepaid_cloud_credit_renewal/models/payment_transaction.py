# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


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

    def _set_error(self, state_message, extra_allowed_states=()):
        """Override of `payment` to mark the renewal order failed: it renews nothing."""
        txs = super()._set_error(state_message, extra_allowed_states=extra_allowed_states)
        for tx in txs:
            tx.prepaid_renewal_order_id.sudo()._payment_failed(tx.state_message)
        return txs

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
