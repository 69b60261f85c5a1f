# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Read FatturaPA XML (plain or inside a signed ``.p7m``) into the model.

Parsing is lenient on purpose: it reads files that break the schema (wrong
element order, numbers without decimals, a missing mandatory element) so that
the validator can report *all* their problems. A file that is not XML, not
FatturaPA, or in a version this package does not handle raises
:class:`ParseError` with a one-line message.
"""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from lxml import etree

from .model import DS_NAMESPACE, NAMESPACE, Invoice, field_specs
from .p7m import looks_like_p7m, open_p7m
from .problems import ParseError, UnsupportedVersion

SUPPORTED_FORMATS = ("FPA12", "FPR12")
_SIGNATURE_TAG = f"{{{DS_NAMESPACE}}}Signature"

# No network, no entity expansion (billion laughs), no DTD loading: the
# files come from outside.
# An lxml parser must not be shared between threads (Odoo workers are
# threads): each thread gets its own.
_parsers = threading.local()


def _parser() -> etree.XMLParser:
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
            remove_blank_text=False,
        )
    return parser


def read_bytes(data: bytes) -> bytes:
    """Return the XML bytes of a file, opening a ``.p7m`` envelope if needed.

    :param data: file content: XML, or a DER / Base64 CAdES envelope.
    :return: the XML bytes.
    :raises ParseError: when it is neither.
    """
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] == b"<" or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data
    if looks_like_p7m(data):
        return open_p7m(data).content
    raise ParseError("not an XML document nor a .p7m envelope")


def read_xml(data: bytes | etree._Element) -> etree._Element:
    """Parse bytes (XML or ``.p7m``) into an lxml element.

    :raises ParseError: for anything that is not well-formed XML, with the
        parser's reason (bad encoding, unclosed tag...).
    """
    if isinstance(data, etree._Element):
        return data
    if isinstance(data, str):
        raise TypeError("pass bytes, not str: the XML declaration decides the encoding")
    xml = read_bytes(data)
    try:
        return etree.fromstring(xml, _parser())
    except etree.XMLSyntaxError as exc:
        # lxml messages may span lines (encoding errors add the bytes).
        raise ParseError(f"not well-formed XML: {' '.join(str(exc).split())}") from None


def check_version(root: etree._Element) -> str:
    """Return the transmission format (FPA12/FPR12) of a FatturaPA root.

    :raises UnsupportedVersion: for simplified invoices (FSM10), other
        namespaces or an unknown ``versione``.
    """
    qname = etree.QName(root)
    if qname.localname == "FatturaElettronicaSemplificata":
        raise UnsupportedVersion(
            "simplified invoice (FSM10) is not supported: only FatturaPA 1.2.x FPA12/FPR12"
        )
    if qname.localname != "FatturaElettronica":
        raise ParseError(f"not a FatturaPA invoice: root element is <{qname.localname}>")
    if qname.namespace != NAMESPACE:
        raise UnsupportedVersion(f"unknown FatturaPA namespace {qname.namespace!r}")
    version = root.get("versione")
    if version not in SUPPORTED_FORMATS:
        raise UnsupportedVersion(f"unknown FatturaPA version {version!r} (expected FPA12 or FPR12)")
    return version


def parse_invoice(data: bytes | etree._Element) -> Invoice:
    """Parse a FatturaPA document into an :class:`~fatturapa_bridge.model.Invoice`.

    :param data: XML bytes, ``.p7m`` bytes, or an lxml root element.
    :return: the invoice. Mandatory elements missing from the file are
        ``None`` in the model (validation reports them).
    :raises ParseError: see :func:`read_xml` and :func:`check_version`.
    """
    root = read_xml(data)
    check_version(root)
    invoice = _build(Invoice, root, "FatturaElettronica")
    return invoice


def load(path: str | Path) -> Invoice:
    """Read and parse a file (``.xml`` or ``.xml.p7m``).

    :raises ParseError: also when the file cannot be read.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read {path}: {exc.strerror}") from None
    return parse_invoice(data)


@cache
def _tag_map(cls):
    return {s.tag: s for s in field_specs(cls)}


def _build(cls, element, path):
    specs = _tag_map(cls)
    values: dict = {}
    for name, spec in specs.items():
        if name[0] == "@":
            if element.get(name[1:]) is not None:
                values[spec.attr] = element.get(name[1:])
        elif spec.many:
            values[spec.attr] = []
    counts: dict[str, int] = {}
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue  # comments, processing instructions
        if tag == _SIGNATURE_TAG and cls is Invoice:
            values["signature"] = etree.tostring(child)
            continue
        spec = specs.get(tag)
        if spec is None:
            raise ParseError(f"unexpected element <{etree.QName(child).localname}> in {path}")
        counts[tag] = counts.get(tag, 0) + 1
        sub = f"{path}/{tag}[{counts[tag]}]" if spec.many else f"{path}/{tag}"
        if spec.kind == "obj":
            value = _build(spec.cls, child, sub)
        else:
            value = _scalar(spec, child.text or "", sub)
        if spec.many:
            values[spec.attr].append(value)
        elif spec.attr in values:
            raise ParseError(f"element {sub} appears more than once")
        else:
            values[spec.attr] = value
    for spec in specs.values():
        if spec.required and spec.attr not in values:
            values[spec.attr] = None
    return cls(**values)


def _scalar(spec, text, path):
    kind = spec.kind
    if kind == "str":
        return text
    stripped = text.strip()
    try:
        if kind == "dec":
            value = Decimal(stripped)
            if not value.is_finite():
                raise InvalidOperation
            return value
        if kind == "int":
            return int(stripped)
        if kind == "date":
            # xs:date may carry a time zone; the calendar day is what counts.
            return date.fromisoformat(stripped[:10])
    except (InvalidOperation, ValueError):
        raise ParseError(f"{path}: {text!r} is not a valid {kind}") from None
    return text
