# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""What callers send, checked before anything else reads it.

Text may hold neither NUL (PostgreSQL refuses it in text columns) nor a lone
surrogate (it cannot be encoded in UTF-8): either would surface as a raw
database or encoding error. Numbers are written with the plain decimal
digits 0-9, an optional sign and an optional dot: Python's own parsers also
accept digit group separators (``9_50`` is 950), other scripts' digits
(``١٠`` is 10), superscripts, exponents and ``nan``, none of which a customer
or a platform means as an amount.
"""

import math
import re
import sys
from decimal import Decimal

from odoo import api
from odoo.exceptions import ValidationError
from odoo.tools.translate import get_translation

_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
_WHOLE = re.compile(r"[0-9]+", re.ASCII)
# What an error message repeats of a caller's value.
_SHOWN_LENGTH = 40


def _(source, **params):
    """Return ``source`` translated into the language of the nearest caller
    that is a model method (or of the request), else in English.

    Odoo's own ``_()`` reads the language from its immediate caller only,
    and these checks are plain functions called from model methods, crons
    and controllers: there it would find no language, log a warning and
    leave the message in English. Named ``_`` so that the terms are exported.
    """
    frame = sys._getframe(1)
    while frame is not None:
        env = getattr(frame.f_locals.get("self"), "env", None)
        if isinstance(env, api.Environment):
            return env._(source, **params)
        frame = frame.f_back
    from odoo.http import request  # noqa: PLC0415 - only where a request is served

    # Outside a request the proxy is false, so its env is never read unbound.
    if request and request.env is not None:
        return request.env._(source, **params)
    return get_translation("prepaid_cloud_credit", "en_US", source, params)


def shown(value):
    """``value`` as an error message may repeat it: short, without the
    characters that could not be stored or encoded."""
    text = value if isinstance(value, str) else repr(value)
    text = _FORBIDDEN.sub("\ufffd", text)
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 1] + "…"


def has_forbidden_characters(value):
    """Whether ``value`` is text holding a NUL or a lone surrogate."""
    return isinstance(value, str) and bool(_FORBIDDEN.search(value))


def check_text(value, label):
    """Return ``value`` unchanged, or raise when it is text that cannot be stored.

    :param value: what the caller sent (only text is checked)
    :param label: the translated name of the value, for the message
    :raise ValidationError: the text holds a NUL or a lone surrogate
    """
    if has_forbidden_characters(value):
        raise ValidationError(
            _(
                "%(field)s contains a character that is not allowed (a NUL or an unpaired surrogate).",
                field=label,
            )
        )
    return value


def parse_decimal(value):
    """A caller's number as a :class:`~decimal.Decimal`.

    Accepts integers, finite floats, decimals and text of plain decimal
    digits with an optional sign and dot (surrounding spaces ignored).

    :raise ValidationError: booleans, other types, text written any other
        way, NaN and infinities
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValidationError(_("The amount must be a number."))
    if isinstance(value, str):
        text = value.strip()
        if not _DECIMAL.fullmatch(text):
            raise ValidationError(
                _(
                    "The amount %(amount)s is not a number written with the digits 0-9 and a dot.",
                    amount=shown(value),
                )
            )
        return Decimal(text)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(_("The amount must be a finite number."))
        # repr gives the shortest text that reads back as the same float.
        return Decimal(repr(value))
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValidationError(_("The amount must be a finite number."))
    return Decimal(value)


def parse_whole(value, label):
    """A caller's whole number (an id, a number of years).

    :param label: the translated name of the value, for the message
    :raise ValidationError: anything but an integer or text of the digits 0-9
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        return int(value.strip())
    raise ValidationError(
        _(
            "%(field)s must be a whole number written with the digits 0-9, not %(value)s.",
            field=label,
            value=shown(value),
        )
    )
