# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Open CAdES ``.p7m`` envelopes (CMS SignedData) to get the signed XML.

Envelopes come DER or Base64 encoded, with definite or BER indefinite
lengths. asn1crypto reads well-formed ones; some signing tools write a last
content chunk whose length runs to the end of the file, which ``openssl cms``
and asn1crypto both refuse, so a tolerant BER walker takes over for those.

The SHA digest of the content is compared with the ``messageDigest`` signed
attribute, which catches a file altered after signing; the outcome is in
:attr:`Envelope.digest` (``ok``, ``mismatch`` or ``unchecked``) and callers
may ask :func:`open_p7m` to refuse a mismatch outright. The signer's
certificate chain is *not* verified: that is the SdI's job on receipt and
needs the trusted lists of qualified CAs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from .problems import ParseError

_OID_SIGNED_DATA = bytes.fromhex("2a864886f70d010702")
_OID_MESSAGE_DIGEST = bytes.fromhex("06092a864886f70d010904")
_HASHES = {
    bytes.fromhex("2b0e03021a"): "sha1",
    bytes.fromhex("608648016503040201"): "sha256",
    bytes.fromhex("608648016503040202"): "sha384",
    bytes.fromhex("608648016503040203"): "sha512",
}


@dataclass(frozen=True, slots=True)
class Envelope:
    """The content of a ``.p7m`` and what was checked about it."""

    content: bytes
    digest: str  # "ok", "mismatch" or "unchecked"
    tolerant: bool  # True when the strict reader failed and the BER walker read it


def looks_like_p7m(data: bytes) -> bool:
    """Heuristic: DER SEQUENCE, or Base64 of one (``MI...``)."""
    head = data.lstrip()[:2]
    return data[:1] == b"\x30" or head == b"MI"


def _decode_transport(data: bytes) -> bytes:
    if data[:1] == b"\x30":
        return data
    try:
        return base64.b64decode(b"".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ParseError("not a .p7m envelope: neither DER nor Base64") from None


def open_p7m(data: bytes, require_digest: bool = False) -> Envelope:
    """Extract the signed content of a CAdES envelope.

    :param data: the ``.p7m`` bytes, DER or Base64.
    :param require_digest: raise when the content does not match the signed
        ``messageDigest`` instead of reporting it in :attr:`Envelope.digest`.
    :return: the :class:`Envelope` with the content bytes.
    :raises ParseError: when the envelope is unreadable (or, with
        ``require_digest``, altered).
    """
    der = _decode_transport(data)
    if len(der) < 16:
        raise ParseError("not a .p7m envelope: file too short")
    try:
        envelope = _strict(der)
    except ParseError:
        raise
    except Exception:  # asn1crypto raises ValueError, TypeError, KeyError, RecursionError...
        envelope = _tolerant(der)
    if require_digest and envelope.digest == "mismatch":
        raise ParseError("the .p7m content does not match its signed digest (altered)")
    return envelope


def _strict(der: bytes) -> Envelope:
    from asn1crypto import cms

    info = cms.ContentInfo.load(der, strict=True)
    if info["content_type"].native != "signed_data":
        raise ParseError("the .p7m is not a CMS SignedData envelope")
    signed = info["content"]
    content = signed["encap_content_info"]["content"].native
    if content is None:
        raise ParseError("the .p7m is a detached signature: it holds no content")
    status = "unchecked"
    for signer in signed["signer_infos"]:
        attrs = signer["signed_attrs"]
        if not attrs:
            continue
        algo = signer["digest_algorithm"]["algorithm"].native
        for attr in attrs:
            if attr["type"].native == "message_digest":
                expected = attr["values"][0].native
                ok = hashlib.new(algo, content).digest() == expected
                status = "ok" if ok and status != "mismatch" else "mismatch"
    return Envelope(content, status, False)


# --------------------------------------------------------------- BER walker


def _header(der: bytes, pos: int) -> tuple[int, bool, int, int | None]:
    """Return (tag number with class bits, constructed, content start, length
    or None for indefinite) of the TLV at ``pos``."""
    if pos + 2 > len(der):
        raise ParseError("truncated .p7m envelope")
    first = der[pos]
    constructed = bool(first & 0x20)
    tag = first
    pos += 1
    if first & 0x1F == 0x1F:  # high tag number form
        tag = 0
        while True:
            byte = der[pos]
            pos += 1
            tag = (tag << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
    length_byte = der[pos]
    pos += 1
    if length_byte == 0x80:
        return tag, constructed, pos, None
    if length_byte & 0x80:
        count = length_byte & 0x7F
        if count > 4 or pos + count > len(der):
            raise ParseError("corrupt length in .p7m envelope")
        length = int.from_bytes(der[pos:pos + count], "big")
        pos += count
        return tag, constructed, pos, length
    return tag, constructed, pos, length_byte


def _children(der: bytes, start: int, length: int | None):
    """Yield (tag, constructed, start, length) of the children of a value."""
    end = len(der) if length is None else min(start + length, len(der))
    pos = start
    while pos < end:
        if length is None and der[pos:pos + 2] == b"\x00\x00":
            return
        tag, cons, cstart, clen = _header(der, pos)
        yield tag, cons, cstart, clen
        if clen is None:
            pos = _skip_indefinite(der, cstart)
        else:
            pos = cstart + clen


def _skip_indefinite(der: bytes, start: int) -> int:
    """Position after the end-of-contents of an indefinite-length value whose
    content starts at ``start``. Nested indefinite values are counted, not
    recursed into, so any depth is read with constant stack."""
    depth = 1
    pos = start
    while pos < len(der):
        if der[pos:pos + 2] == b"\x00\x00":
            depth -= 1
            pos += 2
            if depth == 0:
                return pos
            continue
        _tag, _cons, cstart, clen = _header(der, pos)
        if clen is None:
            depth += 1
            pos = cstart
        else:
            pos = cstart + clen
    return pos


def _octets(der: bytes, cons: bool, start: int, length: int | None) -> bytes:
    """The bytes of an OCTET STRING, joining the chunks of a constructed one
    at any depth in one forward pass (an explicit stack of where each open
    level ends, never recursion nor a rescan): linear in the input."""
    if not cons:
        if length is None:
            raise ParseError("corrupt .p7m envelope: primitive value of indefinite length")
        return der[start:start + length]
    chunks = []
    pos = start
    # End position of each open constructed level; None: indefinite length,
    # closed by an end-of-contents marker (or by the end of the data).
    ends: list[int | None] = [start + length if length is not None else None]
    while ends and pos < len(der):
        end = ends[-1]
        if end is None:
            if der[pos:pos + 2] == b"\x00\x00":
                ends.pop()
                pos += 2
                continue
        elif pos >= end:
            ends.pop()
            continue
        _tag, child_cons, child_start, child_length = _header(der, pos)
        if child_cons:
            ends.append(None if child_length is None else child_start + child_length)
            pos = child_start
        elif child_length is None:
            raise ParseError("corrupt .p7m envelope: primitive value of indefinite length")
        else:
            chunks.append(der[child_start:child_start + child_length])
            pos = child_start + child_length
    return b"".join(chunks)


def _tolerant(der: bytes) -> Envelope:
    try:
        tag, _cons, start, length = _header(der, 0)
        if tag != 0x30:
            raise ParseError("not a .p7m envelope: no ASN.1 SEQUENCE")
        top = list(_children(der, start, length))
        if len(top) < 2 or der[top[0][2]:top[0][2] + top[0][3]] != _OID_SIGNED_DATA:
            raise ParseError("the .p7m is not a CMS SignedData envelope")
        explicit = next(_children(der, top[1][2], top[1][3]))
        parts = list(_children(der, explicit[2], explicit[3]))
        algorithms = der[parts[1][2]:parts[1][2] + (parts[1][3] or 0)]
        encap = list(_children(der, parts[2][2], parts[2][3]))
        if len(encap) < 2:
            raise ParseError("the .p7m is a detached signature: it holds no content")
        octet = next(_children(der, encap[1][2], encap[1][3]))
        content = _octets(der, octet[1], octet[2], octet[3])
    except ParseError:
        raise
    except (IndexError, StopIteration, ValueError, TypeError):
        raise ParseError("corrupt .p7m envelope") from None
    content = _trim_xml(content)
    return Envelope(content, _check_digest(der, algorithms, content), True)


def _trim_xml(content: bytes) -> bytes:
    # A chunk length that overshoots drags the signature blocks into the
    # content; the XML document ends at its root's closing tag.
    match = re.search(rb"<([A-Za-z_][\w.-]*:)?(FatturaElettronica|[A-Z][A-Za-z]+)[\s>]", content)
    if not match:
        return content
    qname = (match.group(1) or b"") + match.group(2)
    end = content.rfind(b"</" + qname)
    if end < 0:
        return content
    close = content.find(b">", end)
    return content[: close + 1] + (b"\n" if content[close + 1:close + 2] == b"\n" else b"")


def _check_digest(der: bytes, algorithms: bytes, content: bytes) -> str:
    name = next((n for oid, n in _HASHES.items() if oid in algorithms), None)
    # The first messageDigest is the signer's; later ones belong to
    # timestamp tokens in the unsigned attributes.
    at = der.find(_OID_MESSAGE_DIGEST)
    if name is None or at < 0:
        return "unchecked"
    # messageDigest ::= SET { OCTET STRING }
    rest = der[at + len(_OID_MESSAGE_DIGEST):]
    if rest[:1] != b"\x31" or rest[2:3] != b"\x04":
        return "unchecked"
    expected = rest[4:4 + rest[3]]
    return "ok" if hashlib.new(name, content).digest() == expected else "mismatch"
