# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import logging
import math

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL, float_compare
from odoo.tools.sql import drop_index

from ..const import EXTERNAL_KEY_PREFIX

_logger = logging.getLogger(__name__)


class PrepaidWalletTransaction(models.Model):
    _name = "prepaid.wallet.transaction"
    _inherit = ["prepaid.wallet.ledger.mixin"]
    _description = "Prepaid Wallet Transaction"
    _order = "date desc, id desc"
    _check_company_auto = True

    # Indexed by prepaid_wallet_transaction_wallet_date_idx (see init), which
    # starts with it: a second index of its own would only slow the inserts.
    wallet_id = fields.Many2one(index=False)
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True, index=True)
    movement_type = fields.Selection(
        [
            ("credit", "Credit"),
            ("debit", "Debit"),
            ("refund", "Refund"),
            ("expiry", "Expiry"),
            ("adjustment", "Adjustment"),
            ("withdrawal", "Withdrawal"),
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
        string="Accounting document",
        readonly=True,
        index="btree_not_null",
        help="The document that carries this movement: the recharge invoice or advance payment that paid "
        "the credit, the credit note or refund that withdrew it.",
    )
    accounting_date = fields.Date(
        "Economic date",
        readonly=True,
        help="The day the movement belongs to in the books (the usage day, the expiry day) when it is not "
        "the day it was recorded.",
    )
    # Indexed by prepaid_wallet_transaction_to_book_idx (see init): only the
    # movements still waiting for the booking, not the booked history.
    needs_booking = fields.Boolean(readonly=True, default=False)
    booking_move_id = fields.Many2one(
        "account.move",
        string="Booked by",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The journal entry, or the consumption invoice under VAT at consumption, that books this "
        "movement. When it is cancelled or deleted the movement is booked again by the next run.",
    )
    booking_error = fields.Text(readonly=True, copy=False, help="Why the last booking run failed.")
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
        # It also serves every lookup by wallet (the wallet's lists, the
        # foreign key's checks).
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS prepaid_wallet_transaction_wallet_date_idx
                ON prepaid_wallet_transaction (wallet_id, date DESC, id DESC)
            """
        )
        # The booking cron reads the movements waiting for it per company
        # in date order; once booked, a movement leaves the index.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS prepaid_wallet_transaction_to_book_idx
                ON prepaid_wallet_transaction (company_id, date, id) WHERE needs_booking
            """
        )
        # Indexes of earlier versions that the two above replace.
        for index in ("prepaid_wallet_transaction__wallet_id_index", "prepaid_wallet_transaction__needs_booking_index"):
            drop_index(self.env.cr, index, self._table)

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
        if not self.env.su or set(vals) - {"move_id", "needs_booking", "booking_move_id", "booking_error"}:
            raise AccessError(_("Wallet transactions cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_ledger(self):
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
            or self.movement_type != move_type
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
                    type=self.movement_type,
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
        if self.movement_type in ("debit", "refund"):
            origin = self.refund_of_id or self
            product = origin.product_id
            if product:
                account = product.with_company(company)._get_product_accounts()["income"]
                if account:
                    return account
            return company.prepaid_revenue_account_id
        if self.movement_type == "expiry":
            return company.prepaid_breakage_account_id
        if self.movement_type == "adjustment":
            return company.prepaid_adjustment_account_id
        return self.env["account.account"]

    def _booking_side_account(self, kind):
        """Where the wallet side of an allocation of ``kind`` is booked."""
        company = self.company_id
        if kind == "paid":
            return company.prepaid_liability_account_id
        if kind == "debt":
            if company.prepaid_vat_policy == "consumption":
                # The consumption invoice made the debt a receivable.
                return self.partner_id.with_company(company).property_account_receivable_id
            return company.prepaid_unbilled_account_id
        return company._prepaid_bonus_account()

    def _booked_allocations(self):
        """Allocations that move money in the general ledger."""
        self.ensure_one()
        allocations = self.allocation_ids
        if self.movement_type == "credit":
            # The recharge invoice or payment already booked the new lot.
            return allocations.filtered(lambda a: not a.is_creation)
        if self.movement_type in ("expiry", "adjustment"):
            return allocations.filtered(lambda a: a.kind in ("paid", "debt"))
        if self.movement_type == "withdrawal":
            return self.env["prepaid.wallet.allocation"]
        return allocations

    def _economic_date(self):
        """The day this movement belongs to in the books."""
        self.ensure_one()
        if self.accounting_date:
            return self.accounting_date
        company = self.company_id
        return fields.Datetime.context_timestamp(
            self.with_context(tz=company.partner_id.tz or "UTC"), self.date
        ).date()

    def _allocation_value(self, alloc):
        """What an allocation is worth on its account, signed like its amount.

        An allocation to a lot has the booked value the ledger gave it (the
        lot's rate, and its VAT under VAT at consumption). Debt is valued at
        the rate of the economic date, with the VAT of its invoice under VAT
        at consumption.

        :return: (amount in the wallet currency, balance in the company currency)
        """
        if alloc.lot_id:
            return alloc.booked_amount, alloc.booked_balance
        wallet = self.wallet_id
        company = self.company_id
        amount = alloc.amount
        if company.prepaid_vat_policy == "consumption":
            amount = math.copysign(wallet._prepaid_gross_from_net(abs(amount)), amount)
        balance = wallet.currency_id._convert(amount, company.currency_id, company, self._economic_date())
        return amount, balance

    def _prepare_booking_lines(self):
        """The journal items that book these movements, one set per movement.

        Each booked allocation moves its value between its wallet side (the
        prepayments account for paid credit, the bonus account for bonus and
        voucher credit, the debt's account for debt) and the counterpart of
        the movement (revenue, breakage, adjustment). What the rates leave
        unbalanced in the company currency goes to the exchange difference
        accounts; a bonus that repays debt is a discount.

        :return: list of dicts with ``account``, ``partner`` (or None),
            ``currency``, ``amount_currency``, ``balance`` and ``tx``
        """
        lines = []
        for tx in self:
            company = tx.company_id
            currency = tx.currency_id
            partner = tx.partner_id
            counterpart = tx._booking_counterpart_account()
            tx_lines = []
            for alloc in tx._booked_allocations():
                amount, balance = tx._allocation_value(alloc)
                tx_lines.append(tx._booking_line(tx._booking_side_account(alloc.kind), -amount, -balance, partner))
                if counterpart:
                    tx_lines.append(tx._booking_line(counterpart, amount, balance))
            if tx.movement_type == "withdrawal" and tx.move_id:
                tx_lines.extend(tx._prepare_withdrawal_difference_lines())
            residual = company.currency_id.round(sum(line["balance"] for line in tx_lines))
            residual_currency = currency.round(sum(line["amount_currency"] for line in tx_lines))
            if not company.currency_id.is_zero(residual) or not currency.is_zero(residual_currency):
                tx_lines.append(tx._booking_line(
                    tx._booking_residual_account(residual, residual_currency), -residual_currency, -residual
                ))
            lines.extend(tx_lines)
        return lines

    def _booking_line(self, account, amount_currency, balance, partner=None):
        self.ensure_one()
        return {
            "account": account,
            "partner": partner or None,
            "currency": self.currency_id,
            "amount_currency": self.currency_id.round(amount_currency),
            "balance": self.company_id.currency_id.round(balance),
            "tx": self,
        }

    def _booking_residual_account(self, residual, residual_currency):
        """Where what is left unbalanced by a movement's booking goes."""
        self.ensure_one()
        company = self.company_id
        if not self.currency_id.is_zero(residual_currency):
            if any(a.kind in ("bonus", "voucher") for a in self._booked_allocations()):
                # Bonus or voucher credit paying debt with its VAT: a discount.
                return company._prepaid_bonus_account()
            # Cents between the VAT of the debt and the value of the credit.
            return company.prepaid_adjustment_account_id
        if self.currency_id != company.currency_id:
            # The debt and the credit that pays it were booked at different rates.
            if residual > 0:
                return company.income_currency_exchange_account_id
            return company.expense_currency_exchange_account_id
        return company.prepaid_adjustment_account_id

    def _prepare_withdrawal_difference_lines(self):
        """A withdrawal is booked by its credit note or refund, at the
        document's rate and amount; the lot was booked at the rate it was
        paid. The difference (an exchange difference, or cents between a
        refund's amount and the credit's value) is left to book."""
        self.ensure_one()
        company = self.company_id
        liability = company.prepaid_liability_account_id
        alloc = self.allocation_ids[:1]
        lines = self.move_id.line_ids.filtered(lambda line: line.account_id == liability)
        # On a reconcilable account Odoo reconciles a credit note with its
        # invoice and books the exchange difference itself.
        partials = lines.matched_debit_ids | lines.matched_credit_ids
        lines |= partials.exchange_move_id.line_ids.filtered(lambda line: line.account_id == liability)
        difference_currency = self.currency_id.round(-alloc.booked_amount - sum(lines.mapped("amount_currency")))
        difference = company.currency_id.round(-alloc.booked_balance - sum(lines.mapped("balance")))
        if self.currency_id.is_zero(difference_currency) and company.currency_id.is_zero(difference):
            return []
        return [self._booking_line(liability, difference_currency, difference, self.partner_id)]

    @api.model
    def _prepaid_unbooked(self, company):
        """Movements whose booking is not (or no longer) in the general ledger."""
        txs = self.search([
            ("company_id", "=", company.id),
            "|", ("needs_booking", "=", True),
            "&", ("booking_move_id", "!=", False), ("booking_move_id.state", "!=", "posted"),
        ])
        # A consumption invoice in draft: its transfer from the prepaid credit still stands.
        return txs.filtered(lambda tx: tx.needs_booking or not (
            tx.booking_move_id.prepaid_transfer_move_id.state == "posted"
        ))

    def _unbooked_liability_values(self):
        """Change of the prepayments account not yet in the general ledger,
        per currency (credit positive).

        :return: {currency: (amount in that currency, balance in the company currency)}
        """
        values = {}
        for line in self._prepare_booking_lines():
            tx = line["tx"]
            if line["account"] != tx.company_id.prepaid_liability_account_id:
                continue
            amount, balance = values.get(line["currency"], (0.0, 0.0))
            values[line["currency"]] = (amount - line["amount_currency"], balance - line["balance"])
        return values

    @api.model
    def _cron_book_movements(self, commit=None):
        """Book the movements waiting for it: per company and economic date,
        one entry, plus the consumption invoices under VAT at consumption.

        A day that fails is recorded on its movements (``booking_error``)
        and the other days go on; the next run tries it again.

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
            by_day = todo.grouped(lambda tx: tx._economic_date())
            for day, txs in sorted(by_day.items()):
                try:
                    with self.env.cr.savepoint():
                        txs.with_company(company)._book_movements(day)
                except Exception as error:  # noqa: BLE001 - one bad day never stops the others
                    # Recorded on the movements (filter "Booking failed"); the next run tries again.
                    _logger.warning("Booking of the prepaid movements of %s on %s failed: %s", company.name, day, error)
                    txs.write({"booking_error": str(error)})
                done += len(txs)
                self.env["ir.cron"]._notify_progress(done=done, remaining=len(todo) - done)
                if commit:
                    self.env.cr.commit()  # pylint: disable=invalid-commit
        return done

    def _book_movements(self, day):
        """Book these movements (one company, one economic date): the
        consumption invoices under VAT at consumption, and one entry for the
        rest.

        :return: the entry and invoices posted
        """
        if not self:
            return self.env["account.move"]
        company = self.company_id
        company.ensure_one()
        company._prepaid_check_accounting()
        # Lock the rows: a second booking run skips what this one books.
        self.env.cr.execute(SQL(
            "SELECT id FROM prepaid_wallet_transaction WHERE id IN %s AND needs_booking FOR NO KEY UPDATE SKIP LOCKED",
            tuple(self.ids),
        ))
        txs = self.browse([row[0] for row in self.env.cr.fetchall()])
        txs.invalidate_recordset(["needs_booking", "move_id", "booking_move_id"])
        txs = txs.filtered("needs_booking")
        moves = self.env["account.move"]
        to_entry = txs
        if company.prepaid_vat_policy == "consumption":
            usage = txs.filtered(lambda tx: tx.movement_type in ("debit", "refund"))
            for wallet_txs in usage.grouped("wallet_id").values():
                invoice = wallet_txs._create_consumption_invoice(day)
                if invoice:
                    moves |= invoice
                    to_entry -= wallet_txs
                    wallet_txs.write({"booking_move_id": invoice.id, "needs_booking": False, "booking_error": False})
        entry = to_entry._create_booking_entry(day)
        moves |= entry
        to_entry.write({"booking_move_id": entry.id, "needs_booking": False, "booking_error": False})
        txs._prepaid_reconcile_partner_items()
        return moves

    def _create_booking_entry(self, day):
        """One entry for these movements of one economic date: balance-sheet
        items per customer, revenue and expense items per account; debits
        and credits on separate lines, so that movements which cancel out
        still have their entry."""
        if not self:
            return self.env["account.move"]
        company = self.company_id
        grouped = {}
        for line in self._prepare_booking_lines():
            account = line["account"]
            partner = line["partner"] if account.internal_group not in ("income", "expense") else None
            sign = line["balance"] > 0 or (line["balance"] == 0 and line["amount_currency"] > 0)
            key = (account, partner, line["currency"], sign)
            amount, balance = grouped.get(key, (0.0, 0.0))
            grouped[key] = (amount + line["amount_currency"], balance + line["balance"])
        line_vals = []
        def order(item):
            account, partner, _currency, sign = item[0]
            return account.code or "", partner.id if partner else 0, not sign

        for (account, partner, currency, _sign), (amount, balance) in sorted(grouped.items(), key=order):
            amount, balance = currency.round(amount), company.currency_id.round(balance)
            if currency.is_zero(amount) and company.currency_id.is_zero(balance):
                continue
            line_vals.append(Command.create({
                "account_id": account.id,
                "partner_id": partner.id if partner else False,
                "currency_id": currency.id,
                "amount_currency": amount,
                "balance": balance,
                "name": _("Prepaid credit %(day)s", day=day),
            }))
        if not line_vals:
            return self.env["account.move"]
        # The ledger posts its own entries, whoever triggered the booking.
        entry = self.env["account.move"].sudo().with_company(company).create({
            "move_type": "entry",
            "journal_id": company.prepaid_journal_id.id,
            # Odoo moves it to the first open date when the period is locked.
            "date": day,
            "ref": _("Prepaid credit movements of %(day)s", day=day),
            "company_id": company.id,
            "line_ids": line_vals,
        })
        entry.action_post()
        return entry

    def _create_consumption_invoice(self, day):
        """VAT at consumption: invoice the usage of one wallet and economic
        date with VAT, bonus and voucher credit as a discount, and pay it from
        the customer's advance (liability) by reconciliation, as far as paid
        credit covers it: the debt stays a receivable.

        :return: the invoice (or credit note), or an empty recordset when the
            movements invoice nothing (bonus only, or cancelling out)
        """
        wallet = self.wallet_id
        wallet.ensure_one()
        company = wallet.company_id
        partner = wallet.partner_id
        currency = wallet.currency_id
        if not any(alloc.kind in ("paid", "debt") for alloc in self.allocation_ids):
            return self.env["account.move"]
        usage, discounts = {}, {}
        for tx in self:
            account = tx._booking_counterpart_account()
            for alloc in tx.allocation_ids:
                usage[account] = usage.get(account, 0.0) - alloc.amount
                if alloc.kind in ("bonus", "voucher"):
                    bonus_account = company._prepaid_bonus_account()
                    discounts[bonus_account] = discounts.get(bonus_account, 0.0) + alloc.amount
        total = currency.round(sum(usage.values()) + sum(discounts.values()))
        if currency.is_zero(total):
            return self.env["account.move"]
        sign = 1 if total > 0 else -1
        fiscal_position = self.env["account.fiscal.position"].with_company(company)._get_fiscal_position(partner)
        taxes = wallet._prepaid_taxes()
        lines = [
            Command.create({
                "name": label,
                "account_id": account.id,
                "quantity": 1,
                "price_unit": currency.round(sign * amount),
                "tax_ids": [Command.set(taxes.ids)],
            })
            for label, by_account in (
                (_("Cloud and service usage of %(day)s", day=day), usage),
                (_("Bonus and voucher credit used on %(day)s", day=day), discounts),
            )
            for account, amount in by_account.items()
            if not currency.is_zero(amount)
        ]
        journal = self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(company), ("type", "=", "sale")], limit=1
        )
        # The ledger issues its consumption invoices, whoever triggered the booking.
        invoice = self.env["account.move"].sudo().with_company(company).create({
            "move_type": "out_invoice" if sign > 0 else "out_refund",
            "journal_id": journal.id,
            "partner_id": partner.id,
            "invoice_date": self._consumption_invoice_date(day, journal),
            "date": day,
            "currency_id": currency.id,
            "fiscal_position_id": fiscal_position.id,
            "invoice_origin": _("Prepaid usage %(day)s", day=day),
            "invoice_line_ids": lines,
        })
        invoice.action_post()
        invoice.prepaid_transfer_move_id = self._create_consumption_transfer(invoice, day)
        return invoice

    @api.model
    def _consumption_invoice_date(self, day, journal):
        """The invoice date of a consumption invoice: its economic date,
        unless the sales journal already numbered a later invoice (the
        numbering stays chronological; the accounting date stays ``day``)."""
        self.env["account.move"].flush_model(["invoice_date", "journal_id", "state"])
        last = self.env.execute_query(SQL(
            "SELECT MAX(invoice_date) FROM account_move WHERE journal_id = %s AND state = 'posted'", journal.id
        ))[0][0]
        return max(day, last) if last else day

    def _create_consumption_transfer(self, invoice, day):
        """Pay a consumption invoice from the paid credit it consumed: the
        prepayments account gives the value of that credit to the receivable,
        reconciled with the invoice. Without debt the invoice is paid in
        full, the cents between its VAT and the credit's value going to the
        adjustment account; with debt, the rest stays due."""
        company = invoice.company_id
        currency = invoice.currency_id
        partner = invoice.commercial_partner_id
        paid = self.allocation_ids.filtered(lambda alloc: alloc.kind == "paid")
        # Signed like the receivable: positive when the customer owes.
        paid_amount = currency.round(-sum(paid.mapped("booked_amount")))
        paid_balance = company.currency_id.round(-sum(paid.mapped("booked_balance")))
        if currency.is_zero(paid_amount):
            return self.env["account.move"]
        receivable = invoice.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        due = receivable.amount_currency
        has_debt = any(alloc.kind == "debt" for alloc in self.allocation_ids)
        settled = due if not has_debt or abs(paid_amount) > abs(due) else paid_amount
        settled_balance = company.currency_id.round(paid_balance * settled / paid_amount)
        line_vals = [
            Command.create({
                "account_id": company.prepaid_liability_account_id.id,
                "partner_id": partner.id,
                "currency_id": currency.id,
                "amount_currency": paid_amount,
                "balance": paid_balance,
                "name": _("Prepaid credit used by %(invoice)s", invoice=invoice.name),
            }),
            Command.create({
                "account_id": receivable.account_id.id,
                "partner_id": partner.id,
                "currency_id": currency.id,
                "amount_currency": -settled,
                "balance": -settled_balance,
                "name": _("%(invoice)s paid from prepaid credit", invoice=invoice.name),
            }),
        ]
        rounding = currency.round(paid_amount - settled), company.currency_id.round(paid_balance - settled_balance)
        if not currency.is_zero(rounding[0]) or not company.currency_id.is_zero(rounding[1]):
            line_vals.append(Command.create({
                "account_id": company.prepaid_adjustment_account_id.id,
                "currency_id": currency.id,
                "amount_currency": currency.round(settled - paid_amount),
                "balance": company.currency_id.round(settled_balance - paid_balance),
                "name": _("Rounding between the VAT of %(invoice)s and the prepaid credit", invoice=invoice.name),
            }))
        # The ledger posts its own entries, whoever triggered the booking.
        transfer = self.env["account.move"].sudo().with_company(company).create({
            "move_type": "entry",
            "journal_id": company.prepaid_journal_id.id,
            "date": invoice.date,
            "ref": _("%(invoice)s paid from prepaid credit", invoice=invoice.name),
            "company_id": company.id,
            "line_ids": line_vals,
        })
        transfer.action_post()
        (receivable | transfer.line_ids.filtered(lambda line: line.account_id == receivable.account_id)).reconcile()
        return transfer

    def _prepaid_reconcile_partner_items(self):
        """Reconcile, per customer and currency, the open items the booking
        left on reconcilable accounts: debt to invoice with the recharge that
        pays it, open consumption invoices with the credit that pays them."""
        for company, txs in self.grouped("company_id").items():
            accounts = company.prepaid_unbilled_account_id | txs.partner_id.with_company(
                company
            ).property_account_receivable_id
            accounts = accounts.filtered("reconcile")
            if not accounts:
                continue
            lines = self.env["account.move.line"].sudo().search([
                ("company_id", "=", company.id),
                ("account_id", "in", accounts.ids),
                ("partner_id", "in", txs.partner_id.ids),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                "|", ("move_id.prepaid_booked_transaction_ids", "!=", False),
                ("move_id.prepaid_consumption_invoice_ids", "!=", False),
            ])
            for _key, group in lines.grouped(lambda line: (line.account_id, line.partner_id, line.currency_id)).items():
                if group.filtered(lambda line: line.amount_residual > 0) and group.filtered(
                    lambda line: line.amount_residual < 0
                ):
                    group.reconcile()
