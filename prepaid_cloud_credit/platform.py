# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""What a hosting platform's bridge sends, checked whole before anything is written.

The integration methods of the hosting bridge (``platform_upsert_*``,
``platform_credit_invoices``) take batches of records. Every record of a
batch is checked here first; a malformed batch raises one
:class:`~odoo.exceptions.ValidationError` that lists every problem with the
index of its record, and nothing is written. See ``hosting_bridge/CONTRACT.md``.

A spec maps each key of a record to its kind:

- ``"id"``: a positive whole number (a platform id)
- ``"int"``: a whole number from 0 to 1,000
- ``"text"``: text (``""`` allowed), ``"text?"`` also ``false``
- ``"date"`` / ``"datetime"``: ``YYYY-MM-DD`` / ``YYYY-MM-DD HH:MM:SS`` or ``false``
- ``"amount"``: a decimal number >= 0, ``"amount+"``: > 0 (text, as the contract sends)
- ``"bool"``: ``true`` or ``false``
- a tuple: one of its values
"""

import re
from datetime import datetime

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .const import MAX_MOVEMENT_AMOUNT
from .parsing import has_forbidden_characters, parse_decimal, shown

PLATFORM_CODE = re.compile(r"[a-z0-9_-]{1,32}\Z", re.ASCII)
MAX_PLATFORM_BATCH = 1000
MAX_TEXT = 255
_MAX_ID = 2**31 - 1
# What a sync writes is the platform's record, not a user's: no chatter
# message, tracking or follower for each of thousands of records.
BULK_CONTEXT = {"tracking_disable": True, "mail_create_nolog": True, "mail_create_nosubscribe": True,
                "mail_notrack": True}
# A service of the platform as the bridge sends it (see CONTRACT.md), the
# same record whichever feature takes services of that kind.
SERVICE_STATUSES = ("pending", "active", "suspended", "terminated", "cancelled", "fraud")
SERVICE_SPEC = {
    "id": "id",
    "client_id": "id",
    "product_id": "id",
    "product_name": "text",
    "group_name": "text",
    "status": SERVICE_STATUSES,
    "domain": "text",
    "billing_cycle": "text",
    "recurring_amount": "amount",
    "registration_date": "date",
    "next_due_date": "date",
    "suspension_reason": "text",
}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z", re.ASCII)
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\Z", re.ASCII)


def check_platform_code(env, code):
    """Return ``code``, a platform installation's name, or raise.

    :raise ValidationError: anything but ``[a-z0-9_-]{1,32}``
    """
    if not isinstance(code, str) or not PLATFORM_CODE.match(code):
        raise ValidationError(
            env._(
                "The platform code must be 1 to 32 lowercase letters, digits, dashes or underscores, not %(code)s.",
                code=shown(code),
            )
        )
    return code


def _check_value(env, kind, value):
    """The problem with ``value`` for ``kind``, or None."""
    if isinstance(kind, tuple):
        return None if value in kind else env._(
            "%(value)s is not one of %(values)s", value=shown(value), values=", ".join(map(str, kind))
        )
    if kind == "id":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _MAX_ID:
            return env._("%(value)s is not a positive id", value=shown(value))
        return None
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1000:
            return env._("%(value)s is not a whole number from 0 to 1000", value=shown(value))
        return None
    if kind == "bool":
        return None if isinstance(value, bool) else env._("%(value)s is not true or false", value=shown(value))
    if kind in ("text", "text?"):
        if value is False and kind == "text?":
            return None
        if not isinstance(value, str):
            return env._("%(value)s is not text", value=shown(value))
        if len(value) > MAX_TEXT:
            return env._("the text is longer than %(max)s characters", max=MAX_TEXT)
        if has_forbidden_characters(value):
            return env._("the text holds a NUL or an unpaired surrogate")
        return None
    if kind in ("date", "datetime"):
        if value is False:
            return None
        pattern, shape = (_DATE, "%Y-%m-%d") if kind == "date" else (_DATETIME, "%Y-%m-%d %H:%M:%S")
        try:
            if not isinstance(value, str) or not pattern.match(value):
                raise ValueError(value)
            datetime.strptime(value, shape)
        except ValueError:
            return env._("%(value)s is not a date written %(shape)s", value=shown(value),
                         shape="YYYY-MM-DD" if kind == "date" else "YYYY-MM-DD HH:MM:SS")
        return None
    if kind in ("amount", "amount+"):
        try:
            number = parse_decimal(value)
        except ValidationError:
            return env._("%(value)s is not an amount written with the digits 0-9 and a dot", value=shown(value))
        if number < 0 or (kind == "amount+" and number == 0):
            return env._("the amount %(value)s must be greater than zero", value=shown(value)) if kind == "amount+" \
                else env._("the amount %(value)s is negative", value=shown(value))
        if number > MAX_MOVEMENT_AMOUNT:
            return env._("the amount %(value)s is too large", value=shown(value))
        return None
    raise ValueError(kind)


def validate_batch(env, records, spec, max_size=MAX_PLATFORM_BATCH):
    """Check a whole batch of platform records against ``spec``.

    :param records: what the bridge sent: a list of dicts
    :param spec: key -> kind (see the module's docstring); every key is
        required, the ``id`` key is unique in the batch
    :return: the records, each reduced to the keys of ``spec``, amounts
        written as canonical decimal text
    :raise ValidationError: listing every problem, with the record's index
    """
    if not isinstance(records, (list, tuple)):
        raise ValidationError(env._("The records must be a list."))
    if len(records) > max_size:
        raise ValidationError(
            env._("A batch holds at most %(max)s records, not %(count)s.", max=max_size, count=len(records))
        )
    errors, clean, seen = [], [], set()
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            errors.append(env._("record %(index)s: not a dict", index=index))
            continue
        item = {}
        for key, kind in spec.items():
            if key not in record:
                errors.append(env._("record %(index)s: %(key)s is missing", index=index, key=key))
                continue
            problem = _check_value(env, kind, record[key])
            if problem:
                errors.append(env._("record %(index)s: %(key)s: %(problem)s", index=index, key=key,
                                    problem=problem))
                continue
            value = record[key]
            if kind in ("amount", "amount+"):
                value = str(parse_decimal(value))
            item[key] = value
        if "id" in spec and isinstance(record.get("id"), int):
            if record["id"] in seen:
                errors.append(env._("record %(index)s: the id %(id)s is sent twice", index=index, id=record["id"]))
            seen.add(record["id"])
        clean.append(item)
    if errors:
        raise ValidationError(env._("The batch was refused, nothing was written:\n%(errors)s",
                                    errors="\n".join(errors)))
    return clean


def validate_ids(env, platform_ids, max_size=MAX_PLATFORM_BATCH):
    """Check a list of platform ids (for the ``platform_read_*`` methods)."""
    if not isinstance(platform_ids, (list, tuple)):
        raise ValidationError(env._("The platform ids must be a list."))
    if len(platform_ids) > max_size:
        raise ValidationError(
            env._("At most %(max)s ids a call, not %(count)s.", max=max_size, count=len(platform_ids))
        )
    bad = [shown(i) for i in platform_ids if _check_value(env, "id", i)]
    if bad:
        raise ValidationError(env._("Not platform ids: %(ids)s.", ids=", ".join(bad)))
    return list(platform_ids)


def lock_platform(env, kind, company, platform_code):
    """Serialize the upserts of one kind of records of one platform in one company.

    Two bridges sending the same new record at once would both create it;
    the lock makes the second one wait and then find the first one's record.
    It is held until the end of the transaction (one XML-RPC call).
    """
    env.cr.execute(SQL(
        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
        f"prepaid_platform:{kind}:{company.id}:{platform_code}",
    ))


def client_links(env, platform_code, client_ids):
    """The links of a platform's clients in the caller's company.

    :param client_ids: platform client ids (repeats allowed)
    :return: platform client id -> ``prepaid.platform.client`` (in sudo: the
        callers are the integration methods, which checked the group), for
        the clients known
    """
    # The integration methods checked the caller's group; the links of its company only.
    return {
        link.platform_id: link for link in env["prepaid.platform.client"].sudo().search([
            ("company_id", "=", env.company.id), ("platform_code", "=", platform_code),
            ("platform_id", "in", list(set(client_ids))),
        ])
    }


def service_name(platform_code, record):
    """The name of what a platform service becomes in Odoo: its domain, else
    its product's name, else ``<platform_code>:<id>``.

    :param record: a service validated against :data:`SERVICE_SPEC`
    """
    return record["domain"].strip() or record["product_name"].strip() or f"{platform_code}:{record['id']}"


def result(platform_id, status, record_id=False, error=False, **extra):
    """One record's answer, in the words of the contract."""
    return {"platform_id": platform_id, "status": status, "id": record_id or False, "error": error or False,
            **extra}


def create_with_defaults(model, vals_list):
    """``model.create(vals_list)``, with the default values computed once.

    A first sync creates thousands of records of a kind: Odoo computes the
    defaults of each record on its own (for a partner, a search per record),
    which would be most of the time of a batch. The records get the same
    values as with a plain ``create``.
    """
    if not vals_list:
        return model.browse()
    given = set().union(*vals_list)
    defaults = model.default_get([name for name in model._fields if name not in given])
    for name, value in defaults.items():
        field = model._fields[name]
        if field.type == "many2many" and value and isinstance(value[0], int):
            defaults[name] = [Command.set(value)]
        elif field.type == "one2many" and value and isinstance(value[0], dict):
            defaults[name] = [Command.create(x) for x in value]
    return model.create([{**defaults, **vals} for vals in vals_list])
