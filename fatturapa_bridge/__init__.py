# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""FatturaPA 1.2.3 for Python: model, rendering, validation, text cleaning,
signing, parsing, file names and SdI receipts. Pure Python; it never imports
Odoo.

Typical use::

    from fatturapa_bridge import clean, render, parse_invoice, check
    invoice, notes = clean(invoice)  # texts the SdI accepts, and what changed
    xml = render(invoice)            # raises InvoiceRejected with all problems
    invoice = parse_invoice(data)    # XML or .xml.p7m bytes

Signing is in :mod:`fatturapa_bridge.signing` (it loads ``cryptography``).
"""

from .amounts import complete
from .clean import clean
from .model import Invoice, from_dict, to_dict
from .parse import load, parse_invoice
from .problems import (
    FatturaPAError,
    InvoiceRejected,
    ParseError,
    Problem,
    SchemaNotFound,
    UnsupportedVersion,
)
from .render import render
from .rules import check
from .validate import validate_bytes, validate_tree

__all__ = [
    "FatturaPAError",
    "Invoice",
    "InvoiceRejected",
    "ParseError",
    "Problem",
    "SchemaNotFound",
    "UnsupportedVersion",
    "check",
    "clean",
    "complete",
    "from_dict",
    "load",
    "parse_invoice",
    "render",
    "to_dict",
    "validate_bytes",
    "validate_tree",
]
