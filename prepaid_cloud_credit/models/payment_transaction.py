# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import Command, fields, models

from ..ledger_storage import lock_rows


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    prepaid_recharge_id = fields.Many2one("prepaid.recharge", readonly=True, index="btree_not_null")

    def _create_payment(self, **extra_create_values):
        """Override of `account_payment` to settle the recharge this
        transaction pays.

        Under VAT at recharge the payment, once posted, issues the recharge's
        invoice (the tax point is the payment) and pays it: the paid invoice
        credits the wallet. Under VAT at consumption it is an advance payment
        of the wallet. A payment of a recharge already paid or cancelled (a
        second payment started before the first was confirmed) pays nothing:
        it is posted as a plain customer payment, reconciled with nothing, and
        flagged to the accountant for a refund.
        """
        recharge = self.prepaid_recharge_id
        if not recharge:
            return super()._create_payment(**extra_create_values)
        # The payer has no rights on recharges; two payments of one recharge
        # are settled one after the other, the second seeing the first.
        recharge = recharge.sudo()
        lock_rows(recharge)
        # The invoice is the recharge's to settle, never the standard reconciliation's.
        self.invoice_ids = [Command.clear()]
        extra_create_values = {"prepaid_recharge_id": recharge.id, **extra_create_values}
        if not recharge._prepaid_is_settled() and recharge.company_id.prepaid_vat_policy == "consumption":
            extra_create_values.setdefault("prepaid_wallet_id", recharge.wallet_id.id)
        payment = super()._create_payment(**extra_create_values)
        if recharge.invoice_id and not payment.prepaid_extra_payment:
            self.invoice_ids = [Command.set(recharge.invoice_id.ids)]
        return payment

    def _set_canceled(self, state_message=None, extra_allowed_states=()):
        """Override of `payment` to mark the recharge failed: it credits nothing."""
        txs = super()._set_canceled(state_message=state_message, extra_allowed_states=extra_allowed_states)
        txs.prepaid_recharge_id._prepaid_payment_failed()
        return txs

    def _set_error(self, state_message, extra_allowed_states=()):
        """Override of `payment` to mark the recharge failed: it credits nothing."""
        txs = super()._set_error(state_message, extra_allowed_states=extra_allowed_states)
        txs.prepaid_recharge_id._prepaid_payment_failed()
        return txs
