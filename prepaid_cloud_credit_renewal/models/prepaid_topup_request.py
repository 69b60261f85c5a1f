# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import logging

from psycopg2.errors import UniqueViolation

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)


class PrepaidTopupRequest(models.Model):
    """One automatic top-up to make: created once per crossing of the
    threshold (the debit that crossed it) or per period, charged by the cron."""

    _name = "prepaid.topup.request"
    _description = "Automatic Top-up"
    _order = "id desc"

    rule_id = fields.Many2one("prepaid.topup.rule", required=True, index=True, ondelete="cascade")
    wallet_id = fields.Many2one(related="rule_id.wallet_id", store=True, index=True)
    currency_id = fields.Many2one(related="rule_id.currency_id")
    key = fields.Char(required=True, help="What caused it: the debit that crossed the threshold, or the period.")
    amount = fields.Monetary()
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Done"), ("failed", "Failed"), ("skipped", "Skipped")],
        default="pending", required=True, index=True,
    )
    recharge_id = fields.Many2one("prepaid.recharge", readonly=True)
    message = fields.Char(readonly=True)

    _sql_constraints = [
        ("key_uniq", "UNIQUE(rule_id, key)", "This top-up was already requested."),
    ]

    @api.model
    def _request(self, rule, key):
        """Create the request of ``rule`` for ``key``, once; a request
        already made for the key is returned instead."""
        try:
            with self.env.cr.savepoint(), self.env.cr.savepoint():
                request = self.create({"rule_id": rule.id, "key": key})
                request.flush_recordset()
        except UniqueViolation:
            return self.search([("rule_id", "=", rule.id), ("key", "=", key)])
        cron = self.env.ref("prepaid_cloud_credit_renewal.ir_cron_prepaid_topup", raise_if_not_found=False)
        if cron:
            cron._trigger()
        return request

    @api.model
    def _cron_process(self, batch_size=100):
        """Make the periodic requests due, then charge the pending ones."""
        # The top-ups are the system's to make, whoever runs the cron; rights are on the rules.
        return self.sudo()._process_due(batch_size)

    @api.model
    def _process_due(self, batch_size):
        today = fields.Date.context_today(self)
        for rule in self.env["prepaid.topup.rule"].search([
            ("state", "=", "active"), ("trigger", "in", ("weekly", "monthly")),
            "|", ("next_date", "=", False), ("next_date", "<=", today),
        ]):
            self._request(rule, f"date:{rule.next_date or today}")
            rule._advance_next_date()
        while True:
            requests = self.search([("state", "=", "pending")], order="id", limit=batch_size)
            if not requests:
                break
            for request in requests:
                request._charge()
            if self.env["prepaid.wallet"]._prepaid_can_commit():
                self.env.cr.commit()  # pylint: disable=invalid-commit

    def _charge(self):
        """Recharge the wallet with the rule's amount, charged to its token."""
        self.ensure_one()
        rule = self.rule_id
        wallet = rule.wallet_id
        if rule.state != "active" or not rule.active:
            self.write({"state": "skipped", "message": _("The rule is paused.")})
            return
        amount = rule._limited_amount(rule._topup_amount(wallet.balance), fields.Date.context_today(self))
        if amount <= 0:
            self.write({"state": "skipped", "amount": 0, "message": _("Nothing to add within the limits.")})
            return
        token = rule.payment_token_id.sudo()
        try:
            with self.env.cr.savepoint():
                Recharge = self.env["prepaid.recharge"].sudo()
                recharge = Recharge.create(Recharge._prepare_recharge_vals(wallet, amount))
                recharge.action_confirm()
                tx = self.env["payment.transaction"].sudo().create({
                    "provider_id": token.provider_id.id,
                    "payment_method_id": token.payment_method_id.id,
                    "reference": self.env["payment.transaction"]._compute_reference(
                        token.provider_id.code, prefix=recharge.name),
                    "amount": recharge.total_amount,
                    "currency_id": wallet.currency_id.id,
                    "partner_id": wallet.partner_id.id,
                    "token_id": token.id,
                    "operation": "offline",
                    "invoice_ids": [Command.set(recharge.invoice_id.ids)],
                    "prepaid_recharge_id": recharge.id,
                    "prepaid_topup_request_id": self.id,
                })
                tx._send_payment_request()
                if tx.state == "done":
                    tx._post_process()
        except (UserError, ValidationError) as error:
            _logger.warning("Top-up %s failed: %s", self.id, error)
            self._fail(str(error.args[0]))
            return
        except Exception as error:  # noqa: BLE001 - a provider failure pauses the rule, never the cron
            _logger.exception("Top-up %s failed", self.id)
            self._fail(str(error))
            return
        if tx.state == "done":
            self.write({"state": "done", "amount": amount, "recharge_id": recharge.id})
        else:
            self.write({"amount": amount, "recharge_id": recharge.id})
            self._fail(tx.state_message or _("The payment was refused."))

    def _fail(self, reason):
        """A failed top-up pauses its rule and tells the customer."""
        self.ensure_one()
        self.write({"state": "failed", "message": reason})
        self.rule_id.write({"state": "paused", "last_error": reason})
        template = self.env.ref("prepaid_cloud_credit_renewal.mail_template_topup_failed", raise_if_not_found=False)
        if template:
            template.send_mail(self.rule_id.id, email_layout_xmlid="mail.mail_notification_light")
