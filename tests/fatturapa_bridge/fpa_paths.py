# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Where the shared FatturaPA data is, and helpers to compare XML trees.

A module of its own (not conftest) so that the tests import it by a name
no other test folder uses."""

import os
import sys
from pathlib import Path

from lxml import etree

REPO_ROOT = Path(__file__).resolve().parents[2]


def _shared_dir() -> Path:
    # FATTURAPA_SHARED_DIR wins; otherwise the nearest ``shared/fatturapa``
    # above the repository, so that a git worktree nested one level deeper
    # than the main checkout finds the same data.
    if os.environ.get("FATTURAPA_SHARED_DIR"):
        return Path(os.environ["FATTURAPA_SHARED_DIR"]).resolve()
    for parent in REPO_ROOT.parents:
        if (parent / "shared" / "fatturapa").is_dir():
            return (parent / "shared" / "fatturapa").resolve()
    return (REPO_ROOT / ".." / "shared" / "fatturapa").resolve()


SHARED = _shared_dir()
XSD_DIR = SHARED / "xsd"
SAMPLES = SHARED / "samples"
DATA = Path(__file__).resolve().parent / "data"

# The package is imported from the repository root, without installing it.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

_XSI = "{http://www.w3.org/2001/XMLSchema-instance}"


def canonical(element):
    """A comparable form of an XML tree: namespace + local name (prefixes do
    not matter), attributes except xsi:*, text stripped of surrounding
    whitespace (indentation does not matter), children in order."""
    qname = etree.QName(element)
    attrs = tuple(sorted((k, v) for k, v in element.attrib.items() if not k.startswith(_XSI)))
    children = tuple(canonical(c) for c in element if isinstance(c.tag, str))
    return (qname.namespace, qname.localname, attrs, (element.text or "").strip(), children)


def first_difference(a, b, path=""):
    """Path and values of the first difference between two canonical trees."""
    here = f"{path}/{a[1]}"
    if a[:4] != b[:4]:
        return here, a[:4], b[:4]
    if len(a[4]) != len(b[4]):
        return here, [c[1] for c in a[4]], [c[1] for c in b[4]]
    for x, y in zip(a[4], b[4], strict=True):
        diff = first_difference(x, y, here)
        if diff:
            return diff
    return None


def sample_files(*folders, pattern="*.xml"):
    """Sample files for parametrisation (empty when the data is absent)."""
    files = []
    for folder in folders:
        directory = SAMPLES / folder
        if directory.is_dir():
            files.extend(sorted(directory.glob(pattern)))
    return files

