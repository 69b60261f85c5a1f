# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""CAdES-BES signatures of FatturaPA files (``.xml.p7m``).

:func:`sign` wraps the XML in a CMS SignedData (DER, content attached),
signed with the key and certificate of a PKCS#12 file, with the signed
attributes CAdES-BES requires (ETSI EN 319 122-1): content-type,
message-digest, signing-certificate-v2 (the SHA-256 of the signer's
certificate, so that it cannot be swapped), and the signing time the SdI
reads as the time reference (check 00103). Keys are RSA (PKCS#1 v1.5, as the
qualified signature devices use) or EC (ECDSA), digests SHA-256.

:func:`verify` checks a signed file the way the SdI's integrity check
(00102) does: the content matches the signed digest, the signature over the
signed attributes verifies with the certificate the signer names, and that
certificate is the one the signing-certificate(-v2) attribute commits to. It
does not check the certificate chain, revocation or the trusted list of
qualified CAs (checks 00101, 00104, 00107): that needs the SdI's trust
store; ``openssl cms -verify -CAfile`` does it given the CA.

Built on ``cryptography`` (keys, certificates, signatures) and
``asn1crypto`` (it reads the envelopes and encodes, once per signer, the
pieces every signature repeats; each signature is then put together from
DER pieces, about a millisecond for an RSA-2048 key).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

from asn1crypto import algos, cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

from .p7m import looks_like_p7m
from .problems import FatturaPAError

#: id-aa-signingCertificateV2 (RFC 5035).
SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"
_HASHES = {"sha1": hashes.SHA1, "sha256": hashes.SHA256, "sha384": hashes.SHA384,
           "sha512": hashes.SHA512}


class SigningError(FatturaPAError):
    """The file cannot be signed: unreadable PKCS#12, wrong password, a key
    of an unsupported kind, an expired certificate."""


class SignatureError(FatturaPAError):
    """A signed file does not verify. ``code`` is the SdI check it fails:
    ``00102`` (not intact, bad signature), ``00103`` (no signing time),
    ``00100`` (certificate expired when signing)."""

    def __init__(self, message: str, code: str = "00102"):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Signer:
    """A private key with its certificate and the chain above it."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()
    #: DER pieces computed once per signer (see _Prepared).
    prepared: _Prepared = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "prepared", _Prepared.of(self))


@dataclass(frozen=True, slots=True)
class _Prepared:
    """What every signature of one signer repeats, encoded once in DER.

    asn1crypto is used to encode these pieces, once: building its objects
    for each signature (the signing-certificate-v2 attribute alone takes
    milliseconds) would cost more than the RSA signature itself."""

    cert_der: bytes
    signer_id: bytes  # IssuerAndSerialNumber
    signing_certificate: bytes  # the signing-certificate-v2 attribute
    signature_algorithm: bytes
    certificates: bytes  # the [0] IMPLICIT SET OF Certificate of SignedData

    @classmethod
    def of(cls, signer: Signer) -> _Prepared:
        cert_der = signer.certificate.public_bytes(Encoding.DER)
        parsed = asn1_x509.Certificate.load(cert_der)
        issuer = asn1_x509.Name.load(parsed.issuer.dump())
        ess = tsp.SigningCertificateV2({"certs": [tsp.ESSCertIDv2({
            # hashAlgorithm is SHA-256 by default, hence not encoded.
            "cert_hash": hashlib.sha256(cert_der).digest(),
            "issuer_serial": {
                "issuer": [asn1_x509.GeneralName({"directory_name": issuer})],
                "serial_number": parsed.serial_number,
            },
        })]})
        algorithm = ("rsassa_pkcs1v15" if isinstance(signer.key, rsa.RSAPrivateKey)
                     else "sha256_ecdsa")
        chain = [c.public_bytes(Encoding.DER) for c in signer.chain]
        return cls(
            cert_der,
            cms.IssuerAndSerialNumber({"issuer": issuer,
                                       "serial_number": parsed.serial_number}).dump(),
            _tlv(0x30, _OID_SIGNING_CERTIFICATE_V2 + _tlv(0x31, ess.dump())),
            algos.SignedDigestAlgorithm({"algorithm": algorithm}).dump(),
            # A SET OF: DER sorts its members (the signer is found by its id).
            _tlv(0xA0, b"".join(sorted([cert_der, *chain]))),
        )


def _tlv(tag: int, content: bytes) -> bytes:
    """One DER value: tag, definite length, content."""
    size = len(content)
    if size < 0x80:
        return bytes((tag, size)) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(length))) + length + content


def _time(when: datetime) -> bytes:
    """signingTime: UTCTime until 2049, GeneralizedTime after (RFC 5652)."""
    if when.year < 2050:
        return _tlv(0x17, when.strftime("%y%m%d%H%M%SZ").encode("ascii"))
    return _tlv(0x18, when.strftime("%Y%m%d%H%M%SZ").encode("ascii"))


_OID_SIGNED_DATA = bytes.fromhex("06092a864886f70d010702")
_OID_DATA = bytes.fromhex("06092a864886f70d010701")
_OID_CONTENT_TYPE = bytes.fromhex("06092a864886f70d010903")
_OID_MESSAGE_DIGEST = bytes.fromhex("06092a864886f70d010904")
_OID_SIGNING_TIME = bytes.fromhex("06092a864886f70d010905")
_OID_SIGNING_CERTIFICATE_V2 = bytes.fromhex("060b2a864886f70d010910022f")
_VERSION_1 = bytes.fromhex("020101")
_SHA256 = bytes.fromhex("300b0609608648016503040201")
_CONTENT_TYPE_ATTR = _tlv(0x30, _OID_CONTENT_TYPE + _tlv(0x31, _OID_DATA))


@dataclass(frozen=True, slots=True)
class Verified:
    """What :func:`verify` found in a valid signed file.

    :ivar content: the signed bytes (the FatturaPA XML).
    :ivar certificate: the signer's certificate.
    :ivar signing_time: the signed signing time (UTC), ``None`` if absent.
    :ivar digest_algorithm: ``sha256``...
    """

    content: bytes
    certificate: x509.Certificate
    signing_time: datetime | None
    digest_algorithm: str

    @property
    def signer(self) -> str:
        """The signer's subject, as RFC 4514 text."""
        return self.certificate.subject.rfc4514_string()


def load_pkcs12(data: bytes, password: str | bytes | None) -> Signer:
    """Open a PKCS#12 file (``.p12`` / ``.pfx``).

    :param data: the file content.
    :param password: its password (text is encoded as UTF-8); ``None`` or
        empty for a file without one.
    :return: the :class:`Signer`.
    :raises SigningError: wrong password, not a PKCS#12, no key or no
        certificate in it, or a key that is neither RSA nor EC.
    """
    if isinstance(data, str):
        raise TypeError("the PKCS#12 content must be bytes, not str")
    secret = password.encode("utf-8") if isinstance(password, str) else password
    attempts = [secret] if secret else [None, b""]
    for attempt in attempts:
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(bytes(data), attempt)
            break
        except (ValueError, TypeError):
            continue
    else:
        raise SigningError("the PKCS#12 file cannot be opened: wrong password, or not a "
                           "PKCS#12 (.p12/.pfx) file")
    if key is None or cert is None:
        raise SigningError("the PKCS#12 file holds no private key with its certificate")
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise SigningError(f"the PKCS#12 key is a {type(key).__name__}; only RSA and EC keys "
                           "sign CAdES for the SdI")
    if key.public_key().public_numbers() != cert.public_key().public_numbers():
        raise SigningError("the PKCS#12 certificate is not the one of its private key")
    return Signer(key, cert, tuple(extra or ()))


def sign(content: bytes, pkcs12_data: bytes, password: str | bytes | None = None, *,
         signing_time: datetime | None = None) -> bytes:
    """Sign ``content`` (the FatturaPA XML) as CAdES-BES, content attached.

    :param content: the bytes to sign, exactly as they will be sent.
    :param pkcs12_data: the PKCS#12 file with the signer's key and
        certificate (and optionally its chain, which is embedded too).
    :param password: the PKCS#12 password.
    :param signing_time: the signing time to state (aware, or naive UTC),
        by default now.
    :return: the ``.xml.p7m`` bytes, DER.
    :raises SigningError: see :func:`load_pkcs12`, and a certificate not
        valid at the signing time (the SdI rejects it, check 00100).
    """
    if isinstance(content, str):
        raise TypeError("sign the bytes of the file, not a str: encode the XML first")
    signer = load_pkcs12(pkcs12_data, password)
    return sign_with(content, signer, signing_time=signing_time)


def sign_with(content: bytes, signer: Signer, *, signing_time: datetime | None = None) -> bytes:
    """Sign with a :class:`Signer` already opened (see :func:`sign`); a
    caller signing many files opens the PKCS#12 once."""
    if isinstance(content, str):
        raise TypeError("sign the bytes of the file, not a str: encode the XML first")
    content = bytes(content)
    when = _utc(signing_time or datetime.now(timezone.utc)).replace(microsecond=0)
    cert = signer.certificate
    if not _valid_at(cert, when):
        raise SigningError(
            f"the certificate of {cert.subject.rfc4514_string()} is valid from "
            f"{_not_before(cert):%Y-%m-%d} to {_not_after(cert):%Y-%m-%d}, not at {when:%Y-%m-%d %H:%M} UTC")
    prepared = signer.prepared
    attributes = [
        _CONTENT_TYPE_ATTR,
        _tlv(0x30, _OID_SIGNING_TIME + _tlv(0x31, _time(when))),
        _tlv(0x30, _OID_MESSAGE_DIGEST + _tlv(0x31, _tlv(0x04, hashlib.sha256(content).digest()))),
        prepared.signing_certificate,
    ]
    # DER sorts the members of a SET OF by their encoding; the signature
    # covers the attributes as that SET OF.
    attributes = b"".join(sorted(attributes))
    to_sign = _tlv(0x31, attributes)
    if isinstance(signer.key, rsa.RSAPrivateKey):
        signature = signer.key.sign(to_sign, padding.PKCS1v15(), hashes.SHA256())
    else:
        signature = signer.key.sign(to_sign, ec.ECDSA(hashes.SHA256()))
    signer_info = _tlv(0x30, _VERSION_1 + prepared.signer_id + _SHA256
                       + _tlv(0xA0, attributes)  # signedAttrs [0] IMPLICIT
                       + prepared.signature_algorithm + _tlv(0x04, signature))
    encapsulated = _tlv(0x30, _OID_DATA + _tlv(0xA0, _tlv(0x04, content)))
    signed_data = _tlv(0x30, _VERSION_1 + _tlv(0x31, _SHA256) + encapsulated
                       + prepared.certificates + _tlv(0x31, signer_info))
    return _tlv(0x30, _OID_SIGNED_DATA + _tlv(0xA0, signed_data))


def verify(data: bytes) -> Verified:
    """Verify a CAdES ``.p7m`` (DER or Base64) and return its content.

    Every signer of the envelope is verified. See the module docstring for
    what is and is not checked.

    :param data: the ``.p7m`` bytes.
    :return: the :class:`Verified` content and signer (the first signer).
    :raises SignatureError: with the SdI code of the failed check.
    :raises ParseError: when the bytes are no readable CMS envelope.
    """
    from .p7m import _decode_transport
    from .problems import ParseError

    if isinstance(data, str):
        raise TypeError("verify the bytes of the file, not a str")
    if not looks_like_p7m(bytes(data)):
        raise ParseError("not a .p7m envelope")
    der = _decode_transport(bytes(data))
    try:
        info = cms.ContentInfo.load(der, strict=True)
        if info["content_type"].native != "signed_data":
            raise ParseError("the .p7m is not a CMS SignedData envelope")
        signed = info["content"]
        content = signed["encap_content_info"]["content"].native
        signer_infos = list(signed["signer_infos"])
        certificates = [c.chosen for c in signed["certificates"] or []
                        if c.name == "certificate"]
    except ParseError:
        raise
    except Exception:  # asn1crypto raises ValueError, TypeError, KeyError...
        raise SignatureError("the signed envelope is not a well-formed DER CMS structure, "
                             "its signature cannot be verified") from None
    if content is None:
        raise SignatureError("the .p7m is a detached signature: it holds no content")
    if not signer_infos:
        raise SignatureError("the .p7m holds no signature")
    results = [_verify_signer(info, content, certificates) for info in signer_infos]
    cert, when, algorithm = results[0]
    return Verified(content, cert, when, algorithm)


def _verify_signer(signer_info, content: bytes, certificates) -> tuple:
    try:
        algorithm = signer_info["digest_algorithm"]["algorithm"].native
        hash_cls = _HASHES[algorithm]
    except KeyError:
        raise SignatureError("the signature uses an unknown digest algorithm") from None
    cert = _find_certificate(signer_info["sid"], certificates)
    attrs = signer_info["signed_attrs"]
    if not attrs:
        raise SignatureError("the signature has no signed attributes: not CAdES-BES")
    values = {}
    for attr in attrs:
        values.setdefault(attr["type"].dotted, attr["values"][0])
    digest = values.get("1.2.840.113549.1.9.4")
    if digest is None or digest.native != hashlib.new(algorithm, content).digest():
        raise SignatureError("the content does not match the signed digest: the file was "
                             "altered after signing")
    content_type = values.get("1.2.840.113549.1.9.3")
    if content_type is None or content_type.native != "data":
        raise SignatureError("the signed content-type attribute is missing or is not 'data'")
    cert_der = cert.dump()
    v2 = values.get(SIGNING_CERTIFICATE_V2)
    v1 = values.get("1.2.840.113549.1.9.16.2.12")
    if v2 is not None:
        ess = v2["certs"][0]
        ess_algorithm = ess["hash_algorithm"]["algorithm"].native
        if ess_algorithm not in _HASHES or (
                ess["cert_hash"].native != hashlib.new(ess_algorithm, cert_der).digest()):
            raise SignatureError("the signing-certificate-v2 attribute names another "
                                 "certificate than the signer's")
    elif v1 is not None:
        if v1["certs"][0]["cert_hash"].native != hashlib.sha1(cert_der).digest():
            raise SignatureError("the signing-certificate attribute names another "
                                 "certificate than the signer's")
    else:
        raise SignatureError("no signing-certificate(-v2) attribute: not a CAdES-BES signature")
    public_key = x509.load_der_x509_certificate(cert_der).public_key()
    # The signature covers the attributes as a SET OF (the [0] IMPLICIT tag
    # of SignerInfo replaced by the universal one), in the bytes received.
    signed_bytes = b"\x31" + attrs.dump()[1:]
    signature = signer_info["signature"].native
    sig_algorithm = signer_info["signature_algorithm"]
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            if sig_algorithm.signature_algo == "rsassa_pss":
                params = sig_algorithm["parameters"]
                pss_hash = _HASHES[params["hash_algorithm"]["algorithm"].native]()
                public_key.verify(signature, signed_bytes, padding.PSS(
                    mgf=padding.MGF1(pss_hash), salt_length=params["salt_length"].native),
                    pss_hash)
            else:
                public_key.verify(signature, signed_bytes, padding.PKCS1v15(), hash_cls())
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, signed_bytes, ec.ECDSA(hash_cls()))
        else:
            raise SignatureError(f"unsupported signer key {type(public_key).__name__}")
    except InvalidSignature:
        raise SignatureError("the signature does not verify with the signer's "
                             "certificate") from None
    except (ValueError, KeyError, TypeError):
        raise SignatureError("the signature algorithm is not supported or malformed") from None
    certificate = x509.load_der_x509_certificate(cert_der)
    when = values.get("1.2.840.113549.1.9.5")
    when = _utc(when.native) if when is not None else None
    if when is None:
        raise SignatureError("the signature has no signing time (riferimento temporale)",
                             code="00103")
    if not _valid_at(certificate, when):
        raise SignatureError(
            f"the signer's certificate was not valid at the signing time {when:%Y-%m-%d} "
            f"(valid {_not_before(certificate):%Y-%m-%d} to "
            f"{_not_after(certificate):%Y-%m-%d})", code="00100")
    return certificate, when, algorithm


def _find_certificate(sid, certificates):
    chosen = sid.chosen
    for cert in certificates:
        if sid.name == "issuer_and_serial_number":
            if (cert.issuer == chosen["issuer"]
                    and cert.serial_number == chosen["serial_number"].native):
                return cert
        elif cert.key_identifier == chosen.native:
            return cert
    raise SignatureError("the signer's certificate is not in the envelope")


def _utc(when: datetime) -> datetime:
    if when.tzinfo is None:
        return when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def _not_before(cert: x509.Certificate) -> datetime:
    return _utc(cert.not_valid_before_utc if hasattr(cert, "not_valid_before_utc")
                else cert.not_valid_before)


def _not_after(cert: x509.Certificate) -> datetime:
    return _utc(cert.not_valid_after_utc if hasattr(cert, "not_valid_after_utc")
                else cert.not_valid_after)


def _valid_at(cert: x509.Certificate, when: datetime) -> bool:
    return _not_before(cert) <= when <= _not_after(cert)


__all__ = [
    "SignatureError",
    "Signer",
    "SigningError",
    "Verified",
    "load_pkcs12",
    "sign",
    "sign_with",
    "verify",
]
