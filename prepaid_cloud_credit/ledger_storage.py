# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The ledger's storage: every SQL statement of a money movement, in one place.

The business rules live in ``prepaid.wallet`` (``_ledger_apply`` and the
``_prepare_*_movement`` methods); this module only locks, reads and writes
rows. A movement is two statements: :meth:`LedgerStorage.lock` locks the
wallet row and reads what the rules need in the same round trip,
:meth:`LedgerStorage.write_movements` writes the lots, the transaction, its
allocations and the wallet's balances in one statement (the movements of a
batch, of many wallets, together in the same one). The ORM is then told
what changed through its public API (``invalidate_*``, ``modified``).

A statement's text depends only on its shape (the columns it writes, the
values features read along), so it is composed once per shape and process
(:class:`_Text`); each movement only gathers its values (:class:`_Params`).

Statements are plain parameterised statements. When the system parameter
:data:`PREPARE_PARAM` is set, each is prepared once per database session
(``PREPARE``) and then only executed: planning is a good part of a small
statement's cost. A pooler in transaction mode (PgBouncer's
``pool_mode = transaction``) between Odoo and PostgreSQL hands each
transaction another server session, where the statement does not exist:
leave the parameter unset there.

:func:`lock_rows` is the one row-locking helper of the addons.
"""

import hashlib
from typing import NamedTuple

from odoo.tools import SQL

#: ``ir.config_parameter`` that turns on prepared statements for the ledger.
PREPARE_PARAM = "prepaid_cloud_credit.ledger_prepare"

# Columns the ORM writes itself on every row.
_LOG_COLUMNS = ("create_uid", "create_date", "write_uid", "write_date")


def lock_rows(records, *, skip_locked=False, nowait=False):
    """Lock the rows of ``records`` until the end of the transaction.

    ``SELECT ... FOR NO KEY UPDATE`` in id order (so two callers locking
    overlapping sets never deadlock): rows that reference the locked ones
    (``FOREIGN KEY`` checks take ``KEY SHARE``) can still be inserted.
    Pending writes of the records go to the database first and their cache
    is dropped afterwards, so what is read next is what the lock protects.

    Under Odoo's ``REPEATABLE READ``, a row changed by a transaction that
    committed while this one waited raises a serialization failure, which
    Odoo's request layer replays; such an expected failure is not logged as
    a bad query.

    :param records: the recordset to lock (any model)
    :param skip_locked: leave out the rows another transaction holds (crons,
        queues) instead of waiting
    :param nowait: fail at once (``LockNotAvailable``) instead of waiting
    :return: the records locked (all of them unless ``skip_locked``)
    """
    if not records:
        return records
    records.flush_recordset()
    query = SQL(
        "SELECT id FROM %s WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE%s",
        SQL.identifier(records._table),
        sorted(records.ids),
        SQL(" SKIP LOCKED") if skip_locked else SQL(" NOWAIT") if nowait else SQL(),
    )
    records.env.cr.execute(query, log_exceptions=False)
    locked = records.browse([row[0] for row in records.env.cr.fetchall()]) if skip_locked else records
    locked.invalidate_recordset()
    return locked


class _Slot:
    """The place of one value in the text of a statement: the text is built
    once per shape with these in place of the values (see :class:`_Text`)."""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index


class _Params:
    """The values of one statement, in the order they are added, and their
    placeholders in its text.

    Calling it adds a value and returns its placeholder, the way a hook that
    adds to a statement (``_ledger_lock_reads``) uses it.
    """

    def __init__(self):
        self.values = []
        self.casts = []

    def add(self, value, cast=None):
        """Add ``value`` and return its index.

        :param cast: PostgreSQL type name the value is cast to (for arrays
            and values whose type the statement does not tell)
        """
        self.values.append(value)
        self.casts.append(cast)
        return len(self.values) - 1

    def sql(self, index):
        """The SQL of the placeholder of the value at ``index``."""
        term = SQL("%s", _Slot(index))
        cast = self.casts[index]
        return SQL("%s::%s", term, SQL(cast)) if cast else term

    def __call__(self, value, cast=None):
        """Add ``value`` and return the SQL of its placeholder."""
        return self.sql(self.add(value, cast))


class _Text(NamedTuple):
    """The text of a statement of one shape, built once per process: the
    statements of a debit differ only by their values, and composing their
    SQL was a good part of a debit's time."""

    #: plain form, a ``%s`` per placeholder
    code: str
    #: the index of the value of each ``%s`` of ``code``, in order
    order: tuple
    #: name of the prepared form
    name: str
    #: prepared form, ``$n`` for the value at index n - 1
    body: SQL

    @classmethod
    def of(cls, sql):
        """The text of ``sql``, built with :class:`_Params` placeholders."""
        order = _slot_indexes(sql)
        body = SQL(sql.code, *(SQL(f"${index + 1}") for index in order))
        name = "prepaid_ledger_" + hashlib.sha1(body.code.encode()).hexdigest()[:16]
        return cls(sql.code, order, name, body)


def _slot_indexes(sql):
    """The indexes of the values of ``sql``'s placeholders, in order."""
    slots = sql.params
    if not all(isinstance(slot, _Slot) for slot in slots):
        raise TypeError("Every value of a ledger statement is added through its param() factory.")
    return tuple(slot.index for slot in slots)


#: {shape: _Text}: the statements' texts, a handful (one per set of columns)
_TEXTS = {}
_TEXTS_MAX = 256


class LedgerStorage:
    """The statements of the ledger for one environment.

    :param env: the environment (its cursor runs the statements)
    """

    def __init__(self, env):
        self.env = env
        self.cr = env.cr

    # ------------------------------------------------------------------
    # Execution
    # ------------------------------------------------------------------

    def prepared(self):
        """Whether the statements are prepared (see :data:`PREPARE_PARAM`)."""
        # Read by the ledger, whoever moves money: it is a technical setting.
        value = self.env["ir.config_parameter"].sudo().get_param(PREPARE_PARAM, "")
        return value.strip().lower() in ("1", "true", "yes")

    def execute(self, shape, params, build):
        """Run a statement and return its rows.

        :param shape: hashable that, with the order the values were added
            to ``params``, determines the statement's text: the text is
            built once per shape and process
        :param params: :class:`_Params` holding the statement's values
        :param build: callable returning the statement's
            :class:`~odoo.tools.SQL` with the placeholders of ``params``,
            called when the shape is new
        """
        text = _TEXTS.get(shape)
        if text is None:
            if len(_TEXTS) >= _TEXTS_MAX:
                _TEXTS.clear()
            text = _TEXTS[shape] = _Text.of(build())
        values = params.values
        if not self.prepared():
            self.cr.execute(text.code, [values[index] for index in text.order], log_exceptions=False)
            return self.cr.fetchall()
        # Odoo's pool resets a connection (DISCARD ALL) before lending it
        # again, so what a cursor prepared is remembered on the cursor.
        known = self.cr.cache.setdefault("prepaid_ledger_statements", set())
        execute = SQL(
            "EXECUTE %s%s",
            SQL.identifier(text.name),
            SQL("(%s)", SQL(", ").join(SQL("%s", value) for value in values)) if values else SQL(),
        )
        if text.name not in known:
            # An error of the EXECUTE would not take back the PREPARE sent
            # in the same round trip: ask the server what it holds.
            self.cr.execute(SQL("SELECT 1 FROM pg_prepared_statements WHERE name = %s", text.name))
            if not self.cr.fetchone():
                execute = SQL("PREPARE %s AS %s; %s", SQL.identifier(text.name), text.body, execute)
            known.add(text.name)
        try:
            self.cr.execute(execute, log_exceptions=False)
        except Exception:
            known.discard(text.name)
            raise
        return self.cr.fetchall()

    # ------------------------------------------------------------------
    # Columns
    # ------------------------------------------------------------------

    def insert_columns(self, model, values):
        """The columns of a row of ``model`` written by the ledger, and their values.

        Every stored column of the model: the ones in ``values``, then every
        other one that has a default, in the code or set by a user
        (``ir.default``): a field another module adds with a default is
        written too, as ``create`` would write it.

        :param model: the model (empty recordset)
        :param values: {field name: value} the ledger computed
        :return: {column name: value}
        """
        columns = dict(values)
        # Defaults set by users (ir.default) as well as in the code.
        user_defaults = self.env["ir.default"]._get_model_defaults(model._name)
        missing = [
            name for name, field in model._fields.items()
            if field.store and field.column_type and name not in columns
            and name not in _LOG_COLUMNS and name != "id"
            and (field.default is not None or name in user_defaults)
        ]
        if missing:
            defaults = model.default_get(missing)
            for name, value in defaults.items():
                field = model._fields[name]
                columns[name] = field.convert_to_column_insert(field.convert_to_cache(value, model), model)
        return columns

    # ------------------------------------------------------------------
    # The two statements of a movement
    # ------------------------------------------------------------------

    def lock(self, wallets, wallet_columns, reads, key=None):
        """Lock the wallet rows (``FOR NO KEY UPDATE``, in id order, as
        :func:`lock_rows` does) and read, in the same round trip, their
        ``wallet_columns``, their open lots and, for a single movement, the
        id of the transaction holding ``key``. A batch locks all its
        wallets with one statement.

        :param wallets: ``prepaid.wallet`` records
        :param wallet_columns: names of wallet columns to read
        :param reads: callable taking the placeholder factory and returning
            {name: SQL expression on the wallet row ``w``} read along
        :param key: the idempotency key of the movement, or None (a batch
            looks its keys up at once)
        :return: {wallet id: dict of the wallet columns, ``existing``
            (transaction id or None), ``lots`` (list of [id, kind, remaining
            amount, expiry date, original amount, booked amount, booked
            balance] in order of expiry then age) and the values of
            ``reads``}; a wallet that does not exist is left out
        """
        params = _Params()
        extra = reads(params)
        key_index = params.add(key, "varchar") if key is not None else None
        ids_index = params.add(sorted(wallets.ids), "int4[]")
        shape = (
            "lock", tuple(wallet_columns), key_index, ids_index,
            tuple((name, expression.code, _slot_indexes(expression)) for name, expression in extra.items()),
        )

        def build():
            terms = [SQL.identifier("w", "id")]
            terms.extend(SQL.identifier("w", name) for name in wallet_columns)
            terms.append(SQL(
                "(SELECT t.id FROM prepaid_wallet_transaction t WHERE t.idempotency_key = %s)", params.sql(key_index)
            ) if key_index is not None else SQL("NULL::int4"))
            terms.append(SQL(
                """
                (SELECT json_agg(json_build_array(l.id, l.kind, l.remaining_amount, l.expiry_date,
                                                  l.original_amount, l.booked_amount, l.booked_balance)
                                 ORDER BY l.expiry_date ASC NULLS LAST, l.create_date ASC, l.id ASC)
                   FROM prepaid_credit_lot l WHERE l.wallet_id = w.id AND l.state = 'open')
                """
            ))
            terms.extend(extra.values())
            # The rows are locked first, in id order (the CTE is run once,
            # whole, as it locks), then read with what the rules need.
            return SQL(
                """
                WITH locked AS (
                    SELECT id FROM prepaid_wallet WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE
                )
                SELECT %s FROM locked JOIN prepaid_wallet w ON w.id = locked.id ORDER BY w.id
                """,
                params.sql(ids_index),
                SQL(", ").join(terms),
            )

        locked = {}
        for row in self.execute(shape, params, build):
            wallet_id, *values = row
            result = dict(zip(wallet_columns, values, strict=False))
            values = values[len(wallet_columns):]
            result["existing"], result["lots"] = values[0], values[1] or []
            result.update(zip(extra, values[2:], strict=True))
            locked[wallet_id] = result
        return locked

    def write_movements(self, transactions, allocations, lot_updates, wallet_balances):
        """Write movements in one statement: the lots they change, the
        wallets' balances, the transactions and their allocations. A single
        movement is a batch of one; a batch of many sends the same statement.

        :param transactions: {field name: value} of each transaction, in
            order, every one with the same fields and its own
            ``idempotency_key``; fields with a default that are not given
            get it (:meth:`insert_columns`)
        :param allocations: for each transaction, the dicts of its
            allocations (``lot_id``, ``kind``, ``amount`` and the other
            columns of an allocation); the wallet, company and currency are
            the transaction's
        :param lot_updates: (lot id, remaining amount, state) of the lots
            changed, one per lot
        :param wallet_balances: {wallet id: {field name: new balance}}, the
            same fields for every wallet
        :return: the ids of the new transactions, in the order given
        """
        Tx = self.env["prepaid.wallet.transaction"]
        Allocation = self.env["prepaid.wallet.allocation"]
        tx_columns = self.insert_columns(Tx, transactions[0])
        # Per-row columns of the transactions and the allocations, with
        # their array types; every other column with a default gets it. A
        # column the ledger leaves empty on every row (a debit has no
        # refund, product nor document) stays out of the statement: it is
        # NULL all the same, with one array less to send and unpack.
        tx_arrays = {}
        for name, default in tx_columns.items():
            values = [row.get(name, default) for row in transactions]
            if name not in transactions[0] or any(value is not None for value in values):
                tx_arrays[name] = (f"{Tx._fields[name].column_type[1]}[]", values)
        rows = [(tx["idempotency_key"], alloc) for tx, allocs in zip(transactions, allocations, strict=True)
                for alloc in allocs]
        alloc_columns = {
            "lot_id": ("int4[]", [a["lot_id"] or None for _key, a in rows]),
            "kind": ("varchar[]", [a["kind"] for _key, a in rows]),
            "amount": ("numeric[]", [a["amount"] for _key, a in rows]),
            "booked_amount": ("numeric[]", [a.get("booked_amount") for _key, a in rows]),
            "booked_balance": ("numeric[]", [a.get("booked_balance") for _key, a in rows]),
            "is_debt_repayment": ("bool[]", [bool(a.get("is_debt_repayment")) for _key, a in rows]),
            "is_creation": ("bool[]", [bool(a.get("is_creation")) for _key, a in rows]),
            "origin_allocation_id": ("int4[]", [a.get("origin_allocation_id") or None for _key, a in rows]),
        }
        alloc_arrays = {
            name: column for name, column in alloc_columns.items()
            if name in ("lot_id", "kind", "amount") or any(value is not None for value in column[1])
        }
        from_tx = ("wallet_id", "company_id", "currency_id")
        alloc_constants = {
            name: value for name, value in self.insert_columns(Allocation, {}).items()
            if name not in alloc_columns and name not in from_tx and name != "transaction_id"
        }
        wallet_ids = list(wallet_balances)
        balance_names = list(wallet_balances[wallet_ids[0]])
        alloc_casts = {name: Allocation._fields[name].column_type[1] for name in alloc_constants}

        # The values, in a fixed order: with the columns, they make the shape.
        params = _Params()
        uid = params.add(self.env.uid, "int4")
        lot_ids = params.add([lot[0] for lot in lot_updates], "int4[]")
        lot_remaining = params.add([lot[1] for lot in lot_updates], "numeric[]")
        lot_states = params.add([lot[2] for lot in lot_updates], "varchar[]")
        wallet_index = params.add(wallet_ids, "int4[]")
        balances = [
            params.add([wallet_balances[wallet_id][name] for wallet_id in wallet_ids], "numeric[]")
            for name in balance_names
        ]
        tx_values = [params.add(values, cast) for cast, values in tx_arrays.values()]
        alloc_constant_values = [params.add(value, alloc_casts[name]) for name, value in alloc_constants.items()]
        alloc_keys = params.add([key for key, _alloc in rows], "varchar[]")
        alloc_values = [params.add(values, cast) for cast, values in alloc_arrays.values()]
        shape = (
            "write", tuple(balance_names),
            tuple((name, cast) for name, (cast, _values) in tx_arrays.items()),
            tuple((name, cast) for name, (cast, _values) in alloc_arrays.items()),
            tuple(alloc_casts.items()),
        )

        def names(columns):
            return SQL(", ").join(SQL.identifier(name) for name in columns)

        def placeholders(indexes):
            return SQL(", ").join(params.sql(index) for index in indexes)

        def build():
            now = SQL("(now() AT TIME ZONE 'UTC')")
            log_values = SQL("%s, %s, %s, %s", params.sql(uid), now, params.sql(uid), now)
            return SQL(
                """
                WITH lots AS (
                    UPDATE prepaid_credit_lot l
                       SET remaining_amount = u.remaining_amount, state = u.state,
                           write_uid = %(uid)s, write_date = %(now)s
                      FROM unnest(%(lot_ids)s, %(lot_remaining)s, %(lot_states)s) AS u(id, remaining_amount, state)
                     WHERE l.id = u.id
                ), wallets AS (
                    UPDATE prepaid_wallet w SET %(balances)s, write_uid = %(uid)s, write_date = %(now)s
                      FROM unnest(%(wallet_ids)s, %(balance_arrays)s) AS u(id, %(balance_names)s)
                     WHERE w.id = u.id
                ), tx AS (
                    INSERT INTO prepaid_wallet_transaction (%(tx_names)s, %(log_names)s)
                    SELECT %(tx_values)s, %(log_values)s
                      FROM unnest(%(tx_arrays)s) WITH ORDINALITY AS t(%(tx_names)s, position)
                  ORDER BY t.position
                    RETURNING id, idempotency_key, wallet_id, company_id, currency_id
                ), allocations AS (
                    INSERT INTO prepaid_wallet_allocation
                           (transaction_id, wallet_id, company_id, currency_id, %(alloc_names)s, %(log_names)s)
                    SELECT tx.id, tx.wallet_id, tx.company_id, tx.currency_id, %(alloc_values)s, %(log_values)s
                      FROM unnest(%(alloc_keys)s, %(alloc_arrays)s)
                           WITH ORDINALITY AS a(tx_key, %(array_names)s, position)
                      JOIN tx ON tx.idempotency_key = a.tx_key
                  ORDER BY a.position
                )
                SELECT tx.id, tx.idempotency_key FROM tx
                """,
                uid=params.sql(uid),
                now=now,
                lot_ids=params.sql(lot_ids),
                lot_remaining=params.sql(lot_remaining),
                lot_states=params.sql(lot_states),
                wallet_ids=params.sql(wallet_index),
                balance_arrays=placeholders(balances),
                balance_names=names(balance_names),
                balances=SQL(", ").join(
                    SQL("%s = %s", SQL.identifier(name), SQL.identifier("u", name)) for name in balance_names
                ),
                tx_names=names(tx_arrays),
                tx_values=SQL(", ").join(SQL.identifier("t", name) for name in tx_arrays),
                tx_arrays=placeholders(tx_values),
                log_names=names(_LOG_COLUMNS),
                log_values=log_values,
                alloc_names=names([*alloc_arrays, *alloc_constants]),
                alloc_values=SQL(", ").join(
                    [SQL.identifier("a", name) for name in alloc_arrays]
                    + [params.sql(index) for index in alloc_constant_values]
                ),
                alloc_keys=params.sql(alloc_keys),
                alloc_arrays=placeholders(alloc_values),
                array_names=names(alloc_arrays),
            )

        ids = {key: tx_id for tx_id, key in self.execute(shape, params, build)}
        return [ids[tx["idempotency_key"]] for tx in transactions]
