# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Locate, install and compile the official XSD files.

The project does not vendor the AdE schemas (see DESIGN.md). They are looked
up, in order, in ``$FATTURAPA_SCHEMA_DIR`` and in the user cache
(``$XDG_CACHE_HOME/fatturapa-bridge/schemas``, by default
``~/.cache/fatturapa-bridge/schemas``), which ``fatturapa-bridge schemas
install --from DIR`` or ``--download`` fills.

The FatturaPA XSD imports the W3C xmldsig schema by its http URL. Nothing here
ever goes to the network for it: an lxml resolver serves a local copy, the one
next to the schema if present, else the one shipped by the ``xmlschema``
package.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from pathlib import Path

from lxml import etree

from .problems import SchemaNotFound

ENV_VAR = "FATTURAPA_SCHEMA_DIR"

#: Accepted file names per schema kind, the AdE name first.
SCHEMA_FILES = {
    "invoice": ("Schema_del_file_xml_FatturaPA_v1.2.3.xsd", "Schema_VFPR12_v1.2.3.xsd"),
    "messages": ("MessaggiTypes_v1.1.xsd",),
}
XMLDSIG_FILE = "xmldsig-core-schema.xsd"

#: Official download locations and the sha256 of the published files. The
#: invoice schema hash is the one of the AdE file; a download that does not
#: match is refused rather than cached.
DOWNLOADS = {
    "Schema_del_file_xml_FatturaPA_v1.2.3.xsd": (
        "https://www.fatturapa.gov.it/export/documenti/fatturapa/v1.4/Schema_VFPR12_v1.2.3.xsd",
        "152944f6eef9f5d69ef6e955ee173b32142b00a8c1c5222fc97dfab5910e8a8c",
    ),
    "MessaggiTypes_v1.1.xsd": (
        "https://www.fatturapa.gov.it/export/documenti/sdi/MessaggiTypes_v1.1.xsd",
        None,
    ),
}


def cache_dir() -> Path:
    """The user cache directory for schemas (it may not exist yet)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "fatturapa-bridge" / "schemas"


def search_dirs() -> list[Path]:
    """Directories searched for schemas, in order."""
    dirs = []
    if os.environ.get(ENV_VAR):
        dirs.append(Path(os.environ[ENV_VAR]))
    dirs.append(cache_dir())
    return dirs


_found: dict[tuple, str] = {}


def find_schema(kind: str = "invoice") -> Path:
    """Return the path of the schema of ``kind`` (``invoice`` or ``messages``).

    :raises SchemaNotFound: with the directories searched and how to fix it.
    """
    # Validation runs thousands of times a second: remember the answer for
    # the current settings as long as the file is still there.
    key = (kind, os.environ.get(ENV_VAR), os.environ.get("XDG_CACHE_HOME"))
    known = _found.get(key)
    if known is not None and os.path.isfile(known):
        return Path(known)
    path = _search(kind)
    _found[key] = str(path)
    return path


def _search(kind: str) -> Path:
    dirs = search_dirs()
    for directory in dirs:
        for name in SCHEMA_FILES[kind]:
            candidate = directory / name
            if candidate.is_file():
                return candidate
    raise SchemaNotFound(
        f"{SCHEMA_FILES[kind][0]} not found in {', '.join(str(d) for d in dirs)}; "
        f"set {ENV_VAR} or run 'fatturapa-bridge schemas install --from DIR' (or --download)"
    )


def xmldsig_path(schema_dir: Path | None = None) -> Path:
    """A local copy of the W3C xmldsig schema: next to the schema, else the
    one shipped by the ``xmlschema`` package."""
    if schema_dir is not None and (schema_dir / XMLDSIG_FILE).is_file():
        return schema_dir / XMLDSIG_FILE
    import xmlschema

    return Path(xmlschema.__file__).parent / "schemas" / "DSIG" / XMLDSIG_FILE


class _OfflineResolver(etree.Resolver):
    """Serve the xmldsig import from disk; refuse any other remote URL."""

    def __init__(self, schema_dir: Path):
        super().__init__()
        self.schema_dir = schema_dir

    def resolve(self, url, pubid, context):
        if url and url.endswith(XMLDSIG_FILE):
            return self.resolve_filename(str(xmldsig_path(self.schema_dir)), context)
        return None


def _point_imports_offline(doc, schema_dir: Path) -> None:
    """Point the xmldsig import of an (unmodified, in memory) official schema
    at the local copy: lxml's resolvers are not consulted for schema imports
    compiled outside the thread that created the parser."""
    local = xmldsig_path(schema_dir).resolve().as_uri()
    for node in doc.iter("{http://www.w3.org/2001/XMLSchema}import"):
        location = node.get("schemaLocation") or ""
        if location.endswith(XMLDSIG_FILE):
            node.set("schemaLocation", local)


# One compiled schema per file for the whole process. libxml2 is not safe
# when threads compile schemas or share a schema's error log, so compiling
# and validating are serialised (see validate.validate_tree); a validation
# takes a fraction of a millisecond.
_compiled_schemas: dict[tuple[str, int], etree.XMLSchema] = {}
SCHEMA_LOCK = threading.RLock()


def _compiled() -> dict[tuple[str, int], etree.XMLSchema]:
    return _compiled_schemas


def load_schema(kind: str = "invoice", path: Path | None = None) -> etree.XMLSchema:
    """Compile (once per file and modification time) and return the schema.

    Compiling takes tens of milliseconds; validating a small invoice with the
    compiled schema takes a fraction of one, so the object is cached for the
    process (see above).

    :param kind: ``invoice`` or ``messages``.
    :param path: an explicit XSD file instead of the lookup.
    :return: an :class:`lxml.etree.XMLSchema`.
    :raises SchemaNotFound: when the file is missing or does not compile.
    """
    path = Path(path) if path else find_schema(kind)
    try:
        # A reinstalled schema (new mtime) is compiled again.
        key = (os.fspath(path), os.stat(path).st_mtime_ns)
    except OSError as exc:
        raise SchemaNotFound(f"cannot read {path}: {exc.strerror}") from None
    cache = _compiled()
    schema = cache.get(key)
    if schema is not None:
        return schema
    with SCHEMA_LOCK:
        schema = cache.get(key)
        if schema is not None:
            return schema
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        parser.resolvers.add(_OfflineResolver(path.parent))
        try:
            doc = etree.parse(str(path), parser)
            _point_imports_offline(doc, path.parent)
            schema = etree.XMLSchema(doc)
        except (etree.XMLSyntaxError, etree.XMLSchemaParseError, OSError) as exc:
            message = " ".join(str(exc).split())
            raise SchemaNotFound(f"{path} is not a usable XSD: {message}") from None
        cache[key] = schema
    return schema


def install_from(source: Path, target: Path | None = None) -> list[Path]:
    """Copy the official schemas found in ``source`` into the cache.

    Each file is compiled before it is accepted, so a broken copy never
    replaces a working one.

    :param source: a directory holding the AdE XSD files.
    :param target: destination, by default :func:`cache_dir`.
    :return: the installed files.
    :raises SchemaNotFound: when ``source`` holds no invoice schema or a file
        does not compile.
    """
    source = Path(source)
    if not source.is_dir():
        raise SchemaNotFound(f"{source} is not a directory")
    found = [source / n for names in SCHEMA_FILES.values() for n in names if (source / n).is_file()]
    if not any(p.name in SCHEMA_FILES["invoice"] for p in found):
        raise SchemaNotFound(f"no {SCHEMA_FILES['invoice'][0]} in {source}")
    for path in found:
        load_schema(path=path)  # raises if it does not compile
    if (source / XMLDSIG_FILE).is_file():
        found.append(source / XMLDSIG_FILE)
    return _install([(p.name, p.read_bytes()) for p in found], target)


def download(target: Path | None = None, fetch=None) -> list[Path]:
    """Download the schemas from the official site into the cache.

    :param target: destination, by default :func:`cache_dir`.
    :param fetch: ``fetch(url) -> bytes``; ``requests`` by default (tests
        pass a stub).
    :return: the installed files.
    :raises SchemaNotFound: on network errors or a checksum mismatch.
    """
    if fetch is None:
        fetch = _requests_fetch
    files = []
    for name, (url, sha256) in DOWNLOADS.items():
        try:
            data = fetch(url)
        except Exception as exc:  # network errors come in many classes
            raise SchemaNotFound(f"cannot download {url}: {exc}") from None
        if sha256 and hashlib.sha256(data).hexdigest() != sha256:
            raise SchemaNotFound(f"{url} does not match the published sha256; not installed")
        files.append((name, data))
    return _install(files, target)


def _requests_fetch(url: str) -> bytes:
    import requests

    response = requests.get(url, timeout=30)
    response.raise_for_status()
    return response.content


def _install(files: list[tuple[str, bytes]], target: Path | None) -> list[Path]:
    target = Path(target) if target else cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    # Stage everything first so a failure leaves the cache as it was.
    staging = target / ".staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        for name, data in files:
            (staging / name).write_bytes(data)
        for name, _ in files:
            if name.endswith(".xsd") and name != XMLDSIG_FILE:
                load_schema(path=staging / name)
        installed = []
        for name, _ in files:
            os.replace(staging / name, target / name)
            installed.append(target / name)
        return installed
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file (to compare with the AdE published hash)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
