# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""SdI receipts and notifications (messages schema 1.1) into a typed result
that says what state the invoice is in now.

===  ==============================  =================================
RC   Ricevuta di consegna            delivered to the recipient
NS   Notifica di scarto              rejected by the SdI (errors listed)
MC   Notifica di mancata consegna    not delivered; in the buyer's area
NE   Notifica esito (EC01/EC02)      accepted / refused by the PA
DT   Notifica decorrenza termini     PA did not answer in 15 days
AT   Attestazione di trasmissione    PA unreachable; file attested
MT   Metadati invio file             metadata of a received invoice
EC   Notifica esito committente      the PA's outcome, as it sends it
SE   Scarto esito committente        the SdI refused the PA's outcome
===  ==============================  =================================
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from .parse import read_xml
from .problems import ParseError

MESSAGES_NAMESPACE = "http://www.fatturapa.gov.it/sdi/messaggi/v1.0"

KINDS = {
    "RicevutaConsegna": "RC",
    "NotificaScarto": "NS",
    "NotificaMancataConsegna": "MC",
    "NotificaEsito": "NE",
    "NotificaDecorrenzaTermini": "DT",
    "AttestazioneTrasmissioneFattura": "AT",
    "MetadatiInvioFile": "MT",
    "NotificaEsitoCommittente": "EC",
    "ScartoEsitoCommittente": "SE",
}


class InvoiceState(str, enum.Enum):
    """Where an invoice stands after a receipt."""

    DELIVERED = "delivered"
    REJECTED = "rejected"  # by the SdI: fix it and send it again with a new file name
    NOT_DELIVERED = "not_delivered"  # the SdI keeps it in the buyer's reserved area
    ACCEPTED = "accepted"  # by the public administration (EC01)
    REFUSED = "refused"  # by the public administration (EC02): issue a credit note
    TERMS_EXPIRED = "terms_expired"  # no answer from the PA within 15 days
    UNDELIVERABLE = "undeliverable"  # attested as transmitted, the PA could not be reached
    RECEIVED = "received"  # an incoming invoice (MT metadata)
    OUTCOME_REJECTED = "outcome_rejected"  # the SdI refused the PA's EC notification


#: States after which the SdI sends nothing more about the invoice.
FINAL_STATES = {
    InvoiceState.REJECTED, InvoiceState.ACCEPTED, InvoiceState.REFUSED,
    InvoiceState.TERMS_EXPIRED, InvoiceState.UNDELIVERABLE,
}


@dataclass(frozen=True, slots=True)
class ReceiptError:
    """One error of an NS receipt."""

    code: str
    description: str
    suggestion: str | None = None


@dataclass(frozen=True, slots=True)
class InvoiceRef:
    """RiferimentoFattura: which invoice of a batch the outcome is about."""

    number: str | None
    year: int | None
    position: int | None


@dataclass(frozen=True, slots=True)
class Receipt:
    """A parsed SdI message."""

    kind: str
    state: InvoiceState
    sdi_id: str | None
    file_name: str | None = None
    received_at: datetime | None = None
    delivered_at: datetime | None = None
    recipient_code: str | None = None
    recipient_name: str | None = None
    outcome: str | None = None  # EC01/EC02 (NE, EC) or EN00/EN01 (SE)
    description: str | None = None
    invoice_ref: InvoiceRef | None = None
    errors: list[ReceiptError] = field(default_factory=list)
    message_id: str | None = None
    note: str | None = None
    original_hash: str | None = None

    @property
    def is_final(self) -> bool:
        """True when no further SdI message will change the state."""
        return self.state in FINAL_STATES


def _text(parent, path):
    value = parent.findtext(path)
    return value.strip() if value is not None else None


def _datetime(parent, path):
    text = _text(parent, path)
    if not text:
        return None
    try:
        # Python 3.10 does not read the "Z" suffix.
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ParseError(f"{path}: {text!r} is not a date-time") from None


def _int(parent, path):
    text = _text(parent, path)
    try:
        return int(text) if text else None
    except ValueError:
        raise ParseError(f"{path}: {text!r} is not a number") from None


def parse_receipt(data: bytes) -> Receipt:
    """Parse an SdI receipt or notification (XML or ``.p7m``).

    :param data: the file content.
    :return: the :class:`Receipt`.
    :raises ParseError: when the file is not an SdI message.
    """
    root = read_xml(data)
    qname = etree.QName(root)
    kind = KINDS.get(qname.localname)
    if kind is None:
        raise ParseError(f"not an SdI receipt: root element is <{qname.localname}>")
    if qname.namespace != MESSAGES_NAMESPACE:
        raise ParseError(f"unknown SdI messages namespace {qname.namespace!r}")

    common = dict(
        sdi_id=_text(root, "IdentificativoSdI"),
        file_name=_text(root, "NomeFile"),
        message_id=_text(root, "MessageId"),
        note=_text(root, "Note"),
        original_hash=_text(root, "HashFileOriginale"),
        received_at=_datetime(root, "DataOraRicezione"),
        recipient_code=_text(root, "Destinatario/Codice"),
        recipient_name=_text(root, "Destinatario/Descrizione"),
        description=_text(root, "Descrizione"),
    )
    if kind == "RC":
        return Receipt(kind, InvoiceState.DELIVERED,
                       delivered_at=_datetime(root, "DataOraConsegna"), **common)
    if kind == "NS":
        errors = [
            ReceiptError(_text(e, "Codice") or "", _text(e, "Descrizione") or "",
                         _text(e, "Suggerimento"))
            for e in root.iterfind("ListaErrori/Errore")
        ]
        if not errors:
            raise ParseError("NS receipt without ListaErrori")
        return Receipt(kind, InvoiceState.REJECTED, errors=errors, **common)
    if kind == "MC":
        return Receipt(kind, InvoiceState.NOT_DELIVERED, **common)
    if kind in ("NE", "EC"):
        outcome_el = root.find("EsitoCommittente") if kind == "NE" else root
        if outcome_el is None:
            raise ParseError("NE notification without EsitoCommittente")
        outcome = _text(outcome_el, "Esito")
        states = {"EC01": InvoiceState.ACCEPTED, "EC02": InvoiceState.REFUSED}
        if outcome not in states:
            raise ParseError(f"unknown outcome {outcome!r} (expected EC01 or EC02)")
        ref = outcome_el.find("RiferimentoFattura")
        invoice_ref = None
        if ref is not None:
            invoice_ref = InvoiceRef(_text(ref, "NumeroFattura"), _int(ref, "AnnoFattura"),
                                     _int(ref, "PosizioneFattura"))
        common["description"] = _text(outcome_el, "Descrizione") or common["description"]
        return Receipt(kind, states[outcome], outcome=outcome, invoice_ref=invoice_ref,
                       **common)
    if kind == "DT":
        return Receipt(kind, InvoiceState.TERMS_EXPIRED, **common)
    if kind == "AT":
        return Receipt(kind, InvoiceState.UNDELIVERABLE, **common)
    if kind == "MT":
        common["recipient_code"] = _text(root, "CodiceDestinatario")
        return Receipt(kind, InvoiceState.RECEIVED, **common)
    # SE: the SdI refused the buyer's outcome; the invoice state does not move.
    return Receipt(kind, InvoiceState.OUTCOME_REJECTED, outcome=_text(root, "Scarto"),
                   **common)


def validate_receipt(data: bytes):
    """Validate a receipt against MessaggiTypes_v1.1.xsd.

    :return: the list of :class:`~fatturapa_bridge.problems.Problem`.
    """
    from .validate import validate_tree

    return validate_tree(read_xml(data), kind="messages")
