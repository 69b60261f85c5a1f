# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Render the model to FatturaPA 1.2.3 XML with lxml.

The element order comes from the field order of the model classes, which
follows the schema; number formats follow the schema's lexical patterns.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

from .amounts import complete
from .model import DS_NAMESPACE, NAMESPACE, Invoice, field_specs
from .problems import InvoiceRejected, Problem

_ROOT_TAG = f"{{{NAMESPACE}}}FatturaElettronica"
_NSMAP = {"p": NAMESPACE, "ds": DS_NAMESPACE}

_Q2 = Decimal("0.01")
_Q8 = Decimal("0.00000001")


def format_decimal(value: Decimal, fmt: str | None) -> str:
    """Format ``value`` in the lexical form the schema wants for ``fmt``.

    ``a2`` and ``rate`` always have two decimals. ``a8`` and ``qty`` keep the
    scale of the value between two and eight decimals, so that a unit price
    of 0.12345 stays exact and 12.5 becomes 12.50. ``peso`` has one or two.

    >>> format_decimal(Decimal("12.5"), "a8"), format_decimal(Decimal("0.123456789"), "a8")
    ('12.50', '0.12345679')
    >>> format_decimal(Decimal("22"), "rate")
    '22.00'

    :param value: the number.
    :param fmt: ``a2``, ``rate``, ``a8``, ``qty`` or ``peso``.
    :return: the text to write.
    """
    exponent = value.as_tuple().exponent
    if fmt in ("a8", "qty"):
        if exponent > -2:
            value = value.quantize(_Q2, rounding=ROUND_HALF_UP)
        elif exponent < -8:
            value = value.quantize(_Q8, rounding=ROUND_HALF_UP)
    elif fmt == "peso":
        if exponent > -1 or exponent < -2:
            value = value.quantize(_Q2, rounding=ROUND_HALF_UP)
    else:
        value = value.quantize(_Q2, rounding=ROUND_HALF_UP)
    return format(value, "f")


def _text(value, spec) -> str:
    kind = spec.kind
    if kind == "str":
        return value
    if kind == "dec":
        return format_decimal(value, spec.fmt)
    if kind == "date":
        return value.isoformat() if isinstance(value, date) else str(value)
    return str(value)


def _fill(parent, obj) -> None:
    sub = etree.SubElement
    for spec in field_specs(type(obj)):
        value = getattr(obj, spec.attr)
        if value is None:
            continue
        if spec.tag[0] == "@":
            parent.set(spec.tag[1:], value)
            continue
        values = value if spec.many else (value,)
        if spec.kind == "obj":
            for item in values:
                _fill(sub(parent, spec.tag), item)
        else:
            for item in values:
                sub(parent, spec.tag).text = _text(item, spec)


def to_element(invoice: Invoice) -> etree._Element:
    """Build the XML tree of ``invoice`` as it is, computing nothing.

    :param invoice: the invoice.
    :return: the root element ``p:FatturaElettronica``.
    """
    root = etree.Element(_ROOT_TAG, nsmap=_NSMAP)
    root.set("versione", invoice.header.transmission.format)
    _fill(root, invoice)
    if invoice.signature:
        root.append(etree.fromstring(invoice.signature))
    return root


def to_bytes(root: etree._Element, pretty: bool = True) -> bytes:
    """Serialise a tree as UTF-8 with an XML declaration."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=pretty)


def render(
    invoice: Invoice,
    *,
    force: bool = False,
    validate_schema: bool = True,
    pretty: bool = True,
    exigibility: str = "I",
    fill: bool = True,
    today: date | None = None,
) -> bytes:
    """Render an invoice to FatturaPA XML, refusing what the SdI would reject.

    Computed fields the caller left empty (line numbers and totals, VAT
    summary, document total, payment amounts) are filled first, see
    :func:`fatturapa_bridge.amounts.complete`. Then every SdI check of
    :mod:`fatturapa_bridge.rules` runs on the model, the XML is validated
    against the official XSD and its size against the SdI's limit (00003).

    :param invoice: the invoice; it is not modified.
    :param force: produce the file even when problems were found (not when
        a value cannot be written at all: a control character in a text, a
        value of the wrong type).
    :param validate_schema: run XSD validation (needs the schemas installed).
    :param pretty: indent the XML.
    :param exigibility: EsigibilitaIVA for computed VAT summary rows
        (``S`` for split payment to a public administration).
    :param fill: fill the computed fields; pass ``False`` to render a parsed
        document exactly as it was (a missing optional total stays missing).
    :param today: the day the file reaches the SdI (check 00403), by default
        today in Italy.
    :return: the XML bytes.
    :raises InvoiceRejected: with the full list of problems, unless ``force``.
    """
    from . import rules, validate
    from .parse import SDI_MAX_FILE_SIZE

    kinds, texts = rules.value_problems(invoice)
    if kinds:
        # Nothing can be computed from values of the wrong kind.
        raise InvoiceRejected(kinds + texts)
    completed = complete(invoice, exigibility=exigibility) if fill else invoice
    problems: list[Problem] = texts + rules.check(completed, today=today, values=False)
    if texts:
        # lxml cannot write such a text: refused even with force.
        raise InvoiceRejected(problems)
    root = to_element(completed)
    if validate_schema:
        problems += validate.validate_tree(root)
    data = to_bytes(root, pretty)
    if len(data) > SDI_MAX_FILE_SIZE:
        problems.append(Problem("00003", "", f"the file would have {len(data):,} bytes; the "
                                f"SdI accepts at most {SDI_MAX_FILE_SIZE:,} (5 MB)"))
    if not force and any(p.is_error for p in problems):
        raise InvoiceRejected(problems)
    return data
