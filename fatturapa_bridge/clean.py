# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Make an invoice's texts acceptable to the SdI, saying what changed.

Texts typed in an accounting system carry what the FatturaPA schema does
not accept: the euro sign, typographic quotes and dashes, letters outside
Latin-1, emoji, control characters pasted from elsewhere, descriptions
longer than the field allows. :func:`clean` returns a copy of the invoice
with each text made acceptable, and one :class:`Note` per field it changed,
so that the caller can show what was done; nothing is ever turned into
``?`` silently.

* Control characters (C0 but tab, line feed and carriage return; DEL and
  C1) are removed from every text.
* In the free-text fields, characters outside the field's alphabet (Latin-1
  for ``String...LatinType`` fields, ASCII for the others) are
  transliterated: a small table for the typographic ones (``€`` is
  ``EUR``), then ``anyascii`` (``Ł`` is ``L``, Cyrillic and Greek are
  romanised); emoji and pictographs are removed.
* Texts longer than the field's maximum (1,000 characters for
  ``Descrizione``, 200 for ``Causale``...) are cut; a long ``Causale`` is
  split into several, as the specification allows it to repeat.
* Identifiers (invoice and document numbers, codes, tax identifiers) are
  never transliterated nor cut: changing them would change what they
  identify; the checks report them instead.

The alphabets and lengths are read from the official XSD (see
:mod:`fatturapa_bridge.schema`), so they follow the schema in force.
"""

from __future__ import annotations

import copy
import os
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from anyascii import anyascii
from lxml import etree

from .model import Invoice, field_specs, iter_values

_XS = "{http://www.w3.org/2001/XMLSchema}"

#: Elements whose text identifies something: only control characters are
#: removed from them.
IDENTIFIERS = frozenset({
    "Numero", "IdDocumento", "NumItem", "CodiceCommessaConvenzione", "CodiceCUP", "CodiceCIG",
    "NumeroDDT", "NumeroFatturaPrincipale", "NumeroREA", "CodicePagamento",
    "NumeroLicenzaGuida", "IdCodice", "CodiceFiscale", "RiferimentoAmministrazione",
    "ProgressivoInvio", "CodiceValore", "CodiceTipo", "NumeroIscrizioneAlbo", "CodEORI",
    "CodUfficioPostale", "CFQuietanzante", "TotalePercorso", "Ufficio",
})

#: Typographic characters with their usual plain form, before anyascii.
TRANSLITERATIONS = {
    "\u20ac": "EUR", "\u2122": "TM", "\u2018": "'", "\u2019": "'", "\u201a": ",",
    "\u201b": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
    "\u2032": "'", "\u2033": '"', "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
    "\u2014": "-", "\u2015": "-", "\u2212": "-", "\u2026": "...", "\u2022": "-",
    "\u2009": " ", "\u202f": " ", "\u2007": " ", "\u2002": " ", "\u2003": " ",
}

#: A required text left with nothing the SdI accepts gets this.
PLACEHOLDER = "-"

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LENGTH = re.compile(r"\{(\d+),(\d+)\}")


@dataclass(frozen=True, slots=True)
class Limit:
    """What the schema accepts in one text element: its alphabet
    (``latin1``, ``ascii`` or ``None`` for any) and maximum length."""

    charset: str | None
    max_length: int | None


@dataclass(frozen=True, slots=True)
class Note:
    """What :func:`clean` changed in one field.

    :ivar path: the element, e.g.
        ``FatturaElettronicaBody[1]/DatiBeniServizi/DettaglioLinee[2]/Descrizione``.
    :ivar original: the text as given.
    :ivar value: the text written (for a split ``Causale``, the parts joined
        by a line feed); ``None`` when an optional element was emptied.
    :ivar replaced: ``(character, replacement)`` pairs, each once.
    :ivar removed: the characters removed (control characters, emoji...),
        each once.
    :ivar cut: the length of the text before it was cut, if it was.
    :ivar parts: the number of elements a long text was split into.
    :ivar placeholder: a required element left empty got :data:`PLACEHOLDER`.
    """

    path: str
    original: str
    value: str | None
    replaced: tuple[tuple[str, str], ...] = ()
    removed: tuple[str, ...] = ()
    cut: int | None = None
    parts: int | None = None
    placeholder: bool = False

    @property
    def message(self) -> str:
        """The changes in plain English (callers translate from the fields)."""
        said = []
        if self.replaced:
            said.append("written as " + _some(f"{a!r} -> {b!r}" for a, b in self.replaced))
        if self.removed:
            said.append("removed " + _some(_describe(c) for c in self.removed))
        if self.cut is not None:
            said.append(f"cut from {self.cut} characters")
        if self.parts is not None:
            said.append(f"split into {self.parts} elements")
        if self.placeholder:
            said.append(f"nothing acceptable was left: {PLACEHOLDER!r} written")
        elif self.value is None:
            said.append("nothing acceptable was left: the element is omitted")
        return "; ".join(said)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _some(items, shown: int = 6) -> str:
    items = list(items)
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def clean(invoice: Invoice, *, schema_path: Path | None = None,
          in_place: bool = False) -> tuple[Invoice, list[Note]]:
    """Return a copy of ``invoice`` whose texts the SdI accepts, and the notes.

    :param invoice: the invoice; it is not modified unless ``in_place``.
    :param schema_path: the FatturaPA XSD to read the limits from (by
        default the installed one, see :func:`fatturapa_bridge.schema.find_schema`).
    :param in_place: clean ``invoice`` itself and return it, for a caller
        that built the invoice only to render it (copying a large invoice
        costs more than cleaning it).
    :return: ``(cleaned invoice, notes)``; no notes when nothing changed.
    :raises SchemaNotFound: when the schema is not installed.
    """
    limits = text_limits(schema_path)
    cleaned = invoice if in_place else copy.deepcopy(invoice)
    notes: list[Note] = []
    split_lists: dict[int, tuple[object, str, list]] = {}
    for item in list(iter_values(cleaned)):
        if item.spec.kind != "str" or not isinstance(item.value, str):
            continue
        limit = limits.get((type(item.owner), item.spec.tag))
        identifier = item.spec.tag in IDENTIFIERS
        text, replaced, removed = _clean_text(item.value, None if identifier else limit)
        cut = parts = None
        pieces = [text]
        max_length = limit.max_length if limit and not identifier else None
        if max_length and len(text) > max_length:
            if item.spec.many:
                pieces = [text[i:i + max_length] for i in range(0, len(text), max_length)]
                parts = len(pieces)
            else:
                pieces = [text[:max_length]]
                cut = len(text)
        placeholder = False
        value: str | None = pieces[0]
        if not text and item.value:
            if item.spec.required:
                value, placeholder = PLACEHOLDER, True
            else:
                value = None
        if value == item.value and parts is None:
            continue
        silent = (value == unicodedata.normalize("NFC", item.value) and parts is None)
        if not silent:
            notes.append(Note(item.path, item.value, "\n".join(pieces) if parts else value,
                              replaced, removed, cut, parts, placeholder))
        if item.spec.many:
            owner_list = getattr(item.owner, item.spec.attr)
            entry = split_lists.setdefault(id(owner_list), (item.owner, item.spec.attr, []))
            entry[2].append((item.index, pieces if value is not None else []))
        else:
            setattr(item.owner, item.spec.attr, value)
    for owner, attr, changes in split_lists.values():
        values = [[v] for v in getattr(owner, attr)]
        for index, pieces in changes:
            values[index] = pieces
        setattr(owner, attr, [v for group in values for v in group])
    return cleaned, notes


def _clean_text(text: str, limit: Limit | None) -> tuple[str, tuple, tuple]:
    replaced: dict[str, str] = {}
    removed: dict[str, None] = {}
    text = _SURROGATE.sub(lambda m: removed.setdefault(m.group(), None) or "", text)
    # Decomposed accents (e + combining acute) become the Latin-1 letter.
    text = unicodedata.normalize("NFC", text)
    charset = limit.charset if limit else None
    out = []
    for char in text:
        if _CONTROL.match(char):
            removed[char] = None
            continue
        if charset is None or _fits(char, charset):
            out.append(char)
            continue
        if _is_pictograph(char):
            removed[char] = None
            continue
        plain = TRANSLITERATIONS.get(char)
        if plain is None:
            plain = anyascii(char)
        if plain and all(_fits(c, charset) for c in plain):
            replaced.setdefault(char, plain)
            out.append(plain)
        else:
            removed[char] = None
    return "".join(out), tuple(replaced.items()), tuple(removed)


def _fits(char: str, charset: str) -> bool:
    code = ord(char)
    if char in "\t\n\r":
        return True
    if charset == "ascii":
        return 0x20 <= code <= 0x7E
    return 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xFF


def _is_pictograph(char: str) -> bool:
    code = ord(char)
    return (
        0x1F000 <= code <= 0x1FAFF  # emoji, playing cards, flags
        or 0x2600 <= code <= 0x27BF  # miscellaneous symbols, dingbats
        or 0x2B00 <= code <= 0x2BFF  # arrows and shapes used as emoji
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0xE0000 <= code <= 0xE007F  # tags (flag sequences)
        or code in (0x200D, 0x20E3)  # zero-width joiner, keycap
    )


# ------------------------------------------------------------ schema limits

_limits_cache: dict[tuple[str, int], dict] = {}
_limits_lock = threading.Lock()


def text_limits(schema_path: Path | None = None) -> dict[tuple[type, str], Limit]:
    """The alphabet and maximum length of every text element, read from the
    FatturaPA XSD by walking its types along the model's classes.

    :param schema_path: the XSD (by default the installed one).
    :return: ``{(model class, element name): Limit}``, cached per file.
    :raises SchemaNotFound: when the schema is not installed.
    """
    from .schema import find_schema

    path = Path(schema_path) if schema_path else find_schema("invoice")
    key = (os.fspath(path), os.stat(path).st_mtime_ns)
    limits = _limits_cache.get(key)
    if limits is None:
        with _limits_lock:
            limits = _limits_cache.get(key)
            if limits is None:
                limits = _limits_cache[key] = _read_limits(path)
    return limits


def _local(name: str | None) -> str | None:
    return name.rsplit(":", 1)[-1] if name else None


def _read_limits(path: Path) -> dict[tuple[type, str], Limit]:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    root = etree.parse(str(path), parser).getroot()
    complex_types = {t.get("name"): t for t in root.iterchildren(f"{_XS}complexType")}
    simple_types = {t.get("name"): t for t in root.iterchildren(f"{_XS}simpleType")}
    top = root.find(f"{_XS}element[@name='FatturaElettronica']")
    limits: dict[tuple[type, str], Limit] = {}
    todo = [(Invoice, _local(top.get("type")))]
    seen = set()
    while todo:
        cls, type_name = todo.pop()
        if (cls, type_name) in seen or type_name not in complex_types:
            continue
        seen.add((cls, type_name))
        declared = complex_types[type_name]
        types = {e.get("name"): _local(e.get("type")) for e in declared.iter(f"{_XS}element")}
        types.update({"@" + a.get("name"): _local(a.get("type"))
                      for a in declared.iter(f"{_XS}attribute")})
        for spec in field_specs(cls):
            name = types.get(spec.tag)
            if spec.kind == "obj":
                todo.append((spec.cls, name))
            elif spec.kind == "str" and name in simple_types:
                limit = _text_limit(simple_types[name])
                if limit is not None:
                    limits[(cls, spec.tag)] = limit
    return limits


def _text_limit(simple_type) -> Limit | None:
    restriction = simple_type.find(f"{_XS}restriction")
    if restriction is None or restriction.find(f"{_XS}enumeration") is not None:
        return None
    pattern = restriction.find(f"{_XS}pattern")
    max_length = restriction.find(f"{_XS}maxLength")
    if pattern is not None:
        value = pattern.get("value")
        if "IsBasicLatin" not in value:
            return None  # a code with its own pattern ([A-Z0-9]...): not text
        charset = "latin1" if "Latin-1Supplement" in value else "ascii"
        bounds = _LENGTH.search(value)
        return Limit(charset, int(bounds.group(2)) if bounds else None)
    if max_length is not None and restriction.get("base", "").endswith("normalizedString"):
        return Limit(None, int(max_length.get("value")))
    return None


__all__ = ["IDENTIFIERS", "PLACEHOLDER", "TRANSLITERATIONS", "Limit", "Note", "clean",
           "text_limits"]
