# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""XSD validation returning every problem, and the combined validation of a
file (schema plus SdI checks)."""

from __future__ import annotations

import re

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


def validate_bytes(data: bytes) -> list[Problem]:
    """Validate a FatturaPA file's bytes: XSD first, then, if the document
    could be read into the model, the SdI checks.

    ``.p7m`` envelopes are opened first. Problems from both stages are
    returned together.

    :param data: the file content.
    :return: the problems, empty when the SdI would accept the file.
    :raises ParseError: when the bytes are not a FatturaPA document.
    """
    from . import rules
    from .p7m import open_p7m
    from .parse import check_version, parse_invoice, read_bytes, read_xml

    problems: list[Problem] = []
    xml = read_bytes(data)
    if xml is not data:  # it was a .p7m envelope
        if open_p7m(data).digest == "mismatch":
            problems.append(Problem(
                "00102", "", "the signed content does not match the signature's digest "
                "(file altered after signing)"))
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
    problems += rules.check(invoice)
    return problems
