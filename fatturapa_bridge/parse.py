# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Read FatturaPA XML (plain or inside a signed ``.p7m``) into the model.

Parsing is lenient on purpose: it reads files that break the schema (wrong
element order, numbers without decimals, a missing mandatory element) so that
the validator can report *all* their problems. A file that is not XML, not
FatturaPA, or in a version this package does not handle raises
:class:`ParseError` with a one-line message; so does a document with a DTD
(entities are never expanded, and a value is never dropped silently), a
UTF-16 text without a byte order mark, and a file larger than
:data:`MAX_PARSE_SIZE`, which is refused before anything is built from it.
"""

from __future__ import annotations

import re
import threading
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from lxml import etree

from .model import DS_NAMESPACE, NAMESPACE, Invoice, field_specs
from .p7m import Envelope, looks_like_p7m, open_p7m
from .problems import ParseError, UnsupportedVersion

SUPPORTED_FORMATS = ("FPA12", "FPR12")
_SIGNATURE_TAG = f"{{{DS_NAMESPACE}}}Signature"

#: The largest file the SdI accepts (check 00003): 5 MB.
SDI_MAX_FILE_SIZE = 5 * 1024 * 1024
#: Files above this size are not parsed at all, so that memory stays
#: bounded whatever arrives; twice the SdI limit leaves room for the
#: Base64 form of a signed file.
MAX_PARSE_SIZE = 2 * SDI_MAX_FILE_SIZE

# Amounts and rates as the schema writes them (with some leniency: any
# number of decimals, a sign), never exponents or absurd lengths, which
# would only make the checks' arithmetic fail later.
_DECIMAL = re.compile(r"[+-]?\d{1,18}(\.\d{1,20})?|[+-]?\.\d{1,20}")
_DOCTYPE_MARKS = tuple(
    mark.encode(codec) for mark in ("<!DOCTYPE", "<!ENTITY")
    for codec in ("utf-8", "utf-16-le", "utf-16-be")
)

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


def _require_bytes(data, what: str = "the file content") -> None:
    if isinstance(data, str):
        raise TypeError(f"{what} must be bytes, not str: read the file in binary mode "
                        "(the XML declaration decides the encoding) or encode the text "
                        "as UTF-8 first")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"{what} must be bytes, not {type(data).__name__}")


def unwrap(data: bytes) -> tuple[bytes, list[Envelope]]:
    """Return the XML bytes of a file and the ``.p7m`` envelopes opened to
    reach them, outermost first (a file signed twice has two).

    Envelopes nest to any depth; each one is opened in a loop, never by
    recursion, and each level is strictly smaller than the one holding it.

    :param data: file content: XML, or a DER / Base64 CAdES envelope.
    :return: ``(xml, envelopes)``.
    :raises ParseError: when it is neither, or too large to read.
    :raises TypeError: for a ``str`` (text has already lost its encoding).
    """
    _require_bytes(data)
    data = bytes(data)
    if len(data) > MAX_PARSE_SIZE:
        raise ParseError(f"file of {len(data):,} bytes is over {MAX_PARSE_SIZE:,} bytes: not "
                         f"read (the SdI accepts at most {SDI_MAX_FILE_SIZE:,}, check 00003)")
    envelopes: list[Envelope] = []
    while True:
        head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
        if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return data, envelopes
        if head[:2] in (b"<\x00", b"\x00<"):
            raise ParseError("UTF-16 text without a byte order mark (BOM): the encoding cannot "
                             "be told; save the file as UTF-8, or as UTF-16 with a BOM")
        if head[:1] == b"<":
            return data, envelopes
        if not looks_like_p7m(data):
            kind = "an empty file" if not data.strip() else "not an XML document"
            raise ParseError(f"{kind}: not an XML document nor a .p7m envelope")
        envelope = open_p7m(data)
        envelopes.append(envelope)
        data = envelope.content


def read_bytes(data: bytes) -> bytes:
    """Return the XML bytes of a file, opening ``.p7m`` envelopes if needed
    (see :func:`unwrap`).

    :param data: file content: XML, or a DER / Base64 CAdES envelope.
    :return: the XML bytes.
    :raises ParseError: when it is neither.
    """
    return unwrap(data)[0]


def read_xml(data: bytes | etree._Element) -> etree._Element:
    """Parse bytes (XML or ``.p7m``) into an lxml element.

    :raises ParseError: for anything that is not well-formed XML, with the
        parser's reason (bad encoding, unclosed tag...), and for a document
        with a DTD or entities, which FatturaPA files never have.
    :raises TypeError: for a ``str`` instead of bytes.
    """
    if isinstance(data, etree._Element):
        return data
    xml = read_bytes(data)
    try:
        root = etree.fromstring(xml, _parser())
    except etree.XMLSyntaxError as exc:
        if any(mark in xml for mark in _DOCTYPE_MARKS):
            raise ParseError(f"the document declares a DTD or entities, which FatturaPA files "
                             f"never have: refused ({' '.join(str(exc).split())})") from None
        # lxml messages may span lines (encoding errors add the bytes).
        raise ParseError(f"not well-formed XML: {' '.join(str(exc).split())}") from None
    _refuse_dtd(root)
    return root


def _refuse_dtd(root: etree._Element) -> None:
    info = root.getroottree().docinfo
    dtd = info.internalDTD
    entities = list(dtd.entities()) if dtd is not None else []
    external = [e for e in entities if e.system_url]
    if external:
        entity = external[0]
        raise ParseError(f"the document declares the external entity {entity.name!r} "
                         f"({entity.system_url}): external entities are refused, never read")
    if entities:
        raise ParseError(f"the document declares the entity {entities[0].name!r}: FatturaPA "
                         "files have no DTD and entities are never expanded")
    if info.doctype or dtd is not None:
        where = f" ({info.system_url})" if info.system_url else ""
        raise ParseError(f"the document has a DTD{where}: FatturaPA files have none; refused")


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

    :raises ParseError: also when the file cannot be read or is too large
        to be read (:data:`MAX_PARSE_SIZE`).
    """
    try:
        size = Path(path).stat().st_size
        if size > MAX_PARSE_SIZE:
            # Looked at before reading: a huge file never reaches memory.
            raise ParseError(f"{path}: {size:,} bytes, over {MAX_PARSE_SIZE:,}: not read (the "
                             f"SdI accepts at most {SDI_MAX_FILE_SIZE:,}, check 00003)")
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
            if not _DECIMAL.fullmatch(stripped):
                raise InvalidOperation
            return Decimal(stripped)
        if kind == "int":
            return int(stripped)
        if kind == "date":
            # xs:date may carry a time zone; the calendar day is what counts.
            return date.fromisoformat(stripped[:10])
    except (InvalidOperation, ValueError):
        kind = {"dec": "number", "int": "integer"}.get(kind, kind)
        raise ParseError(f"{path}: {text[:40]!r} is not a valid {kind}") from None
    return text
