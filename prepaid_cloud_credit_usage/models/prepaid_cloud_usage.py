# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import json
import math
import reprlib
from datetime import datetime, timedelta, timezone

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.sql import create_index

from .prepaid_cloud_meter import MAX_METER_QUANTITY

# Bounds the size of one XML-RPC call and of the error message it may get.
MAX_INGEST_BATCH = 10000
MAX_INGEST_JSON_BYTES = 4 * 1024 * 1024
RECORD_KEYS = ("server", "meter", "hour", "quantity")

# How error messages show what a caller sent: short, escaped, a few levels deep.
_SHOWN = reprlib.Repr()
_SHOWN.maxstring = _SHOWN.maxother = 60
_SHOWN.maxlevel = 2


def _shown_repr(value):
    """``value`` as Python writes it, cut short: control characters and lone
    surrogates escaped, a nested structure shown a few levels deep. An error
    message holding it can always be encoded, logged and sent back."""
    return _SHOWN.repr(value)


def _shown(value):
    """Printable text as it is (cut short), anything else as :func:`_shown_repr`."""
    if isinstance(value, str) and value.isprintable():
        return value if len(value) <= 60 else value[:60] + "..."
    return _shown_repr(value)


def _array_literal(values):
    """A PostgreSQL array as one text literal (``{1,2,3}``), for numbers and
    datetimes that were validated before.

    psycopg2 sends a list as ``ARRAY[...]`` with one cast expression per
    element, which the server parses and plans element by element: for a
    batch of 1,000 records that cost more than inserting them.
    """
    return "{" + ",".join(map(str, values)) + "}"


class PrepaidCloudUsage(models.Model):
    """One hour of one meter of one server.

    Unique per (server, meter, hour) whatever the source. A sample pushed by
    the platform before the daily job derived that hour wins over the
    configuration history (the derivation skips hours that already exist);
    once a record exists, a different value for the same hour is a conflict
    the platform must resolve, never a silent overwrite of what may already
    be billed.
    """

    _name = "prepaid.cloud.usage"
    _description = "Cloud Usage Record"
    _order = "hour desc, server_id, meter_id"
    # 960,000 rows a day: every foreign key costs a trigger per inserted
    # row, so no create_uid/write_uid, and the company comes from the wallet.
    _log_access = False

    server_id = fields.Many2one("prepaid.cloud.server", required=True, ondelete="restrict", readonly=True)
    meter_id = fields.Many2one("prepaid.cloud.meter", required=True, ondelete="restrict", readonly=True)
    # Denormalised from the server at insertion so that rating never has to
    # join 960,000 records back to their servers.
    wallet_id = fields.Many2one("prepaid.wallet", required=True, ondelete="restrict", readonly=True)
    company_id = fields.Many2one(related="wallet_id.company_id")
    partner_id = fields.Many2one(related="wallet_id.partner_id")
    hour = fields.Datetime("Hour (UTC)", required=True, readonly=True, help="Start of the hour, in UTC.")
    quantity = fields.Float(required=True, readonly=True)
    source = fields.Selection(
        [("config", "Configuration history"), ("metered", "Platform sample")], required=True, readonly=True
    )
    statement_id = fields.Many2one("prepaid.cloud.statement", readonly=True, index="btree_not_null")

    _sql_constraints = [
        (
            "server_meter_hour_uniq",
            "UNIQUE(server_id, meter_id, hour)",
            "A server has one usage record per meter and hour.",
        ),
    ]

    def init(self):
        # Rating reads the records not rated yet, per wallet and hour.
        create_index(
            self.env.cr,
            "prepaid_cloud_usage_unrated_idx",
            self._table,
            ["wallet_id", "hour"],
            where="statement_id IS NULL",
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_rated(self):
        if any(usage.statement_id for usage in self):
            raise UserError(_("A usage record that was rated cannot be deleted: its statement was charged."))

    def action_discard(self):
        """Manager: delete usage records not rated yet, e.g. one the platform
        sent by mistake or one that stops the rating of its wallet. Each
        wallet keeps a note of what was discarded, by whom."""
        self.env["prepaid.wallet"]._check_prepaid_group("group_prepaid_manager")
        self.check_access("read")
        # Manager checked above; nobody holds delete rights on usage records.
        records = self.sudo()
        records._unlink_except_rated()
        for wallet in records.wallet_id:
            lines = []
            for usage in records.filtered(lambda u, w=wallet: u.wallet_id == w):
                lines.append(_("%(server)s, %(meter)s, %(hour)s: %(quantity)s", server=usage.server_id.ref,
                               meter=usage.meter_id.code, hour=usage.hour, quantity=usage.quantity))
            if len(lines) > 20:
                lines[20:] = [_("and %(count)s more", count=len(lines) - 20)]
            wallet.message_post(body=_(
                "Usage records discarded by %(user)s before rating: %(records)s",
                user=self.env.user.name, records="; ".join(lines),
            ))
        records.unlink()
        return True

    @api.model
    def ingest(self, records):
        """Store hourly samples pushed by the platform (integration group).

        The batch is validated whole and written whole: any error rejects it
        with the list of every error and its index, and nothing is written. A
        record identical to one already stored is accepted and changes
        nothing, so a platform can resend a batch after a timeout.

        A record is refused when its hour is in the future, before the server
        existed or older than the company's window (*Usage records accepted
        for*), and when its quantity is above the meter's maximum per hour.

        :param records: list of dicts with ``server`` (platform reference),
            ``meter`` (meter code), ``hour`` (start of the hour in UTC,
            ``YYYY-MM-DD HH:00:00`` or ISO 8601 with ``Z``/``+00:00``) and
            ``quantity`` (a finite number, >= 0, up to the meter's maximum);
            or, more compact on the wire, lists ``[server, meter, hour, quantity]``
        :return: dict with ``received``, ``inserted`` and ``unchanged`` counts
        """
        self.env["prepaid.wallet"]._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        if not isinstance(records, (list, tuple)):
            raise ValidationError(_("The usage records must be a list."))
        if len(records) > MAX_INGEST_BATCH:
            raise ValidationError(
                _("A batch holds at most %(max)s records, not %(count)s.", max=MAX_INGEST_BATCH, count=len(records))
            )
        company = self.env.company
        errors = []
        parsed = []
        now = fields.Datetime.now()
        max_age = company.prepaid_usage_max_age_days
        oldest = now - timedelta(days=max_age)
        hours = {}
        for index, record in enumerate(records):
            row = self._ingest_parse(index, record, now, errors, hours, oldest=oldest, max_age=max_age)
            if row:
                parsed.append(row)
        servers, meters = self._ingest_lookup(company, parsed)
        batch = {}
        for index, ref, code, hour, quantity in parsed:
            server = servers.get(ref)
            meter = meters.get(code)
            if not server:
                errors.append((index, _("unknown server %(ref)s", ref=_shown(ref))))
            if not meter:
                errors.append((index, _("unknown meter %(code)s", code=_shown(code))))
            if not server or not meter:
                continue
            server_id, wallet_id, start = server
            meter_id, maximum = meter
            if quantity > maximum:
                errors.append((
                    index,
                    _("the quantity %(quantity)s is above the maximum of %(max)s per hour of the meter %(code)s",
                      quantity=quantity, max=maximum, code=code),
                ))
                continue
            if start and hour < start:
                errors.append((
                    index,
                    _("the hour %(hour)s is before the server %(ref)s existed (%(start)s)",
                      hour=hour, ref=ref, start=start),
                ))
                continue
            key = (server_id, meter_id, hour)
            if key in batch:
                if not self._same_quantity(batch[key][1], quantity):
                    errors.append((
                        index,
                        _(
                            "record %(first)s of this batch has %(first_quantity)s for the same server, meter "
                            "and hour, not %(quantity)s",
                            first=batch[key][0], first_quantity=batch[key][1], quantity=quantity,
                        ),
                    ))
                continue
            batch[key] = (index, quantity, wallet_id)
        if errors:
            # Report the conflicts with stored records too: every error at once.
            errors += self._ingest_conflicts(batch, list(batch))
            raise ValidationError(self._ingest_error_message(errors, len(records)))
        inserted = 0
        if batch:
            # Insert first and check only what was already there: new records
            # (the usual case) cost no extra query. The savepoint takes the
            # insert back if a stored record differs.
            with self.env.cr.savepoint(flush=False):
                inserted = self._ingest_insert(batch)
                if inserted < len(batch):
                    # What this call inserted compares equal to itself.
                    present = list(batch)
                    stored = self._ingest_stored(present)
                    conflicts = self._ingest_conflicts(batch, present, stored)
                    # Stored by a concurrent call after this transaction
                    # began: invisible here, so it cannot be compared.
                    for key in present:
                        if key not in stored:
                            conflicts.append(
                                (batch[key][0], _("stored meanwhile by another call; send the batch again"))
                            )
                    if conflicts:
                        raise ValidationError(self._ingest_error_message(conflicts, len(records)))
        return {"received": len(records), "inserted": inserted, "unchanged": len(records) - inserted}

    @api.model
    def ingest_json(self, payload):
        """Same as :meth:`ingest`, with the records as one JSON text.

        An XML-RPC server spends more time unmarshalling 1,000 XML structs
        than storing them; one string is unmarshalled at once and parsed by
        the C JSON decoder. Validation and result are those of ``ingest``.

        :param payload: JSON array of ``[server, meter, hour, quantity]``
            rows or of objects with those keys
        :return: dict with ``received``, ``inserted`` and ``unchanged`` counts
        """
        self.env["prepaid.wallet"]._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        if not isinstance(payload, str):
            raise ValidationError(_("The usage records must be a JSON text."))
        if len(payload) > MAX_INGEST_JSON_BYTES:
            raise ValidationError(
                _("A JSON batch holds at most %(max)s bytes.", max=MAX_INGEST_JSON_BYTES)
            )
        try:
            records = json.loads(payload)
        except RecursionError:
            # The decoder recurses once per level: thousands of nested arrays
            # exhaust the stack long before the size limit.
            raise ValidationError(
                _("The usage records are nested too deeply: send an array of records, each a flat array or object.")
            ) from None
        except ValueError as error:
            raise ValidationError(
                _("The usage records are not valid JSON: %(error)s", error=_shown(str(error)))
            ) from None
        return self.ingest(records)

    @api.model
    def _same_quantity(self, a, b):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))

    @api.model
    def _ingest_parse(self, index, record, now, errors, hours=None, oldest=None, max_age=None):
        """Check the shape of one record; return (index, ref, code, hour, quantity) or None.

        :param hours: the hours of the batch already parsed, by text: a batch
            holds 1,000 records and some 24 distinct hours
        :param oldest: the oldest hour accepted (``max_age`` days before now)
        """
        if hours is not None and type(record) is list and len(record) == 4:
            # The usual compact row, checked without building a mapping.
            ref, code, text, quantity = record
            hour = hours.get(text) if type(text) is str else None
            if (
                hour and type(ref) is str and type(code) is str and type(quantity) in (float, int)
                and ref.strip() and code.strip() and ref.isprintable() and code.isprintable()
                and 0 <= quantity <= MAX_METER_QUANTITY
            ):
                return (index, ref.strip(), code.strip(), hour, float(quantity))
        if isinstance(record, (list, tuple)) and len(record) == 4:
            # The compact form: half the XML-RPC payload of a struct.
            record = dict(zip(RECORD_KEYS, record, strict=True))
        elif not isinstance(record, dict):
            errors.append((
                index, _("a record must be a mapping with server, meter, hour and quantity, or a list of those four")
            ))
            return None
        ok = True
        ref, code = record.get("server"), record.get("meter")
        if not isinstance(ref, str) or not ref.strip():
            errors.append((index, _("the server reference is missing")))
            ok = False
        elif not ref.isprintable():
            errors.append((
                index, _("the server reference %(ref)s holds a control or invalid character", ref=_shown_repr(ref))
            ))
            ok = False
        if not isinstance(code, str) or not code.strip():
            errors.append((index, _("the meter code is missing")))
            ok = False
        elif not code.isprintable():
            errors.append((
                index, _("the meter code %(code)s holds a control or invalid character", code=_shown_repr(code))
            ))
            ok = False
        text = record.get("hour")
        hour = self._ingest_parse_hour(text)
        if isinstance(hour, str):
            errors.append((index, hour))
            ok = False
        elif hour > now:
            errors.append((index, _("the hour %(hour)s is in the future", hour=_shown(text))))
            ok = False
        elif oldest and hour < oldest:
            errors.append((
                index,
                _("the hour %(hour)s is older than %(days)s days: records that late are no longer accepted",
                  hour=_shown(text), days=max_age),
            ))
            ok = False
        elif hours is not None:
            hours[text] = hour
        quantity = record.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, (int, float)):
            errors.append((index, _("the quantity %(quantity)s is not a number", quantity=_shown_repr(quantity))))
            ok = False
        elif isinstance(quantity, float) and not math.isfinite(quantity):
            errors.append((index, _("the quantity must be a finite number")))
            ok = False
        elif quantity < 0:
            errors.append((index, _("the quantity %(quantity)s is negative", quantity=_shown(quantity))))
            ok = False
        elif quantity > MAX_METER_QUANTITY:
            errors.append((
                index,
                _("the quantity %(quantity)s is above the maximum of any meter (%(max)s per hour)",
                  quantity=_shown(quantity), max=MAX_METER_QUANTITY),
            ))
            ok = False
        extra = [key for key in record if key not in RECORD_KEYS]
        if extra:
            errors.append((index, _("unknown keys %(keys)s", keys=", ".join(sorted(_shown(key) for key in extra[:5])))))
            ok = False
        return (index, ref.strip(), code.strip(), hour, float(quantity)) if ok else None

    @api.model
    def _ingest_parse_hour(self, value):
        """:return: a naive UTC datetime on the hour, or an error message"""
        if not isinstance(value, str):
            return _("the hour %(hour)s is not a date and time", hour=_shown_repr(value))
        text = value.strip()
        if not text.isprintable():
            # fromisoformat() stops reading at a NUL character: refused first.
            return _("the hour %(hour)s holds a control or invalid character", hour=_shown_repr(value))
        try:
            hour = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            return _("the hour %(hour)s is not a date and time (YYYY-MM-DD HH:00:00, UTC)", hour=_shown(value))
        if hour.tzinfo:
            if hour.utcoffset() != timedelta(0):
                return _("the hour %(hour)s must be in UTC", hour=_shown(value))
            hour = hour.astimezone(timezone.utc).replace(tzinfo=None)
        if hour.minute or hour.second or hour.microsecond:
            return _("the hour %(hour)s is not on the hour", hour=_shown(value))
        return hour

    @api.model
    def _ingest_lookup(self, company, parsed):
        """:return: ({ref: (server id, wallet id, first hour)}, {code: (meter id, maximum per hour)})
        in two queries; the first hour of a server is that of its first event"""
        refs = list({row[1] for row in parsed})
        self.env["prepaid.cloud.server"].flush_model(["ref", "company_id", "state", "wallet_id"])
        self.env["prepaid.cloud.server.event"].flush_model(["server_id", "date"])
        self.env["prepaid.cloud.meter"].flush_model(["code", "active", "max_hourly_quantity"])
        self.env.cr.execute(SQL(
            """
            SELECT s.ref, s.id, s.wallet_id,
                   (SELECT date_trunc('hour', MIN(e.date)) FROM prepaid_cloud_server_event e WHERE e.server_id = s.id)
              FROM prepaid_cloud_server s
             WHERE s.company_id = %s AND s.ref = ANY(%s) AND s.state != 'terminated'
            """,
            company.id, refs,
        ))
        servers = {ref: (sid, wallet, start) for ref, sid, wallet, start in self.env.cr.fetchall()}
        self.env.cr.execute("SELECT code, id, max_hourly_quantity FROM prepaid_cloud_meter WHERE active")
        return servers, {code: (mid, maximum) for code, mid, maximum in self.env.cr.fetchall()}

    @api.model
    def _ingest_stored(self, keys):
        """:return: {(server, meter, hour): stored quantity} for the keys already stored"""
        self.env.cr.execute(SQL(
            """
            SELECT u.server_id, u.meter_id, u.hour, u.quantity
              FROM unnest(%s::int[], %s::int[], %s::timestamp[]) AS b(server_id, meter_id, hour)
              JOIN prepaid_cloud_usage u
                ON u.server_id = b.server_id AND u.meter_id = b.meter_id AND u.hour = b.hour
            """,
            _array_literal(k[0] for k in keys), _array_literal(k[1] for k in keys),
            _array_literal(k[2] for k in keys),
        ))
        return {(s, m, h): q for s, m, h, q in self.env.cr.fetchall()}

    @api.model
    def _ingest_conflicts(self, batch, keys, stored=None):
        """:return: errors for the records of ``keys`` stored with another quantity"""
        if not keys:
            return []
        if stored is None:
            stored = self._ingest_stored(keys)
        # Loops, not comprehensions: _() finds the language in its caller's frame.
        conflicts = []
        for key, quantity in stored.items():
            if not self._same_quantity(quantity, batch[key][1]):
                conflicts.append((
                    batch[key][0],
                    _("a different quantity (%(stored)s) is already stored for this server, meter and hour",
                      stored=quantity),
                ))
        return conflicts

    @api.model
    def _ingest_insert(self, batch):
        """:return: how many records were inserted (the others were already stored)"""
        keys = list(batch)
        self.env.cr.execute(SQL(
            """
            INSERT INTO prepaid_cloud_usage
                   (server_id, meter_id, wallet_id, hour, quantity, source)
            SELECT b.server_id, b.meter_id, b.wallet_id, b.hour, b.quantity, 'metered'
              FROM unnest(%(servers)s::int[], %(meters)s::int[], %(hours)s::timestamp[],
                          %(quantities)s::float8[], %(wallets)s::int[])
                   AS b(server_id, meter_id, hour, quantity, wallet_id)
            ON CONFLICT (server_id, meter_id, hour) DO NOTHING
            """,
            servers=_array_literal(k[0] for k in keys),
            meters=_array_literal(k[1] for k in keys),
            hours=_array_literal(k[2] for k in keys),
            quantities=_array_literal(batch[k][1] for k in keys),
            wallets=_array_literal(batch[k][2] for k in keys),
        ))
        return self.env.cr.rowcount

    @api.model
    def _ingest_error_message(self, errors, count):
        lines = []
        for index, error in sorted(errors, key=lambda e: e[0]):
            lines.append(_("Record %(index)s: %(error)s.", index=index, error=error))
        return _(
            "The batch of %(count)s usage records was rejected, nothing was stored:\n%(errors)s",
            count=count,
            errors="\n".join(lines),
        )
