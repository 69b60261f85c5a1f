# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class PrepaidWallet(models.Model):
    _inherit = "prepaid.wallet"

    topup_rule_ids = fields.One2many("prepaid.topup.rule", "wallet_id", string="Automatic top-up")

    def _ledger_apply(self, *args, **kwargs):
        """Override of the ledger to request an automatic top-up when a
        movement takes the balance below a rule's threshold.

        The wallet row is locked for the movement, so parallel debits cross
        the threshold one after the other: exactly one of them sees the
        balance go from above to below, and the request is keyed on it (a
        replay of that debit finds the same request).
        """
        tx = super()._ledger_apply(*args, **kwargs)
        if tx.amount < 0:
            self._request_threshold_topups(tx)
        return tx

    def _request_threshold_topups(self, tx):
        # The rules are read whoever moves the money (a cron, an integration user).
        rules = self.env["prepaid.topup.rule"].sudo().search([
            ("wallet_id", "=", self.id), ("state", "=", "active"), ("trigger", "=", "threshold"),
        ])
        before = tx.balance_after - tx.amount
        for rule in rules:
            if before >= rule.threshold > tx.balance_after:
                self.env["prepaid.topup.request"].sudo()._request(rule, f"tx:{tx.id}")
