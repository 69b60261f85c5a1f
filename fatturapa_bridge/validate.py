# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""XSD validation returning every problem, and the combined validation of a
file (schema plus SdI checks)."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

from .problems import Problem
from .schema import SCHEMA_LOCK, load_schema

#: The SdI reports schema violations with this code.
SCHEMA_CODE = "00200"

_PREFIX = re.compile(r"/[A-Za-z0-9_]+:")


def _clean_path(path: str | None) -> str:
    # lxml paths start with the prefixed root element; drop it so that the
    # paths read like the SdI checks' ones whatever prefix the sender chose.
    path = _PREFIX.sub("/", path or "").lstrip("/")
    return path.split("/", 1)[1] if "/" in path else path


def _clean_message(message: str) -> str:
    return message.replace("{http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2}", "p:")


def validate_tree(root, kind: str = "invoice") -> list[Problem]:
    """Validate an lxml tree against the official schema.

    :param root: an element or element tree.
    :param kind: ``invoice`` or ``messages``.
    :return: one :class:`Problem` (code ``00200``) per schema violation.
    :raises SchemaNotFound: when the schemas are not installed.
    """
    schema = load_schema(kind)
    # The error log lives on the shared schema: read it before another thread validates.
    with SCHEMA_LOCK:
        if schema.validate(root):
            return []
        errors = list(schema.error_log)
    return [
        Problem(SCHEMA_CODE, _clean_path(e.path), f"line {e.line}: {_clean_message(e.message)}")
        for e in errors
    ]


def validate_bytes(
    data: bytes,
    *,
    name: str | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> list[Problem]:
    """Validate a FatturaPA file's bytes as the SdI would receive them.

    In the SdI's order: the file name when given (00001), the size (00003:
    a larger file is not read at all), the signatures of ``.p7m`` envelopes
    (00102 not intact or not verifying, 00103 no signing time, 00105 signed
    after its receipt, 00100 certificate expired when signing), the XSD
    (00200), then the SdI checks of :mod:`fatturapa_bridge.rules` and 00428.
    Problems from every stage are returned together.

    :param data: the file content (bytes: the XML declaration decides the
        encoding).
    :param name: the file name, to check it against the SdI naming rule.
    :param today: the receipt day for check 00403 (today in Italy).
    :param now: the receipt time for check 00105 (now).
    :return: the problems, empty when the SdI would accept the file.
    :raises ParseError: when the bytes are not a FatturaPA document.
    :raises TypeError: for a ``str`` (text has already lost its encoding).
    """
    from . import rules
    from .naming import parse_file_name
    from .parse import (
        SDI_MAX_FILE_SIZE,
        _require_bytes,
        check_version,
        parse_invoice,
        read_xml,
        unwrap,
    )

    _require_bytes(data, "validate_bytes() data")
    problems: list[Problem] = []
    if name is not None:
        try:
            parse_file_name(name)
        except ValueError:
            problems.append(Problem("00001", "", f"file name {name!r} breaks the SdI rule "
                                    "<country><IdCodice>_<progressive>.xml (or .xml.p7m)"))
    if len(data) > SDI_MAX_FILE_SIZE:
        # The SdI stops here, and so does this check: the file is not read.
        problems.append(Problem("00003", "", f"the file has {len(data):,} bytes; the SdI "
                                f"accepts at most {SDI_MAX_FILE_SIZE:,} (5 MB)"))
        return problems
    xml, envelopes = unwrap(data)
    if envelopes:
        problems += signature_problems(bytes(data), envelopes, now=now)
    root = read_xml(xml)
    check_version(root)  # an FSM10 or unknown file gets that error, not 00200s
    problems += validate_tree(root)
    invoice = parse_invoice(root)
    # 00428: the model keeps one format; the file may disagree with itself.
    trans = invoice.header.transmission if invoice.header else None
    if trans is not None and trans.format != root.get("versione"):
        problems.append(Problem(
            "00428", "FatturaElettronicaHeader/DatiTrasmissione/FormatoTrasmissione",
            f"FormatoTrasmissione {trans.format!r} differs from the root attribute "
            f"versione {root.get('versione')!r}"))
    problems += rules.check(invoice, today=today)
    return problems


def signature_problems(data: bytes, envelopes, *, now: datetime | None = None) -> list[Problem]:
    """The SdI's checks of the signatures of a signed file, one envelope
    after the other (outermost first).

    An envelope only the tolerant BER reader could open (see
    :mod:`fatturapa_bridge.p7m`) gets its digest compared, since its
    signature cannot be verified byte for byte.

    :param data: the file content.
    :param envelopes: the envelopes :func:`fatturapa_bridge.parse.unwrap`
        opened.
    :param now: the receipt time (00105), by default now.
    :return: problems with codes 00100, 00102, 00103, 00105.
    """
    from .signing import SignatureError, verify

    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    problems = []
    layer = data
    for depth, envelope in enumerate(envelopes, 1):
        where = f"envelope {depth}: " if len(envelopes) > 1 else ""
        if envelope.tolerant:
            if envelope.digest == "mismatch":
                problems.append(Problem(
                    "00102", "", f"{where}the signed content does not match the signature's "
                    "digest (file altered after signing)"))
        else:
            try:
                verified = verify(layer)
            except SignatureError as exc:
                problems.append(Problem(exc.code, "", f"{where}{exc}"))
            else:
                if verified.signing_time and verified.signing_time > now:
                    problems.append(Problem(
                        "00105", "", f"{where}signed at {verified.signing_time:%Y-%m-%d %H:%M} "
                        "UTC, later than its receipt"))
        layer = envelope.content
    return problems
