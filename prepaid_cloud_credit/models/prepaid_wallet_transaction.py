# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import logging

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import float_compare

from ..const import EXTERNAL_KEY_PREFIX

_logger = logging.getLogger(__name__)


class PrepaidWalletTransaction(models.Model):
    _name = "prepaid.wallet.transaction"
    _description = "Prepaid Wallet Transaction"
    _order = "date desc, id desc"
    _check_company_auto = True

    wallet_id = fields.Many2one(
        "prepaid.wallet", required=True, index=True, ondelete="restrict", readonly=True
    )
    partner_id = fields.Many2one(related="wallet_id.partner_id", store=True, index=True)
    company_id = fields.Many2one(related="wallet_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="wallet_id.currency_id", store=True)
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True, index=True)
    move_type = fields.Selection(
        [
            ("credit", "Credit"),
            ("debit", "Debit"),
            ("refund", "Refund"),
            ("expiry", "Expiry"),
            ("adjustment", "Adjustment"),
        ],
        string="Type",
        required=True,
        readonly=True,
    )
    purpose = fields.Selection(
        [("usage", "Usage"), ("purchase", "Purchase")], readonly=True
    )
    name = fields.Char("Description", readonly=True)
    reason = fields.Text(readonly=True)
    amount = fields.Monetary(readonly=True, help="Positive when the balance grows.")
    balance_after = fields.Monetary("Remaining credit", readonly=True)
    debt_after = fields.Monetary("Debt after", readonly=True)
    idempotency_key = fields.Char(readonly=True, required=True, copy=False)
    product_id = fields.Many2one("product.product", readonly=True)
    refund_of_id = fields.Many2one(
        "prepaid.wallet.transaction", readonly=True, index="btree_not_null", string="Refund of"
    )
    refund_ids = fields.One2many("prepaid.wallet.transaction", "refund_of_id", readonly=True)
    refunded_amount = fields.Monetary(compute="_compute_refunded_amount")
    source_ref = fields.Reference(
        selection="_selection_source_ref", string="Source document", readonly=True
    )
    move_id = fields.Many2one(
        "account.move",
        string="Journal entry",
        readonly=True,
        index="btree_not_null",
        help="The entry (or invoice, or payment) that books this movement.",
    )
    needs_booking = fields.Boolean(readonly=True, default=False, index=True)
    allocation_ids = fields.One2many("prepaid.wallet.allocation", "transaction_id", readonly=True)
    user_id = fields.Many2one("res.users", default=lambda self: self.env.uid, readonly=True)

    _sql_constraints = [
        (
            "idempotency_key_uniq",
            "UNIQUE(idempotency_key)",
            "An idempotency key identifies one movement only.",
        ),
    ]

    def init(self):
        # The portal pages a wallet's history newest first: one index walk.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS prepaid_wallet_transaction_wallet_date_idx
                ON prepaid_wallet_transaction (wallet_id, date DESC, id DESC)
            """
        )

    @api.model
    def _selection_source_ref(self):
        """Documents that can cause a movement; modules add theirs."""
        return [
            ("account.move", _("Journal entry")),
            ("account.payment", _("Payment")),
            ("prepaid.recharge", _("Recharge")),
            ("prepaid.credit.lot", _("Credit lot")),
            ("res.users", _("User")),
        ]

    @api.depends("refund_ids.amount")
    def _compute_refunded_amount(self):
        for tx in self:
            tx.refunded_amount = sum(tx.refund_ids.mapped("amount"))

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(_("Transactions are written by wallet movements only."))
        return super().create(vals_list)

    def write(self, vals):
        # Append-only: only the booking may record its journal entry later.
        if not self.env.su or set(vals) - {"move_id", "needs_booking"}:
            raise AccessError(_("Wallet transactions cannot be changed."))
        return super().write(vals)

    def unlink(self):
        raise AccessError(_("Wallet transactions cannot be deleted."))

    @api.model
    def _find_by_key(self, key):
        self.env.cr.execute(
            "SELECT id FROM prepaid_wallet_transaction WHERE idempotency_key = %s", (key,)
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else self.browse()

    def _check_same_movement(self, wallet, move_type, signed_amount):
        """Raise unless this transaction is the movement asked for again."""
        self.ensure_one()
        if (
            self.wallet_id != wallet
            or self.move_type != move_type
            or float_compare(
                abs(self.amount), abs(signed_amount), precision_rounding=self.currency_id.rounding
            )
            != 0
        ):
            raise ValidationError(
                _(
                    "The idempotency key %(key)s was already used for another movement "
                    "(%(type)s of %(amount)s in %(wallet)s).",
                    # A caller knows its key without the namespace it is stored under.
                    key=self.idempotency_key.removeprefix(EXTERNAL_KEY_PREFIX),
                    type=self.move_type,
                    amount=abs(self.amount),
                    wallet=self.wallet_id.display_name,
                )
            )

    # ------------------------------------------------------------------
    # Booking in the general ledger
    # ------------------------------------------------------------------

    def _booking_counterpart_account(self):
        """The account that balances the wallet side of this movement."""
        self.ensure_one()
        company = self.company_id
        if self.move_type in ("debit", "refund"):
            origin = self.refund_of_id or self
            product = origin.product_id
            if product:
                account = product.with_company(company)._get_product_accounts()["income"]
                if account:
                    return account
            return company.prepaid_revenue_account_id
        if self.move_type == "expiry":
            return company.prepaid_breakage_account_id
        if self.move_type == "adjustment":
            return company.prepaid_adjustment_account_id
        return self.env["account.account"]

    def _booking_side_account(self, kind):
        company = self.company_id
        if kind in ("paid", "debt"):
            return company.prepaid_liability_account_id
        return company.prepaid_promotion_account_id

    def _booked_allocations(self):
        """Allocations that move money in the general ledger."""
        self.ensure_one()
        allocations = self.allocation_ids
        if self.move_type == "credit":
            # The recharge invoice or payment already booked the new lot.
            return allocations.filtered(lambda a: not a.is_creation)
        if self.move_type in ("expiry", "adjustment"):
            return allocations.filtered(lambda a: a.kind in ("paid", "debt"))
        return allocations

    def _invoiced_allocations(self):
        """Under VAT at consumption, the paid part of usage goes on an invoice."""
        self.ensure_one()
        if self.company_id.prepaid_vat_policy == "consumption" and self.move_type in ("debit", "refund"):
            return self.allocation_ids.filtered(lambda a: a.kind in ("paid", "debt"))
        return self.env["prepaid.wallet.allocation"]

    def _prepare_booking_amounts(self):
        """Signed balances (debit positive) per account for the journal entry."""
        amounts = {}
        for tx in self:
            counterpart = tx._booking_counterpart_account()
            for alloc in tx._booked_allocations() - tx._invoiced_allocations():
                side = tx._booking_side_account(alloc.kind)
                # A lot that grows is credit owed to the customer: a credit.
                amounts[side] = amounts.get(side, 0.0) - alloc.amount
                if counterpart:
                    amounts[counterpart] = amounts.get(counterpart, 0.0) + alloc.amount
        return amounts

    def _unbooked_liability_amount(self):
        """Change of the prepayments liability not yet in the general ledger
        (credit positive)."""
        total = 0.0
        for tx in self.filtered("needs_booking"):
            for alloc in tx._booked_allocations():
                if alloc.kind in ("paid", "debt"):
                    total += alloc.amount
        return total

    @api.model
    def _cron_book_movements(self, commit=None):
        """Book the movements waiting for it, one entry per company and day.

        :param commit: commit after each company and day (default: outside
            tests); callers inside a larger transaction pass ``False``
        """
        if commit is None:
            commit = self.env["prepaid.wallet"]._prepaid_can_commit()
        # The cron's business is the ledger itself, whoever triggers it.
        self = self.sudo()
        companies = self.search([("needs_booking", "=", True)]).company_id
        done = 0
        for company in companies:
            if not company._prepaid_accounting_ready():
                _logger.warning(
                    "Prepaid movements of %s not booked: its prepaid accounting is not configured.",
                    company.name,
                )
                continue
            todo = self.search(
                [("needs_booking", "=", True), ("company_id", "=", company.id)], order="date, id"
            )
            by_day = {}
            for tx in todo:
                day = fields.Datetime.context_timestamp(
                    tx.with_context(tz=company.partner_id.tz or "UTC"), tx.date
                ).date()
                by_day.setdefault(day, self.browse())
                by_day[day] |= tx
            for day, txs in sorted(by_day.items()):
                txs.with_company(company)._book_movements(day)
                done += len(txs)
                self.env["ir.cron"]._notify_progress(done=done, remaining=len(todo) - done)
                if commit:
                    self.env.cr.commit()
        return done

    def _book_movements(self, day):
        """Book these movements (one company, one day) in one entry, plus the
        consumption invoices under VAT at consumption."""
        if not self:
            return self.env["account.move"]
        company = self.company_id
        company.ensure_one()
        company._prepaid_check_accounting()
        # Lock the rows: a second booking run skips what this one books.
        self.env.cr.execute(
            "SELECT id FROM prepaid_wallet_transaction WHERE id IN %s AND needs_booking FOR UPDATE SKIP LOCKED",
            (tuple(self.ids),),
        )
        txs = self.browse([row[0] for row in self.env.cr.fetchall()])
        txs.invalidate_recordset(["needs_booking", "move_id"])
        txs = txs.filtered("needs_booking")
        moves = self.env["account.move"]
        amounts = txs._prepare_booking_amounts()
        currency = company.currency_id
        lines = []
        for account, balance in sorted(amounts.items(), key=lambda item: item[0].code or ""):
            balance = currency.round(balance)
            if currency.is_zero(balance):
                continue
            lines.append((0, 0, {
                "account_id": account.id,
                "name": _("Prepaid credit %(day)s", day=day),
                "debit": balance if balance > 0 else 0.0,
                "credit": -balance if balance < 0 else 0.0,
            }))
        entry = self.env["account.move"]
        if lines:
            entry = self.env["account.move"].sudo().create({
                "move_type": "entry",
                "journal_id": company.prepaid_journal_id.id,
                "date": day,
                "ref": _("Prepaid credit movements of %(day)s", day=day),
                "company_id": company.id,
                "line_ids": lines,
            })
            entry.action_post()
            moves |= entry
        for wallet_txs in txs.filtered(lambda tx: tx._invoiced_allocations()).grouped("wallet_id").values():
            invoice = wallet_txs._create_consumption_invoice(day)
            if invoice:
                moves |= invoice
                wallet_txs.sudo().write({"move_id": invoice.id, "needs_booking": False})
        txs.filtered("needs_booking").sudo().write({"move_id": entry.id, "needs_booking": False})
        return moves

    def _create_consumption_invoice(self, day):
        """VAT at consumption: invoice the paid usage of one wallet and day and
        pay it from the customer's advance (liability) by reconciliation."""
        wallet = self.wallet_id
        company = wallet.company_id
        partner = wallet.partner_id
        by_account = {}
        for tx in self:
            account = tx._booking_counterpart_account()
            for alloc in tx._invoiced_allocations():
                by_account[account] = by_account.get(account, 0.0) - alloc.amount
        total = sum(by_account.values())
        currency = wallet.currency_id
        if currency.is_zero(total):
            return self.env["account.move"]
        sign = 1 if total > 0 else -1
        fiscal_position = self.env["account.fiscal.position"].with_company(company)._get_fiscal_position(partner)
        product = company.prepaid_product_id
        taxes = fiscal_position.map_tax(
            product.with_company(company).taxes_id.filtered(lambda t: t.company_id == company)
        )
        label = _("Cloud and service usage of %(day)s, paid from prepaid credit", day=day)
        invoice = self.env["account.move"].sudo().with_company(company).create({
            "move_type": "out_invoice" if sign > 0 else "out_refund",
            "partner_id": partner.id,
            "invoice_date": day,
            "date": day,
            "currency_id": currency.id,
            "fiscal_position_id": fiscal_position.id,
            "invoice_origin": _("Prepaid usage %(day)s", day=day),
            "invoice_line_ids": [
                (0, 0, {
                    "name": label,
                    "account_id": account.id,
                    "quantity": 1,
                    "price_unit": currency.round(sign * amount),
                    "tax_ids": [(6, 0, taxes.ids)],
                })
                for account, amount in by_account.items()
                if not currency.is_zero(amount)
            ],
        })
        invoice.action_post()
        receivable = invoice.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        transfer = self.env["account.move"].sudo().create({
            "move_type": "entry",
            "journal_id": company.prepaid_journal_id.id,
            "date": day,
            "ref": _("%(invoice)s paid from prepaid credit", invoice=invoice.name),
            "company_id": company.id,
            "line_ids": [
                (0, 0, {
                    "account_id": company.prepaid_liability_account_id.id,
                    "partner_id": partner.id,
                    "debit": invoice.amount_total if sign > 0 else 0.0,
                    "credit": invoice.amount_total if sign < 0 else 0.0,
                }),
                (0, 0, {
                    "account_id": receivable.account_id.id,
                    "partner_id": partner.id,
                    "debit": invoice.amount_total if sign < 0 else 0.0,
                    "credit": invoice.amount_total if sign > 0 else 0.0,
                }),
            ],
        })
        transfer.action_post()
        (receivable | transfer.line_ids.filtered(lambda line: line.account_id == receivable.account_id)).reconcile()
        return invoice
