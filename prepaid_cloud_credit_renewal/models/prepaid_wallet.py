# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models
from odoo.tools import SQL


class PrepaidWallet(models.Model):
    _inherit = "prepaid.wallet"

    topup_rule_ids = fields.One2many("prepaid.topup.rule", "wallet_id", string="Automatic top-up")

    def _ledger_lock_reads(self, param):
        """Override of the ledger: the thresholds of the wallet's active
        threshold top-up rules, read with the lock (no query of their own on
        the debit path)."""
        self.env["prepaid.topup.rule"].flush_model(["wallet_id", "active", "state", "trigger", "threshold"])
        return {
            **super()._ledger_lock_reads(param),
            "topup_thresholds": SQL(
                """
                (SELECT json_agg(json_build_array(r.id, r.threshold))
                   FROM prepaid_topup_rule r
                  WHERE r.wallet_id = w.id AND r.active AND r.state = 'active' AND r.trigger = 'threshold')
                """
            ),
        }

    def _ledger_after_write(self, staged):
        """Override of the ledger to request an automatic top-up when a
        movement takes the balance below a rule's threshold.

        The wallet row is locked for the movement, so parallel debits cross
        the threshold one after the other: exactly one of them sees the
        balance go from above to below, and the request is keyed on it (a
        replay of that debit finds the same request).
        """
        super()._ledger_after_write(staged)
        thresholds = (staged[-1].lock.extra or {}).get("topup_thresholds") or []
        if not thresholds:
            return
        for movement in staged:
            amount, after = movement.tx_values["amount"], movement.tx_values["balance_after"]
            if amount >= 0:
                continue
            before = after - amount
            crossed = [rule_id for rule_id, threshold in thresholds if before >= threshold > after]
            # The rules are read whoever moves the money (a cron, an integration user).
            for rule in self.env["prepaid.topup.rule"].sudo().browse(crossed):
                self.env["prepaid.topup.request"].sudo()._request(rule, f"tx:{movement.tx.id}")
