# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import math
import threading
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models, modules, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_compare, float_is_zero, format_amount
from odoo.tools.float_utils import float_invert
from odoo.tools.float_utils import round as _round_half_up
from odoo.tools.translate import LazyTranslate

from ..const import (
    CALLER_KEY_MAX_LENGTH,
    CONSUMPTION_ORDERS,
    DEFAULT_CONSUMPTION_ORDER,
    EXTERNAL_KEY_PREFIX,
    KEY_MAX_LENGTH,
    MAX_MOVEMENT_AMOUNT,
)
from ..ledger_storage import LedgerStorage, lock_rows
from ..parsing import check_text, parse_decimal, parse_whole, shown

_lt = LazyTranslate(__name__)

# Names of the values a caller sends, for the messages that refuse them:
# translated when a message shows them, not on every movement.
DESCRIPTION_LABEL = _lt("The description")
REASON_LABEL = _lt("The reason")
CURRENCY_CODE_LABEL = _lt("The currency code")
WALLET_ID_LABEL = _lt("The wallet id")
KEY_LABEL = _lt("The idempotency key")
TRANSACTION_ID_LABEL = _lt("The transaction id")
PRODUCT_ID_LABEL = _lt("The product id")
MOVEMENT_TYPES = ("credit", "debit", "refund", "expiry", "adjustment", "withdrawal")
# The wallet's money fields: derived from its lots and written by the ledger
# service alone (see _ledger_write_staged).
LEDGER_FIELDS = frozenset({"balance", "paid_amount", "bonus_amount", "voucher_amount", "debt_amount"})
# The wallet columns the rules of a movement read, as the lock reads them.
LEDGER_LOCK_COLUMNS = ("active", "scope", "balance", "debt_amount", "partner_id", "company_id", "currency_id")
#: Most movements one call of ledger_batch takes.
LEDGER_BATCH_MAX = 1000


@dataclass
class Movement:
    """A movement prepared by the rules of its type, ready to be written.

    :param allocations: dicts with ``lot_id`` (an id, ``"new"`` for the lot
        the movement creates, False for debt), ``kind``, ``amount`` (signed
        change of the lot) and flags
    :param debt_change: change of the wallet's debt
    :param new_lot_vals: values of the lot the movement creates, if any
    """

    allocations: list = dataclass_field(default_factory=list)
    debt_change: float = 0.0
    new_lot_vals: dict | None = None


@dataclass(frozen=True)
class PlainCurrency:
    """A currency as the lock of a movement read it: enough to round and
    compare amounts without reading ``res.currency`` again.

    Its rounding gives the results of :func:`~odoo.tools.float_utils.float_round`
    (half-up, with the same epsilon against binary noise), bit for bit, by the
    same operations; only the factor is worked out once instead of on every
    call (a movement rounds some fifteen times).
    """

    id: int
    name: str
    rounding: float
    decimal_places: int
    # float_round's normalization: multiply by the inverted rounding when it
    # is below 1 (more accurate), else divide by it.
    _factor: float = dataclass_field(init=False, repr=False, compare=False)
    _inverted: bool = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self):
        inverted = self.rounding < 1
        object.__setattr__(self, "_inverted", inverted)
        object.__setattr__(self, "_factor", float_invert(self.rounding) if inverted else self.rounding)

    def round(self, amount):
        """``amount`` rounded to the currency, as ``float_round`` rounds it."""
        if amount == 0:
            return 0.0
        normalized = amount * self._factor if self._inverted else amount / self._factor
        epsilon = 2 ** (math.log2(abs(normalized)) - 50)
        result = _round_half_up(normalized + math.copysign(epsilon, normalized))
        return result / self._factor if self._inverted else result * self._factor

    def is_zero(self, amount):
        """Whether ``amount`` is zero in the currency (as ``float_is_zero``)."""
        return amount == 0.0 or abs(self.round(amount)) < self.rounding

    def compare_amounts(self, amount1, amount2):
        """-1, 0 or 1 as ``amount1`` is below, equal to or above ``amount2``
        (as ``float_compare``)."""
        if amount1 == amount2:
            return 0
        delta = self.round(amount1) - self.round(amount2)
        if self.is_zero(delta):
            return 0
        return -1 if delta < 0.0 else 1


@dataclass
class LockedWallet:
    """What the lock of a movement read, as plain values. The rules of a
    movement work on these alone, so that a debit in a fresh transaction
    sends the lock and the write, and nothing else.

    :param lots: {lot id: (kind, remaining amount, expiry date)} of the open
        lots, in consumption order
    :param lot_values: {lot id: (original amount, booked amount, booked
        balance)} of the open lots
    :param existing: id of the transaction already holding the key, or None
    :param extra: the values features read along (:meth:`PrepaidWallet._ledger_lock_reads`)
    :param booked_at: {lot id: (remaining amount, booked amount, booked
        balance)}: the booked value of a lot at the position the last
        movement left it, which the next one starts from
    """

    active: bool
    scope: str
    debt_amount: float
    partner_id: int
    company_id: int
    currency: PlainCurrency
    company_currency: PlainCurrency
    consumption_order: str
    balance: float = 0.0
    existing: int | None = None
    lots: dict = dataclass_field(default_factory=dict)
    lot_values: dict = dataclass_field(default_factory=dict)
    extra: dict = dataclass_field(default_factory=dict)
    booked_at: dict = dataclass_field(default_factory=dict)

    def moved(self, open_lots, new_lots, debt, balance):
        """Carry the wallet's values past a movement just written, as the
        lock would read them now (the wallet stays locked): a batch applies
        the next movement of the wallet on them without reading it again.

        :param open_lots: {lot id: (kind, remaining amount)} of the lots open after it
        :param new_lots: the ``prepaid.credit.lot`` records it created or
            opened again (a refund to a used-up lot)
        :param debt: the debt after it
        :param balance: the balance after it
        """
        expiries = {lot_id: expiry for lot_id, (_kind, _remaining, expiry) in self.lots.items()}
        for lot in new_lots:
            expiries[lot.id] = lot.expiry_date or None
            self.lot_values[lot.id] = (lot.original_amount, lot.booked_amount, lot.booked_balance)
        rank = {kind: index for index, kind in enumerate(CONSUMPTION_ORDERS[self.consumption_order])}
        ordered = sorted(
            open_lots,
            key=lambda lot_id: (
                rank[open_lots[lot_id][0]], expiries.get(lot_id) is None, expiries.get(lot_id) or date.min, lot_id,
            ),
        )
        self.lots = {lot_id: (*open_lots[lot_id], expiries.get(lot_id)) for lot_id in ordered}
        self.lot_values = {lot_id: value for lot_id, value in self.lot_values.items() if lot_id in self.lots}
        self.booked_at = {lot_id: value for lot_id, value in self.booked_at.items() if lot_id in self.lots}
        self.debt_amount = debt
        self.balance = balance
        self.existing = None


@dataclass
class StagedMovement:
    """A movement computed under its wallet's lock, written with others by
    :meth:`PrepaidWallet._ledger_write_staged` (one statement for all).

    :param wallet: the ``prepaid.wallet`` (sudo)
    :param lock: the wallet's :class:`LockedWallet`, already carried past
        this movement
    :param tx_values: field values of the transaction
    :param allocations: dicts with ``lot_id``, ``kind``, ``amount``, the
        booked values and the flags of each allocation
    :param lot_updates: (lot id, remaining amount, state) of the lots changed
    :param balances: the wallet's balances after the movement, by field name
    :param new_lots: the ``prepaid.credit.lot`` records the movement created
    :param tx: the transaction, once written, or the one a replay found
    :param replayed: the key was already used: ``tx`` is its transaction
    """

    wallet: object = None
    lock: LockedWallet = None
    tx_values: dict = dataclass_field(default_factory=dict)
    allocations: list = dataclass_field(default_factory=list)
    lot_updates: list = dataclass_field(default_factory=list)
    balances: dict = dataclass_field(default_factory=dict)
    new_lots: list = dataclass_field(default_factory=list)
    tx: object = None
    replayed: bool = False


class PrepaidWallet(models.Model):
    _name = "prepaid.wallet"
    _description = "Prepaid Wallet"
    _inherit = ["mail.thread", "portal.mixin"]
    _order = "partner_id, currency_id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="restrict",
        domain="[('is_company', '=', True)]",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    scope = fields.Selection(
        [("cloud", "Cloud usage only"), ("all", "Every product")],
        required=True,
        default="cloud",
        tracking=True,
        help="Cloud usage only: the credit pays metered cloud usage and nothing else. "
        "Every product: the credit also pays domains, renewals and other purchases.",
    )
    active = fields.Boolean(default=True)
    # Written only by the ledger service, always from the lots it has just
    # changed under the wallet lock; never typed in (LEDGER_FIELDS).
    paid_amount = fields.Monetary("Paid credit", readonly=True, copy=False)
    bonus_amount = fields.Monetary("Bonus credit", readonly=True, copy=False)
    voucher_amount = fields.Monetary("Voucher credit", readonly=True, copy=False)
    debt_amount = fields.Monetary(
        "Debt", readonly=True, copy=False, help="Metered usage not covered by credit."
    )
    # Not tracked: a chatter message per debit would cost more than the debit.
    balance = fields.Monetary(readonly=True, copy=False)
    lot_ids = fields.One2many("prepaid.credit.lot", "wallet_id", string="Credit lots")
    open_lot_ids = fields.One2many(
        "prepaid.credit.lot",
        "wallet_id",
        string="Open lots",
        domain=[("state", "=", "open")],
    )
    transaction_ids = fields.One2many(
        "prepaid.wallet.transaction", "wallet_id", string="Transactions"
    )
    transaction_count = fields.Integer(compute="_compute_transaction_count")
    recharge_ids = fields.One2many("prepaid.recharge", "wallet_id", string="Recharges")
    low_balance_alert = fields.Boolean(
        "Low-balance alert", default=True, help="E-mail the customer when the balance falls below the threshold."
    )
    low_balance_threshold = fields.Monetary(
        "Low-balance threshold",
        help="Set by the customer from the portal; a new wallet starts with the company's default for its "
        "currency (Recharge limits).",
    )
    next_expiry_date = fields.Date(
        compute="_compute_next_expiry", string="Next expiry"
    )
    next_expiry_amount = fields.Monetary(compute="_compute_next_expiry")

    _sql_constraints = [
        (
            "partner_company_currency_uniq",
            "UNIQUE(partner_id, company_id, currency_id)",
            "A customer has one wallet per company and currency.",
        ),
    ]

    @api.depends("partner_id.name", "currency_id.name")
    def _compute_name(self):
        for wallet in self:
            wallet.name = f"{wallet.partner_id.name or ''} ({wallet.currency_id.name or ''})"

    def _compute_transaction_count(self):
        counts = dict(
            self.env["prepaid.wallet.transaction"]._read_group(
                [("wallet_id", "in", self.ids)], ["wallet_id"], ["__count"]
            )
        )
        for wallet in self:
            wallet.transaction_count = counts.get(wallet, 0)

    def _compute_next_expiry(self):
        today = fields.Date.context_today(self)
        for wallet in self:
            lots = wallet.open_lot_ids.filtered(
                lambda lot: lot.expiry_date and lot.expiry_date > today
            ).sorted("expiry_date")
            wallet.next_expiry_date = lots[:1].expiry_date
            wallet.next_expiry_amount = sum(
                lots.filtered(lambda lot, first=lots[:1]: lot.expiry_date == first.expiry_date).mapped(
                    "remaining_amount"
                )
            )

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for wallet in self:
            wallet.access_url = f"/my/wallet/{wallet.id}"
        return result

    @api.constrains("partner_id")
    def _check_partner_is_commercial(self):
        for wallet in self:
            if wallet.partner_id != wallet.partner_id.commercial_partner_id:
                raise ValidationError(
                    _(
                        "A wallet belongs to the commercial entity %(company)s, "
                        "not to its contact %(contact)s.",
                        company=wallet.partner_id.commercial_partner_id.display_name,
                        contact=wallet.partner_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_no_ledger_fields(vals)
            if "low_balance_threshold" not in vals:
                vals["low_balance_threshold"] = self._default_low_balance_threshold(vals)
        return super().create(vals_list)

    @api.model
    def _default_low_balance_threshold(self, vals):
        """The company's default threshold for a new wallet's currency (zero without one)."""
        company = self.env["res.company"].browse(vals.get("company_id")) if vals.get("company_id") else self.env.company
        currency_id = vals.get("currency_id") or company.currency_id.id
        # The company's settings, whoever opens the wallet (a portal plan purchase, a payment).
        limit = self.env["prepaid.recharge.limit"].sudo().search(
            [("company_id", "=", company.id), ("currency_id", "=", currency_id)], limit=1
        )
        return limit.low_balance_threshold

    def write(self, vals):
        self._check_no_ledger_fields(vals)
        guarded = {"partner_id", "company_id", "currency_id"} & set(vals)
        if guarded and self.transaction_ids:
            raise UserError(
                _("The customer, company and currency of a wallet with transactions cannot change.")
            )
        return super().write(vals)

    @api.model
    def _check_no_ledger_fields(self, vals):
        """Refuse a create or write of the balances, whoever asks (superuser
        included): only the ledger service sets them, in SQL, from the lots
        it has just changed; a balance written any other way would no longer
        be the sum of the wallet's transactions."""
        if LEDGER_FIELDS & set(vals):
            raise UserError(
                _(
                    "The balance of a wallet changes only through movements: "
                    "use Adjust balance, which records the change and its reason."
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_with_history(self):
        if self.sudo().transaction_ids:
            raise UserError(
                _("A wallet with transactions cannot be deleted; archive it instead.")
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_view_transactions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prepaid_cloud_credit.prepaid_wallet_transaction_action"
        )
        action["domain"] = [("wallet_id", "=", self.id)]
        action["context"] = {"default_wallet_id": self.id}
        return action

    def action_open_adjust(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Adjust balance"),
            "res_model": "prepaid.wallet.adjust",
            "view_mode": "form",
            "target": "new",
            "context": {"default_wallet_id": self.id},
        }

    # ------------------------------------------------------------------
    # Public API for the integration group (callable over XML-RPC)
    # ------------------------------------------------------------------

    @api.model
    def get_or_create_wallet(self, partner_id, currency_code=None, company_id=None):
        """Return the id of the wallet of a customer, creating it if needed.

        :param partner_id: id of the customer (or of one of its contacts)
        :param currency_code: ISO code; the company currency when omitted
        :param company_id: the company; the current one when omitted; one of
            the caller's companies
        :return: the wallet id
        """
        self._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        partner = self.env["res.partner"].browse(parse_whole(partner_id, _("The customer id"))).exists()
        if not partner:
            raise UserError(_("Unknown customer %(id)s.", id=shown(partner_id)))
        company = self.env.company
        if company_id:
            company = self.env["res.company"].browse(parse_whole(company_id, _("The company id"))).exists()
            if not company or (not self.env.su and company not in self.env.user.company_ids):
                raise UserError(_("Unknown company %(id)s.", id=shown(company_id)))
        currency = self._prepaid_currency_from_code(currency_code) if currency_code else company.currency_id
        return self.sudo()._get_or_create(partner, currency, company).id

    def ledger_debit(self, amount, idempotency_key, purpose="usage", description=None,
                     currency_code=None, product_id=None):
        """Debit the wallet, as the integration of a platform does.

        :param amount: positive amount, net of VAT, in the wallet currency,
            written with the digits 0-9 and a dot when sent as text
        :param idempotency_key: the caller's unique key of the movement; the
            same key again returns the first transaction. Keys of callers
            live in a namespace of their own (see :meth:`_prepaid_caller_key`)
        :param purpose: ``usage`` (may create debt) or ``purchase`` (refused
            when the credit is short)
        :param currency_code: optional ISO code, checked against the wallet
        :return: dict with the transaction id and the wallet balances
        """
        self._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        self._check_wallet_exists()
        check_text(description, DESCRIPTION_LABEL)
        check_text(purpose, _("The purpose"))
        product = None
        if product_id:
            product = self.env["product.product"].browse(parse_whole(product_id, PRODUCT_ID_LABEL)).exists()
            if not product:
                raise UserError(_("Unknown product %(id)s.", id=shown(product_id)))
        wallet = self.sudo()
        tx = wallet._ledger_apply(
            "debit",
            amount,
            self._prepaid_caller_key(idempotency_key),
            purpose=purpose,
            description=description,
            currency_code=currency_code,
            product=product,
        )
        return wallet._ledger_result(tx)

    def ledger_refund(self, transaction_id, amount, idempotency_key, description=None):
        """Refund (part of) a debit of this wallet back to the lots it consumed.

        :param idempotency_key: the caller's unique key, as for :meth:`ledger_debit`
        :return: dict with the transaction id and the wallet balances
        """
        self._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        self._check_wallet_exists()
        check_text(description, DESCRIPTION_LABEL)
        transaction = parse_whole(transaction_id, TRANSACTION_ID_LABEL)
        origin = self.env["prepaid.wallet.transaction"].sudo().browse(transaction).exists()
        if not origin or origin.wallet_id != self:
            raise UserError(_("Unknown transaction %(id)s for this wallet.", id=transaction))
        wallet = self.sudo()
        tx = wallet._ledger_apply(
            "refund", amount, self._prepaid_caller_key(idempotency_key), refund_of=origin, description=description
        )
        return wallet._ledger_result(tx)

    @api.model
    def ledger_batch(self, movements):
        """Apply many debits in one call, as integrations do (see
        ``hosting_bridge/CONTRACT.md``). A batch never credits: paid credit
        enters with what pays for it (a recharge, a platform's paid invoice
        through ``platform_credit_invoices``).

        The whole batch is checked first: a malformed one raises
        :class:`~odoo.exceptions.ValidationError` listing every problem with
        its index, and writes nothing. The wallets are then locked in id
        order (two batches never deadlock) and each movement is checked and
        computed in turn: one the business refuses (credit short for a
        purchase, another amount under the same key, an archived or unknown
        wallet) is answered ``refused`` while the others are done. The
        movements done are then written together, in one statement.

        :param movements: list of at most :data:`LEDGER_BATCH_MAX` dicts
            ``{"key": "pos:2026-11-21:17", "wallet_id": 12, "type": "debit",
            "amount": "4.20", "purpose": "usage" | "purchase",
            "description": "...", "currency": "EUR"}``; ``purpose`` (default
            ``usage``), ``description`` and ``currency`` may be left out.
            Keys live in the callers' namespace (:meth:`_prepaid_caller_key`)
        :return: one dict per movement, in the order sent: ``{"key": ...,
            "status": "done" | "replayed" | "refused", "transaction_id": ...,
            "balance": "<remaining credit after the movement>", "error": ...}``
        """
        self._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        parsed = self._ledger_batch_parse(movements)
        if not parsed:
            return []
        wallets = self.browse(sorted({movement["wallet_id"] for movement in parsed})).exists()
        # Multi-company rules apply to the caller: a wallet it cannot read is unknown to it.
        wallets = wallets._filtered_access("read")
        # The ledger runs in sudo: the caller's group was checked above. All
        # the wallets are locked in id order (two batches never deadlock) and
        # read at once; a wallet deleted meanwhile is not among the locks.
        wallets = wallets.sudo()
        locks = wallets._ledger_lock_many()
        # What the ORM holds of the rows may predate the lock.
        wallets.invalidate_recordset()
        replays = self._ledger_batch_existing_keys([movement["ledger_key"] for movement in parsed])
        # Each wallet's values are carried in memory from one movement to the next.
        # A movement is checked and computed whole before anything of it
        # changes the carried values, so a refused one leaves them as they
        # were; the movements done are written together at the end.
        staged = []
        results, replayed = [], {}
        for index, movement in enumerate(parsed):
            result = {"key": movement["key"], "status": "refused", "transaction_id": False,
                      "balance": False, "error": False}
            results.append(result)
            wallet = wallets.browse(movement["wallet_id"])
            lock = locks.get(wallet.id)
            if lock is None:
                result["error"] = _("Unknown wallet %(id)s.", id=movement["wallet_id"])
                continue
            key = movement["ledger_key"]
            try:
                lock.existing = replays.get(key)
                movement_staged = wallet._ledger_stage(
                    movement["type"], movement["amount"], key,
                    purpose=movement["purpose"], description=movement["description"],
                    currency_code=movement["currency"], lock=lock,
                )
            except (UserError, ValidationError) as error:
                result["error"] = error.args[0]
                continue
            if movement_staged.replayed:
                result["status"] = "replayed"
                result["transaction_id"] = movement_staged.tx.id
                replayed[index] = movement_staged.tx
            else:
                result["status"] = "done"
                result["balance"] = f"{lock.balance:.{lock.currency.decimal_places}f}"
                staged.append((index, movement_staged))
        if staged:
            wallets._ledger_write_staged([movement for _index, movement in staged])
            for index, movement in staged:
                results[index]["transaction_id"] = movement.tx.id
        # The balances after the replayed movements, read at once.
        done = self.env["prepaid.wallet.transaction"].sudo().browse([tx.id for tx in replayed.values()])
        done.fetch(["balance_after", "currency_id"])
        for index, tx in replayed.items():
            results[index]["balance"] = f"{tx.balance_after:.{tx.currency_id.decimal_places}f}"
        return results

    @api.model
    def _ledger_batch_parse(self, movements):
        """Check the shape of a batch of :meth:`ledger_batch` whole.

        :return: the movements with their values parsed and ``ledger_key``
        :raise ValidationError: every problem of the batch, with its index
        """
        if not isinstance(movements, (list, tuple)):
            raise ValidationError(_("The movements must be a list."))
        if len(movements) > LEDGER_BATCH_MAX:
            raise ValidationError(
                _("A batch has at most %(max)s movements, not %(count)s.", max=LEDGER_BATCH_MAX, count=len(movements))
            )
        allowed = {"key", "wallet_id", "type", "amount", "purpose", "description", "currency"}
        errors, parsed, seen = [], [], {}
        for index, movement in enumerate(movements):
            problems = []
            if not isinstance(movement, dict):
                errors.append(_("Movement %(index)s: not a dict.", index=index))
                continue
            unknown = sorted(str(name) for name in set(movement) - allowed)
            if unknown:
                problems.append(_("unknown keys %(keys)s", keys=shown(", ".join(unknown))))
            values = {
                "key": movement.get("key"),
                "purpose": movement.get("purpose") or "usage",
                "description": movement.get("description") or None,
                "currency": movement.get("currency") or None,
            }
            for name, check, value in (
                ("ledger_key", self._prepaid_caller_key, movement.get("key")),
                ("wallet_id", self._ledger_batch_wallet_id, movement.get("wallet_id")),
                ("amount", self._ledger_batch_amount, movement.get("amount")),
                ("description", lambda text: self._ledger_batch_text(text, DESCRIPTION_LABEL),
                 values["description"]),
                ("currency", lambda text: self._ledger_batch_text(text, CURRENCY_CODE_LABEL), values["currency"]),
            ):
                try:
                    values[name] = check(value)
                except (UserError, ValidationError) as error:
                    problems.append(error.args[0])
            values["type"] = movement.get("type")
            if values["type"] == "credit":
                # Credit enters with what pays for it (a recharge, a platform's
                # paid invoice), never as a bare movement of an integration.
                problems.append(_(
                    "a batch only debits: paid credit enters with its payment (a recharge, or "
                    "platform_credit_invoices for a platform's add-funds invoices)"
                ))
            elif values["type"] != "debit":
                problems.append(_("the type must be debit"))
            if values["purpose"] not in ("usage", "purchase"):
                problems.append(_("the purpose must be usage or purchase"))
            if "ledger_key" in values:
                if values["ledger_key"] in seen:
                    problems.append(_("the key is also used by movement %(other)s", other=seen[values["ledger_key"]]))
                seen.setdefault(values["ledger_key"], index)
            for problem in problems:
                errors.append(_("Movement %(index)s: %(problem)s", index=index, problem=problem))
            parsed.append(values)
        if errors:
            raise ValidationError("\n".join(errors))
        return parsed

    @api.model
    def _ledger_batch_wallet_id(self, value):
        return parse_whole(value, WALLET_ID_LABEL)

    @api.model
    def _ledger_batch_text(self, value, label):
        """A caller's text as sent, once it is checked to be storable text."""
        if value is not None and not isinstance(value, str):
            raise ValidationError(_("%(field)s must be text.", field=label))
        return check_text(value, label)

    @api.model
    def _ledger_batch_amount(self, amount):
        """A positive amount no larger than one movement may be, kept as
        sent (the wallet's currency checks its decimals)."""
        self._prepaid_movement_amount(amount)
        return amount

    @api.model
    def _prepaid_movement_amount(self, amount):
        """The value of a caller's amount, once it is checked to be greater
        than zero and no larger than one movement may be.

        :return: the amount as a :class:`~decimal.Decimal`
        :raise ValidationError: text that is not a plain decimal number, NaN,
            infinities, zero, negative numbers, amounts above
            :data:`MAX_MOVEMENT_AMOUNT`
        """
        value = parse_decimal(amount)
        if value <= 0:
            raise ValidationError(_("The amount must be greater than zero."))
        if value > MAX_MOVEMENT_AMOUNT:
            raise ValidationError(
                _(
                    "The amount %(amount)s is larger than the maximum of one movement (%(max)s).",
                    amount=shown(amount),
                    max=MAX_MOVEMENT_AMOUNT,
                )
            )
        return value

    @api.model
    def _ledger_batch_existing_keys(self, keys):
        """The keys among ``keys`` that a transaction already holds.

        :return: {key: transaction id}
        """
        transactions = self.env["prepaid.wallet.transaction"].sudo().search_fetch(
            [("idempotency_key", "in", keys)], ["idempotency_key"]
        )
        return {tx.idempotency_key: tx.id for tx in transactions}

    @api.model
    def _prepaid_caller_key(self, key):
        """The ledger key of a key sent by an external caller.

        Internal movements have keys of their own shape (``recharge:…``,
        ``usage:…``, ``expiry:…``); a caller able to send one of them would
        take it first and make the internal movement fail or return the
        caller's. Every caller's key is therefore stored under
        :data:`EXTERNAL_KEY_PREFIX`, which no internal key starts with, and
        the caller still gets its replay: the same key maps to the same
        ledger key.

        :param key: the key as the caller sent it
        :return: the namespaced key
        :raise ValidationError: an empty, too long or unstorable key
        """
        key = self._prepaid_check_key(key)
        if len(key) > CALLER_KEY_MAX_LENGTH:
            raise ValidationError(
                _("An idempotency key has at most %(max)s characters.", max=CALLER_KEY_MAX_LENGTH)
            )
        return EXTERNAL_KEY_PREFIX + key

    def ledger_balance(self):
        """Return the balances of the wallet (readable by every prepaid user)."""
        self.ensure_one()
        self.check_access("read")
        return self._ledger_result(None)

    def _ledger_result(self, tx):
        # The ledger keeps the balances in memory up to date: nothing to reload.
        return {
            "transaction_id": tx.id if tx else False,
            "balance": self.balance,
            "paid": self.paid_amount,
            "bonus": self.bonus_amount,
            "voucher": self.voucher_amount,
            "debt": self.debt_amount,
            "currency": self.currency_id.name,
        }

    def _check_wallet_exists(self):
        if len(self) != 1 or not self.sudo().exists():
            raise UserError(_("Unknown wallet %(ids)s.", ids=", ".join(map(str, self.ids)) or "-"))
        # Multi-company and portal rules apply to the caller, not to sudo.
        self.check_access("read")

    def _check_prepaid_group(self, *groups):
        if self.env.su:
            return
        if not any(self.env.user.has_group(f"prepaid_cloud_credit.{group}") for group in groups):
            raise AccessError(
                _("Only prepaid managers and integration users can move money in a wallet.")
            )

    # ------------------------------------------------------------------
    # The ledger service: every money movement goes through _ledger_apply
    # ------------------------------------------------------------------

    @api.model
    def _get_or_create(self, partner, currency, company):
        partner = partner.commercial_partner_id
        wallet = self.search(
            [
                ("partner_id", "=", partner.id),
                ("currency_id", "=", currency.id),
                ("company_id", "=", company.id),
            ],
            limit=1,
        )
        return wallet or self.create(
            {"partner_id": partner.id, "currency_id": currency.id, "company_id": company.id}
        )

    @api.model
    def _prepaid_currency_from_code(self, code):
        if not isinstance(code, str) or not code.strip():
            raise UserError(_("The currency must be an ISO 4217 code such as EUR."))
        check_text(code, CURRENCY_CODE_LABEL)
        currency = self.env["res.currency"].with_context(active_test=False).search(
            [("name", "=", code.strip().upper())], limit=1
        )
        if not currency:
            raise UserError(_("Unknown currency %(code)s.", code=shown(code)))
        return currency

    def _prepaid_parse_amount(self, amount, currency=None):
        """Turn a caller's amount into a positive float rounded to the currency.

        Rejects booleans, text that is not a plain decimal number (see
        :func:`~odoo.addons.prepaid_cloud_credit.parsing.parse_decimal`), NaN
        and infinities, zero, negative numbers, more decimals than the currency has and amounts above
        :data:`MAX_MOVEMENT_AMOUNT`.

        :param currency: the wallet's currency as a movement's lock read it
            (:class:`PlainCurrency`); the wallet's ``currency_id`` by default
        """
        self.ensure_one()
        currency = currency or self.currency_id
        value = self._prepaid_movement_amount(amount)
        # Floats arrive with binary noise (0.1 + 0.2): tolerate it, not real extra decimals.
        if abs(value - value.quantize(Decimal(1).scaleb(-currency.decimal_places))) > Decimal("1e-9"):
            raise ValidationError(
                _(
                    "The amount %(amount)s has more decimals than %(currency)s allows.",
                    amount=shown(amount),
                    currency=currency.name,
                )
            )
        return currency.round(float(value))

    def _prepaid_parse_threshold(self, value):
        """A customer's low-balance threshold: zero or more, in the wallet currency."""
        self.ensure_one()
        if parse_decimal(value) == 0:
            return 0.0
        return self._prepaid_parse_amount(value)

    def _prepaid_recharge_limits(self):
        """Minimum and maximum recharge (net) for this wallet's company and currency."""
        self.ensure_one()
        limit = self.env["prepaid.recharge.limit"].sudo().search(
            [("company_id", "=", self.company_id.id), ("currency_id", "=", self.currency_id.id)], limit=1
        )
        return {"min": limit.min_amount or 0.0, "max": limit.max_amount or 0.0}

    def _prepaid_check_key(self, key):
        if not isinstance(key, str) or not key.strip():
            raise ValidationError(_("Every movement needs an idempotency key."))
        check_text(key, KEY_LABEL)
        if len(key) > KEY_MAX_LENGTH:
            raise ValidationError(_("An idempotency key has at most %(max)s characters.", max=KEY_MAX_LENGTH))
        return key.strip()

    def _ledger_storage(self):
        """The ledger's SQL for this environment (see :mod:`..ledger_storage`)."""
        return LedgerStorage(self.env)

    def _ledger_lock(self, key):
        """Lock the wallet row and read, in the same round trip, what a
        movement needs: the wallet's state, its currency and company
        policy, the transaction already holding ``key`` and the open lots.

        Every movement also rewrites the wallet row, so a transaction that
        was waiting on this lock gets a serialization failure once the
        holder commits, and Odoo replays it: it then reads the holder's result.

        :param key: the idempotency key of the movement
        :return: :class:`LockedWallet`
        """
        self.ensure_one()
        locked = self._ledger_lock_many(key)
        if self.id not in locked:
            raise UserError(_("Unknown wallet %(ids)s.", ids=self.id))
        return locked[self.id]

    def _ledger_lock_many(self, key=None):
        """Lock these wallets' rows in id order and read what their
        movements need (see :meth:`_ledger_lock`), all in one statement: a
        batch sends one lock for all its wallets.

        :param key: the idempotency key of a single movement, looked up
            along; None for a batch, which looks its keys up at once
        :return: {wallet id: :class:`LockedWallet`}, without the wallets
            that do not exist
        """
        # What the lock reads must include this transaction's pending writes.
        self.flush_recordset()
        self.env["prepaid.credit.lot"].flush_model()
        self.env["prepaid.wallet.transaction"].flush_model(["idempotency_key"])
        self.env["res.currency"].flush_model(["rounding", "name"])
        self.env["res.company"].flush_model(["currency_id", "prepaid_consumption_order"])
        results = self._ledger_storage().lock(self, LEDGER_LOCK_COLUMNS, self._ledger_lock_reads, key=key)
        return {wallet_id: self._ledger_locked_wallet(result) for wallet_id, result in results.items()}

    @api.model
    def _ledger_locked_wallet(self, result):
        """The :class:`LockedWallet` of one wallet row the lock read."""
        order = result.pop("consumption_order") or DEFAULT_CONSUMPTION_ORDER
        rank = {kind: index for index, kind in enumerate(CONSUMPTION_ORDERS[order])}
        lots = sorted(result.pop("lots"), key=lambda lot: rank[lot[1]])
        currency, company_currency = result.pop("currency"), result.pop("company_currency")
        return LockedWallet(
            active=result.pop("active"),
            scope=result.pop("scope"),
            balance=float(result.pop("balance") or 0.0),
            debt_amount=float(result.pop("debt_amount") or 0.0),
            partner_id=result.pop("partner_id"),
            company_id=result.pop("company_id"),
            currency=self._ledger_plain_currency(result.pop("currency_id"), *currency),
            company_currency=self._ledger_plain_currency(*company_currency),
            consumption_order=order,
            existing=result.pop("existing"),
            lots={
                lot_id: (kind, float(remaining), fields.Date.to_date(expiry))
                for lot_id, kind, remaining, expiry, *_values in lots
            },
            # What the allocations of a movement are worth on the prepayments
            # account: (original amount, booked amount, booked balance) per lot.
            lot_values={
                lot_id: (float(original), float(booked_amount or 0.0), float(booked_balance or 0.0))
                for lot_id, _kind, _remaining, _expiry, original, booked_amount, booked_balance in lots
            },
            extra=result,
        )

    @api.model
    def _ledger_plain_currency(self, currency_id, name, rounding):
        rounding = float(rounding)
        decimal_places = int(math.ceil(math.log10(1 / rounding))) if 0 < rounding < 1 else 0
        return PlainCurrency(currency_id, name, rounding, decimal_places)

    def _ledger_lock_reads(self, param):
        """Hook: more values the lock of a movement reads; their values reach
        the rules and :meth:`_ledger_after_write` in :attr:`LockedWallet.extra`.

        The core reads the wallet's currency, the company's currency and
        consumption order (popped from the result into :class:`LockedWallet`).

        :param param: placeholder factory of the statement: ``param(value)``
            is the SQL of one parameter (see :mod:`..ledger_storage`)
        :return: {name: SQL expression on the wallet row ``w``}
        """
        return {
            "currency": SQL(
                "(SELECT json_build_array(c.name, c.rounding) FROM res_currency c WHERE c.id = w.currency_id)"
            ),
            "company_currency": SQL(
                """
                (SELECT json_build_array(c.id, c.name, c.rounding)
                   FROM res_company co JOIN res_currency c ON c.id = co.currency_id WHERE co.id = w.company_id)
                """
            ),
            "consumption_order": SQL(
                "(SELECT co.prepaid_consumption_order FROM res_company co WHERE co.id = w.company_id)"
            ),
        }

    def _customer_env(self):
        """Return the environment of this wallet in its customer's language.

        A movement's description is read by the customer, on the wallet page
        and in the PDF statement, long after whoever wrote it (a cron, an
        accountant, a platform) is gone: it is written in the customer's
        language, as Odoo writes an invoice's lines in its customer's. Where
        ``_("...")`` would give the writer's language, write
        ``wallet._customer_env()._("...")``.
        """
        self.ensure_one()
        return self.with_context(lang=self.partner_id.lang or self.env.lang).env

    @api.model
    def _prepaid_today(self):
        """The ledger's calendar day: lots expire at the start of their expiry
        date in UTC, the same day for every user, cron and platform."""
        return fields.Date.today()

    def _default_expiry_date(self, kind, start=None):
        """Expiry date of a new lot of ``kind`` under the company policy."""
        company = self.company_id
        policy = company[f"prepaid_{kind}_expiry"] or "never"
        start = start or self._prepaid_today()
        if policy == "months":
            months = company[f"prepaid_{kind}_expiry_months"] or 0
            return start + relativedelta(months=months) if months > 0 else False
        if policy == "date":
            return company[f"prepaid_{kind}_expiry_date"] or False
        return False

    def _ledger_apply(self, move_type, amount, idempotency_key, **options):
        """Apply one money movement to the wallet and write it. The only way
        money moves (a batch stages many and writes them at once, see
        :meth:`ledger_batch`).

        :param options: the options of :meth:`_ledger_stage`
        :return: the ``prepaid.wallet.transaction``
        """
        staged = self._ledger_stage(move_type, amount, idempotency_key, **options)
        if not staged.replayed:
            self._ledger_write_staged([staged])
        return staged.tx

    def _ledger_stage(self, move_type, amount, idempotency_key, *, kind="paid", purpose="usage",
                      description=None, currency_code=None, product=None, refund_of=None,
                      expiry_date=None, reason=None, decrease=False, lot=None, source=None,
                      move=None, booked_value=None, accounting_date=None, lock=None):
        """Check and compute one money movement of the wallet under its lock,
        ready to be written by :meth:`_ledger_write_staged`. Nothing of the
        ledger is written (a credit's new lot is created, unbound).

        :param move_type: ``credit`` (a new lot of ``kind``), ``debit`` (consume
            lots in order; ``usage`` may go into debt, ``purchase`` may not),
            ``refund`` (give back a debit, ``refund_of``), ``expiry`` (close
            ``lot``), ``adjustment`` (a manager's correction with a
            ``reason``: it adds a lot of ``kind``, or with ``decrease``
            consumes lots like a purchase) or ``withdrawal`` (take unused
            paid credit back out of ``lot``: a credit note or a refund of
            the document that paid it)
        :param amount: positive amount, net of VAT
        :param idempotency_key: the same key again returns the first
            transaction; with another amount, type or wallet it is an error
        :param source: the record that caused the movement (invoice, payment,
            usage statement...), kept as a reference
        :param move: the journal entry that already books the movement
            (recharge invoices, advance payments, their credit notes and refunds)
        :param booked_value: (amount in the wallet currency, balance in the
            company currency) that the new lot of a credit is worth on the
            prepayments account, as its document booked it; computed from the
            amount, the VAT policy and today's rate when omitted
        :param accounting_date: the economic date of the movement (the usage
            day, the expiry day), when it is not the day of the movement
        :param lock: the wallet as this transaction already locked and read
            it (:class:`LockedWallet`, with ``existing`` for this key), carried
            from movement to movement by a batch; the wallet is locked and
            read when omitted. It is carried past the movement.
        :return: :class:`StagedMovement`; for a key already used, ``replayed``
            with its transaction
        """
        self.ensure_one()
        if move_type not in MOVEMENT_TYPES:
            raise ValidationError(_("Unknown movement type %(type)s.", type=move_type))
        if purpose not in ("usage", "purchase"):
            raise ValidationError(_("A debit is either for usage or for a purchase."))
        key = self._prepaid_check_key(idempotency_key)
        check_text(description, DESCRIPTION_LABEL)
        check_text(reason, REASON_LABEL)
        # Signed like the balance: what takes credit away is negative.
        sign = -1 if move_type in ("debit", "expiry", "withdrawal") or (move_type == "adjustment" and decrease) else 1
        if move_type == "adjustment" and (not reason or not str(reason).strip()):
            raise ValidationError(_("An adjustment needs a reason."))
        if kind not in ("paid", "bonus", "voucher"):
            raise ValidationError(_("Unknown credit kind %(kind)s.", kind=kind))

        # The checks that need the wallet run on what the lock has just read.
        if lock is None:
            lock = self._ledger_lock(key)
        if currency_code is not None and self._prepaid_currency_from_code(currency_code).id != lock.currency.id:
            raise ValidationError(
                _(
                    "The wallet %(wallet)s is in %(currency)s, not %(code)s.",
                    wallet=self.display_name,
                    currency=self.currency_id.name,
                    code=currency_code,
                )
            )
        if move_type == "expiry":
            # What is left of the lot as the lock read it.
            value = lock.lots[lot.id][1] if lot and lot.id in lock.lots else lot.remaining_amount
        else:
            value = self._prepaid_parse_amount(amount, currency=lock.currency)
        if not lock.active:
            raise UserError(_("The wallet %(wallet)s is archived.", wallet=self.display_name))
        if lock.existing:
            existing = self.env["prepaid.wallet.transaction"].browse(lock.existing)
            existing._check_same_movement(self, move_type, sign * value)
            return StagedMovement(wallet=self, lock=lock, tx=existing, replayed=True)

        if move_type == "credit":
            movement = self._prepare_credit_movement(value, lock, kind, expiry_date, booked_value)
        elif move_type == "debit":
            movement = self._prepare_debit_movement(value, lock, purpose)
        elif move_type == "adjustment":
            movement = self._prepare_adjustment_movement(value, lock, kind, decrease)
        elif move_type == "refund":
            movement = self._prepare_refund_movement(value, lock, refund_of)
        elif move_type == "expiry":
            movement = self._prepare_expiry_movement(value, lock, lot)
        else:
            movement = self._prepare_withdrawal_movement(value, lock, lot)
        return self._ledger_stage_rows(
            move_type, sign * value, key, movement.allocations, movement.debt_change, movement.new_lot_vals,
            purpose=purpose if move_type == "debit" else False,
            description=description, product=product, refund_of=refund_of,
            reason=reason, source=source, move=move, lock=lock, accounting_date=accounting_date,
        )

    def _prepare_credit_movement(self, value, lock, kind, expiry_date=None, booked_value=None):
        """A new lot of ``kind`` worth ``value``; debt is repaid from it first.

        :param booked_value: see :meth:`_ledger_apply`
        :return: :class:`Movement`
        """
        booked_amount, booked_balance = booked_value or self._prepaid_lot_value(kind, value)
        new_lot_vals = {
            "wallet_id": self.id,
            "kind": kind,
            "original_amount": value,
            "remaining_amount": value,
            "expiry_date": expiry_date if expiry_date is not None else self._default_expiry_date(kind),
            "booked_amount": booked_amount,
            "booked_balance": booked_balance,
        }
        allocations = [{"lot_id": "new", "amount": value, "kind": kind, "is_creation": True}]
        debt = lock.debt_amount
        repay = min(value, debt) if debt > 0 else 0.0
        if not repay:
            return Movement(allocations, 0.0, new_lot_vals)
        new_lot_vals["remaining_amount"] = lock.currency.round(value - repay)
        allocations.append({"lot_id": "new", "amount": -repay, "kind": kind, "is_debt_repayment": True})
        allocations.append({"lot_id": False, "amount": repay, "kind": "debt", "is_debt_repayment": True})
        return Movement(allocations, -repay, new_lot_vals)

    def _prepare_debit_movement(self, value, lock, purpose):
        """Consume ``value`` from the open lots in order; metered ``usage``
        goes into debt for what the lots lack, a ``purchase`` is refused.

        :return: :class:`Movement`
        """
        if lock.scope == "cloud" and purpose == "purchase":
            raise UserError(
                _(
                    "The wallet %(wallet)s pays cloud usage only; it cannot pay purchases.",
                    wallet=self.display_name,
                )
            )
        return self._prepare_consumption(value, lock, allow_debt=purpose == "usage")

    def _prepare_adjustment_movement(self, value, lock, kind, decrease):
        """A manager's correction: a new lot of ``kind``, or with ``decrease``
        lots consumed like a purchase (never into debt).

        :return: :class:`Movement`
        """
        if decrease:
            return self._prepare_consumption(value, lock, allow_debt=False)
        return self._prepare_credit_movement(value, lock, kind)

    def _prepare_expiry_movement(self, value, lock, lot):
        """Close the open ``lot`` of this wallet: its remaining credit is lost.

        :return: :class:`Movement`
        """
        if not lot or lot.wallet_id != self or lot.id not in lock.lots:
            raise ValidationError(_("Only an open lot of this wallet can expire."))
        return Movement([{"lot_id": lot.id, "amount": -value, "kind": lot.kind}])

    def _prepare_refund_movement(self, value, lock, refund_of):
        """Give ``value`` of the debit ``refund_of`` back (see :meth:`_prepare_refund_allocations`).

        :return: :class:`Movement`
        """
        return Movement(*self._prepare_refund_allocations(refund_of, value))

    def _prepare_withdrawal_movement(self, value, lock, lot):
        """Take ``value`` of unused paid credit back out of ``lot``.

        :return: :class:`Movement`
        """
        return Movement([self._prepare_withdrawal_allocation(lot, value, lock)])

    def _prepare_consumption(self, value, lock, allow_debt):
        """Take ``value`` from the open lots in consumption order, skipping
        the ones expired today; the rest becomes debt when ``allow_debt``.

        :raise UserError: the credit is short and debt is not allowed
        :return: :class:`Movement`
        """
        currency = lock.currency
        allocations = []
        to_take = value
        today = self._prepaid_today()
        for lot_id, (lot_kind, remaining, expiry) in lock.lots.items():
            if currency.is_zero(to_take):
                break
            if remaining <= 0 or (expiry and expiry <= today):
                continue
            take = min(to_take, remaining)
            allocations.append({"lot_id": lot_id, "amount": -take, "kind": lot_kind})
            to_take = currency.round(to_take - take)
        if currency.is_zero(to_take):
            return Movement(allocations)
        if not allow_debt:
            raise UserError(
                _(
                    "Insufficient credit in %(wallet)s: %(needed)s needed, %(available)s available.",
                    wallet=self.display_name,
                    needed=value,
                    available=currency.round(value - to_take),
                )
            )
        allocations.append({"lot_id": False, "amount": -to_take, "kind": "debt"})
        return Movement(allocations, to_take)

    def _prepare_withdrawal_allocation(self, lot, value, lock):
        """Take ``value`` of unused paid credit out of ``lot``, or refuse
        with the amount that is still unused."""
        currency = self.currency_id
        if not lot or lot.wallet_id != self or lot.kind != "paid":
            raise ValidationError(_("Credit can only be withdrawn from a paid lot of this wallet."))
        unused = lock.lots[lot.id][1] if lot.id in lock.lots else 0.0
        if float_compare(value, unused, precision_rounding=currency.rounding) > 0:
            if float_is_zero(unused, precision_rounding=currency.rounding):
                raise UserError(_(
                    "The credit of %(lot)s is used up or expired: nothing of it can be withdrawn.",
                    lot=lot.display_name,
                ))
            raise UserError(_(
                "Only %(unused)s of the credit of %(lot)s is still unused (%(spent)s was spent): withdraw "
                "at most %(unused)s.",
                unused=format_amount(self.env, unused, currency),
                lot=lot.display_name,
                spent=format_amount(self.env, lot.original_amount - unused, currency),
            ))
        return {"lot_id": lot.id, "amount": -value, "kind": "paid"}

    def _prepaid_lot_value(self, kind, amount, date=None):
        """What a new lot of ``amount`` is worth on the prepayments account
        when no document says it: its amount, with the VAT the customer will
        be charged under VAT at consumption for paid credit, at the rate of
        ``date`` (today) in the company currency.

        :return: (amount in the wallet currency, balance in the company currency)
        """
        self.ensure_one()
        currency = self.currency_id
        company = self.company_id
        booked = amount
        if kind == "paid" and company.prepaid_vat_policy == "consumption":
            booked = self._prepaid_gross_from_net(amount)
        balance = currency._convert(booked, company.currency_id, company, date or fields.Date.context_today(self))
        return booked, balance

    def _prepaid_gross_from_net(self, amount):
        """``amount`` of credit with the VAT of this customer added."""
        self.ensure_one()
        taxes = self._prepaid_taxes()
        if not taxes:
            return self.currency_id.round(amount)
        result = taxes.compute_all(amount, currency=self.currency_id, partner=self.partner_id)
        return self.currency_id.round(result["total_included"])

    def _prepare_refund_allocations(self, origin, value):
        """Give ``value`` of debit ``origin`` back: debt first, then the lots in
        the reverse order they were consumed; expired lots are replaced."""
        currency = self.currency_id
        if not origin or origin.wallet_id != self or origin.movement_type != "debit":
            raise ValidationError(_("Only a debit of this wallet can be refunded."))
        refundable = currency.round(-origin.amount - origin.refunded_amount)
        if float_compare(value, refundable, precision_rounding=currency.rounding) > 0:
            raise ValidationError(
                _(
                    "At most %(refundable)s of this debit can still be refunded.",
                    refundable=refundable,
                )
            )
        # What was already given back per allocation of the origin.
        given_back = {}
        for refund in origin.refund_ids:
            for alloc in refund.allocation_ids:
                origin_alloc = alloc.origin_allocation_id
                if origin_alloc:
                    given_back[origin_alloc.id] = given_back.get(origin_alloc.id, 0.0) + alloc.amount
        allocations, debt_change, new_lot_vals = [], 0.0, None
        left = value
        # Debt allocations (no lot) first, then lots from the last consumed.
        ordered = origin.allocation_ids.filtered(lambda a: not a.lot_id) + origin.allocation_ids.filtered(
            "lot_id"
        ).sorted("id", reverse=True)
        today = self._prepaid_today()
        for alloc in ordered:
            if float_is_zero(left, precision_rounding=currency.rounding):
                break
            open_amount = currency.round(-alloc.amount - given_back.get(alloc.id, 0.0))
            give = min(left, open_amount)
            if give <= 0:
                continue
            left = currency.round(left - give)
            if not alloc.lot_id:
                allocations.append({"lot_id": False, "amount": give, "kind": "debt", "origin_allocation_id": alloc.id})
                debt_change -= give
            elif alloc.lot_id.state == "expired" or (alloc.lot_id.expiry_date and alloc.lot_id.expiry_date <= today):
                # The lot is gone: a new lot of the same kind takes the credit.
                allocations.append({
                    "lot_id": "new", "amount": give, "kind": alloc.kind, "origin_allocation_id": alloc.id,
                    "replaces_lot_id": alloc.lot_id.id,
                })
            else:
                allocations.append({
                    "lot_id": alloc.lot_id.id, "amount": give, "kind": alloc.kind, "origin_allocation_id": alloc.id,
                })
        return allocations, debt_change, new_lot_vals

    def _ledger_stage_rows(self, move_type, signed_amount, key, allocations, debt_change, new_lot_vals, **kw):
        """The rows of a prepared movement: its lots, transaction,
        allocations and the wallet's balances; the lock is carried past it.

        :param kw: the references of the transaction, and ``lock``, what
            :meth:`_ledger_lock` read (:class:`LockedWallet`)
        :return: :class:`StagedMovement`
        """
        Lot = self.env["prepaid.credit.lot"]
        lock = kw["lock"]
        currency = lock.currency
        # The open lots as the lock read them: their sum per kind is the balance.
        open_lots = {lot_id: (kind, remaining) for lot_id, (kind, remaining, _expiry) in lock.lots.items()}
        lot_amounts = {}
        new_lots = {}
        if new_lot_vals:
            new_lots["new"] = Lot.create(new_lot_vals)
        for alloc in allocations:
            if alloc["lot_id"] == "new" and "replaces_lot_id" in alloc:
                old = Lot.browse(alloc["replaces_lot_id"])
                # The credit given back keeps the value (and the rate) of the lot it came from.
                booked_amount, booked_balance = old._booked_value(alloc["amount"])
                new_lots[alloc["replaces_lot_id"]] = Lot.create({
                    "wallet_id": self.id,
                    "kind": old.kind,
                    "original_amount": alloc["amount"],
                    "remaining_amount": alloc["amount"],
                    "expiry_date": self._default_expiry_date(old.kind),
                    "replaced_lot_id": old.id,
                    "booked_amount": booked_amount,
                    "booked_balance": booked_balance,
                })
                alloc["lot_id"] = new_lots[alloc.pop("replaces_lot_id")].id
                alloc["is_creation"] = True
            elif alloc["lot_id"] == "new":
                alloc["lot_id"] = new_lots["new"].id
            elif alloc["lot_id"]:
                lot_amounts[alloc["lot_id"]] = lot_amounts.get(alloc["lot_id"], 0.0) + alloc["amount"]
        self._ledger_value_allocations(allocations, lock, new_lots)
        for lot in new_lots.values():
            open_lots[lot.id] = (lot.kind, lot.remaining_amount)
        lot_updates, reopened = [], []
        for lot_id, change in lot_amounts.items():
            if lot_id in open_lots:
                kind, remaining, state = *open_lots[lot_id], "open"
            else:
                # A used-up lot a refund gives credit back to.
                lot = Lot.browse(lot_id)
                kind, remaining, state = lot.kind, lot.remaining_amount, lot.state
                reopened.append(lot)
            remaining = currency.round(remaining + change)
            if move_type == "expiry":
                state = "expired"
            elif currency.is_zero(remaining):
                state = "exhausted"
            elif state == "exhausted":
                state = "open"
            lot_updates.append((lot_id, remaining, state))
            if state == "open":
                open_lots[lot_id] = (kind, remaining)
            else:
                open_lots.pop(lot_id, None)
        balances = {"paid": 0.0, "bonus": 0.0, "voucher": 0.0}
        for kind, remaining in open_lots.values():
            balances[kind] += remaining
        balances = {kind: currency.round(total) for kind, total in balances.items()}
        debt = currency.round(lock.debt_amount + debt_change)
        balance = currency.round(sum(balances.values()) - debt)
        source = kw.get("source")
        staged = StagedMovement(
            wallet=self,
            lock=lock,
            tx_values={
                "wallet_id": self.id,
                "partner_id": lock.partner_id,
                "company_id": lock.company_id,
                "currency_id": lock.currency.id,
                "date": fields.Datetime.now(),
                "user_id": self.env.uid,
                "movement_type": move_type,
                "amount": signed_amount,
                "idempotency_key": key,
                "purpose": kw.get("purpose") or None,
                "name": kw.get("description") or None,
                "reason": kw.get("reason") or None,
                "product_id": kw["product"].id if kw.get("product") else None,
                "refund_of_id": kw["refund_of"].id if kw.get("refund_of") else None,
                "source_ref": f"{source._name},{source.id}" if source else None,
                "move_id": kw["move"].id if kw.get("move") else None,
                "needs_booking": self._movement_needs_booking(move_type, allocations, kw.get("move")),
                "accounting_date": kw.get("accounting_date") or None,
                "balance_after": balance,
                "debt_after": debt,
            },
            allocations=allocations,
            lot_updates=lot_updates,
            balances={
                "paid_amount": balances["paid"],
                "bonus_amount": balances["bonus"],
                "voucher_amount": balances["voucher"],
                "debt_amount": debt,
                "balance": balance,
            },
            new_lots=list(new_lots.values()),
        )
        lock.moved(open_lots, [*new_lots.values(), *reopened], debt, balance)
        return staged

    def _ledger_value_allocations(self, allocations, lock, new_lots):
        """Give each allocation to a lot its booked value: the change of the
        lot's booked value from its position before to its position after.

        Positions follow the allocations in order, so the values of a lot's
        allocations add up to its whole booked value when it is used up.
        """
        Lot = self.env["prepaid.credit.lot"]
        currency, company_currency = lock.currency, lock.company_currency
        values = dict(lock.lot_values)
        positions = {lot_id: remaining for lot_id, (_kind, remaining, _expiry) in lock.lots.items()}
        for lot in new_lots.values():
            values[lot.id] = (lot.original_amount, lot.booked_amount, lot.booked_balance)
            positions[lot.id] = 0.0
        for alloc in allocations:
            lot_id = alloc["lot_id"]
            if not lot_id:
                continue
            if lot_id not in values:
                # A lot that is no longer open (a refund gives credit back to it).
                lot = Lot.browse(lot_id)
                values[lot_id] = (lot.original_amount, lot.booked_amount, lot.booked_balance)
                positions[lot_id] = lot.remaining_amount
            before = positions[lot_id]
            after = positions[lot_id] = currency.round(before + alloc["amount"])
            # The value at ``before`` is often the one the last movement of
            # the lot worked out (a batch debits a lot again and again).
            known = lock.booked_at.get(lot_id)
            if known and known[0] == before:
                old_amount, old_balance = known[1:]
            else:
                old_amount, old_balance = Lot._booked_value_of(before, *values[lot_id], currency, company_currency)
            new_amount, new_balance = Lot._booked_value_of(after, *values[lot_id], currency, company_currency)
            lock.booked_at[lot_id] = (after, new_amount, new_balance)
            alloc["booked_amount"] = currency.round(new_amount - old_amount)
            alloc["booked_balance"] = company_currency.round(new_balance - old_balance)

    @api.model
    def _ledger_write_staged(self, staged):
        """Write staged movements, of one wallet or many, in one statement:
        the lots they change, the transactions, their allocations and the
        wallets' balances; then tell the ORM and call
        :meth:`_ledger_after_write` once per wallet.

        The transactions and allocations are append-only and every value
        was computed under the wallets' locks, so the ORM's create and write
        (related fields, checks, one statement each) would only cost time:
        they were most of a debit's. The ORM is then told what changed.

        :param staged: :class:`StagedMovement` list, in the order of the
            movements; each gets its ``tx``
        """
        if not self.env.su:
            raise AccessError(_("Transactions are written by wallet movements only."))
        Tx = self.env["prepaid.wallet.transaction"]
        Lot = self.env["prepaid.credit.lot"]
        # The last state of each lot and wallet is the one written.
        lot_updates = {update[0]: update for movement in staged for update in movement.lot_updates}
        balances = {movement.wallet.id: movement.balances for movement in staged}
        # Pending writes to these rows go first: the rows change below.
        Tx.flush_model()
        self.env["prepaid.wallet.allocation"].flush_model()
        lots = Lot.browse(list(lot_updates))
        lots.flush_recordset()
        tx_ids = self._ledger_storage().write_movements(
            [movement.tx_values for movement in staged],
            [movement.allocations for movement in staged],
            list(lot_updates.values()),
            balances,
        )
        for movement, tx_id in zip(staged, tx_ids, strict=True):
            movement.tx = Tx.browse(tx_id)
        # Tell the ORM what changed. The lots and the wallets' balances are
        # reread when next used; the transactions and allocations (their
        # lists, sums and computed fields) and the one2many fields that list
        # them are dropped from memory: records that callers hold show the
        # movements when next read. Nothing of them is a pending write (all
        # was flushed above), hence no flush.
        wallets = self.browse(list(balances))
        field_names = list(staged[0].balances)
        lots.invalidate_recordset(flush=False)
        wallets.invalidate_recordset([*field_names, "write_uid", "write_date"], flush=False)
        Tx.invalidate_model(flush=False)
        self.env["prepaid.wallet.allocation"].invalidate_model(flush=False)
        for model_name, field_name in self._ledger_listing_fields():
            self.env[model_name].invalidate_model([field_name], flush=False)
        # Stored fields computed from the balances or the lots are recomputed.
        wallets.modified(field_names)
        lots.modified(["remaining_amount", "state"])
        for movement in staged:
            for lot in movement.new_lots:
                lot.source_transaction_id = movement.tx
        by_wallet = {}
        for movement in staged:
            by_wallet.setdefault(movement.wallet.id, []).append(movement)
        for movements in by_wallet.values():
            movements[0].wallet._ledger_after_write(movements)

    def _ledger_after_write(self, staged):
        """Hook: the movements ``staged`` of this wallet were written (one,
        or the wallet's part of a batch, in order; each with its ``tx``).
        The lock of the last one (``staged[-1].lock``) holds the wallet as
        it is now; the wallet stays locked until the transaction ends.

        :param staged: :class:`StagedMovement` list
        """
        return None

    @tools.ormcache()
    def _ledger_listing_fields(self):
        """The one2many fields, on any model, that list transactions or
        allocations: a movement adds to them.

        :return: tuple of (model name, field name)
        """
        return tuple(
            (model._name, field.name)
            for model in self.env.registry.values()
            for field in model._fields.values()
            if field.type == "one2many"
            and field.comodel_name in ("prepaid.wallet.transaction", "prepaid.wallet.allocation")
        )

    def _movement_needs_booking(self, move_type, allocations, move):
        """Whether the movement still has to be booked in the general ledger."""
        if move_type == "credit":
            # A new lot is booked by its invoice or payment (a bonus or a
            # voucher carries no cash); repaying debt with it moves the debt
            # off the customer's receivable.
            return any(a.get("is_debt_repayment") for a in allocations)
        if move_type == "withdrawal":
            # The credit note or refund books it, at its own rate and amount:
            # any difference with the lot's booked value is left to book.
            return bool(move)
        if move_type in ("expiry", "adjustment"):
            return any(a["kind"] in ("paid", "debt") for a in allocations)
        return bool(allocations)

    def _prepaid_taxes(self, partner=None):
        """Sale taxes of the prepaid credit product for this wallet's customer."""
        self.ensure_one()
        company = self.company_id
        partner = partner or self.partner_id
        product = company.prepaid_product_id.with_company(company)
        fiscal_position = self.env["account.fiscal.position"].with_company(company)._get_fiscal_position(partner)
        return fiscal_position.map_tax(product.taxes_id.filtered(lambda tax: tax.company_id == company))

    def _prepaid_net_from_gross(self, gross, partner=None):
        """The credit (net of VAT) that a payment of ``gross`` buys."""
        self.ensure_one()
        taxes = self._prepaid_taxes(partner)
        if not taxes:
            return self.currency_id.round(gross)
        result = taxes.with_context(force_price_include=True).compute_all(
            gross, currency=self.currency_id, partner=partner or self.partner_id, handle_price_include=True
        )
        return self.currency_id.round(result["total_excluded"])

    # ------------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------------

    @api.model
    def _prepaid_can_commit(self):
        """Tell whether a cron may commit its batch.

        Never while modules are loading (demo data runs inside the install's
        transaction) nor inside a test, however the test runs: Odoo's runner
        sets ``current_test``, an ``HttpCase`` puts the registry in test
        mode, and both Odoo's runner and pytest-odoo mark the thread as
        testing (pytest-odoo sets neither of the other two on Odoo 18).

        :return: True when committing is allowed
        """
        testing = (
            modules.module.current_test
            or self.env.registry.in_test_mode()
            or getattr(threading.current_thread(), "testing", False)
        )
        return not testing and self.env.registry.ready

    @api.model
    def _cron_expire_lots(self, batch_size=None):
        """Expire the lots whose expiry date has passed, in batches.

        Each lot expires through one ``expiry`` transaction keyed on the lot,
        so a rerun after a crash expires every lot exactly once.
        """
        from ..const import EXPIRY_BATCH_SIZE

        batch_size = batch_size or EXPIRY_BATCH_SIZE
        self = self.sudo()
        Lot = self.env["prepaid.credit.lot"]
        today = self._prepaid_today()
        domain = [("state", "=", "open"), ("expiry_date", "!=", False), ("expiry_date", "<=", today)]
        remaining = Lot.search_count(domain)
        done = 0
        skipped = set()
        while True:
            lots = Lot.search(
                domain + [("wallet_id", "not in", list(skipped))], limit=batch_size, order="wallet_id, id"
            )
            if not lots:
                break
            wallets = lock_rows(lots.wallet_id, skip_locked=True)
            skipped.update((lots.wallet_id - wallets).ids)
            for lot in lots.filtered(lambda lot, locked=wallets: lot.wallet_id in locked):
                lot.wallet_id._expire_lot(lot)
                done += 1
            remaining = max(remaining - len(lots), 0)
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            if self.env['prepaid.wallet']._prepaid_can_commit():
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return done

    def _expire_lot(self, lot):
        self.ensure_one()
        if float_is_zero(lot.remaining_amount, precision_rounding=self.currency_id.rounding):
            lot.state = "exhausted"
            return self.env["prepaid.wallet.transaction"]
        env = self._customer_env()
        return self._ledger_apply(
            "expiry",
            lot.remaining_amount,
            f"expiry:lot:{lot.id}",
            lot=lot,
            description=env._("Expiry of %(lot)s", lot=lot.with_env(env).display_name),
            # The credit is lost on its expiry date, whenever the cron runs.
            accounting_date=min(lot.expiry_date, self._prepaid_today()),
        )

    @api.model
    def _get_expiring_soon_domain(self, days=30):
        limit = fields.Date.context_today(self) + timedelta(days=days)
        expiring = [("state", "=", "open"), ("expiry_date", "!=", False), ("expiry_date", "<=", limit)]
        return [("lot_ids", "any", expiring)]

