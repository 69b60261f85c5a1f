# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from datetime import datetime, time, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class ReportWalletStatement(models.AbstractModel):
    _name = "report.prepaid_cloud_credit.report_wallet_statement"
    _description = "Prepaid Wallet Statement"

    @api.model
    def _get_report_values(self, docids, data=None):
        """Opening balance, the period's transactions oldest first, closing balance."""
        data = data or {}
        today = fields.Date.context_today(self)
        date_from = fields.Date.to_date(data.get("date_from")) or today.replace(day=1)
        date_to = fields.Date.to_date(data.get("date_to")) or today
        if date_from > date_to:
            raise UserError(_("The statement period ends before it starts."))
        start = datetime.combine(date_from, time.min)
        end = datetime.combine(date_to + timedelta(days=1), time.min)
        wallets = self.env["prepaid.wallet"].browse(docids)
        Tx = self.env["prepaid.wallet.transaction"]
        statements = []
        for wallet in wallets:
            before = Tx.search(
                [("wallet_id", "=", wallet.id), ("date", "<", start)], order="date desc, id desc", limit=1
            )
            lines = Tx.search(
                [("wallet_id", "=", wallet.id), ("date", ">=", start), ("date", "<", end)], order="date asc, id asc"
            )
            opening = before.balance_after if before else 0.0
            statements.append({
                "wallet": wallet,
                "opening": opening,
                "lines": lines,
                "credits": sum(lines.filtered(lambda tx: tx.amount > 0).mapped("amount")),
                "debits": -sum(lines.filtered(lambda tx: tx.amount < 0).mapped("amount")),
                "closing": lines[-1:].balance_after if lines else opening,
            })
        return {
            "doc_ids": docids,
            "doc_model": "prepaid.wallet",
            "docs": wallets,
            "statements": statements,
            "date_from": date_from,
            "date_to": date_to,
        }
