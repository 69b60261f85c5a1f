# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Checks the SdI makes that the XSD cannot express.

Each check is a generator of :class:`~fatturapa_bridge.problems.Problem`;
:func:`check` runs them all and returns every problem at once, so that one
round of corrections fixes the invoice. Codes are the SdI's own (the
"Elenco controlli" of the AdE technical specification 1.9) where the SdI has
one. Checks the SdI does not make but that a correct invoice needs carry a
code without digits (``CF``, ``BOLLO``, ``TOTALE``, ``TD04``); the advisory
ones are warnings. :data:`SDI_CHECKS` lists what the SdI checks and where
this package checks it; the README's table is built from the same list.

Paths use the XML element names with 1-based indexes, e.g.
``FatturaElettronicaBody[1]/DatiBeniServizi/DettaglioLinee[3]/Natura``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from stdnum.it import codicefiscale, iva

from .amounts import (
    HUNDRED,
    STAMP_DUTY_THRESHOLD,
    ZERO,
    cents,
    document_total,
    line_total,
    stamp_duty_base,
    summary_key,
)
from .model import (
    FOREIGN_RECIPIENT_CODE,
    GENERIC_NATURE_CODES,
    NO_RECIPIENT_CODE,
    Body,
    FiscalId,
    Invoice,
    field_specs,
)
from .problems import Problem

#: 00421: Imposta may differ from ImponibileImporto x AliquotaIVA by a cent.
TAX_TOLERANCE = Decimal("0.01")
#: 00422: ImponibileImporto may differ from the sum of the lines by 1 euro.
TAXABLE_TOLERANCE = Decimal("1.00")
#: 00423: PrezzoTotale may differ from its computation by a cent.
LINE_TOLERANCE = Decimal("0.01")
#: TOTALE: ImportoTotaleDocumento may differ from its computation by a cent.
TOTAL_TOLERANCE = Decimal("0.01")

#: 00471: document types where seller and buyer must differ.
MUST_DIFFER = frozenset({
    "TD01", "TD02", "TD03", "TD06", "TD16", "TD17", "TD18", "TD19", "TD20",
    "TD24", "TD25", "TD28",
})
#: 00472: document types where seller and buyer must be the same subject.
MUST_MATCH = frozenset({"TD21", "TD27"})
#: 00473: self-invoices for purchases from abroad: the seller is not Italian.
FOREIGN_SELLER = frozenset({"TD17", "TD18", "TD19"})
#: 00473: purchases from San Marino with VAT on a paper invoice.
SAN_MARINO_SELLER = frozenset({"TD28"})
#: 00475: integrations and self-invoices, issued by the buyer, who needs a
#: VAT number.
BUYER_VAT_REQUIRED = frozenset({"TD16", "TD17", "TD18", "TD19", "TD20", "TD22", "TD23"})
#: 00401/00430: a TD16 (internal reverse charge integration) states the rate
#: and keeps the N6.x Natura of the invoice it integrates.
NATURE_WITH_RATE = frozenset({"TD16"})

#: The SdI's own PEC addresses (sdiNN@pec.fatturapa.it) cannot be a
#: recipient: check 00330.
_SDI_PEC = re.compile(r"^sdi\d*@pec\.fatturapa\.it$", re.IGNORECASE)
#: Characters XML 1.0 cannot carry at all: lxml refuses them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_KIND_TYPES = {"str": str, "int": int, "date": date, "dec": Decimal, "bytes": bytes}

#: The SdI's list of checks ("Elenco controlli", AdE specification 1.9, FPA12
#: and FPR12) and where this package makes each one: ``rules`` (:func:`check`,
#: on a model), ``validate`` (:func:`fatturapa_bridge.validate.validate_bytes`,
#: on a file's bytes), ``schema`` (the XSD), or ``SdI`` for the checks only
#: the SdI can make (its registers, its archive of received files, its trust
#: store). The README's checks table is this list.
SDI_CHECKS: tuple[tuple[str, str, str], ...] = (
    # file name, size, signature: the file as it travels
    ("00001", "file name breaks the naming rule", "validate"),
    ("00002", "file name already received (also after a rejection)", "SdI"),
    ("00003", "file larger than 5 MB", "validate"),
    ("00102", "signed file not intact, or its signature does not verify", "validate"),
    ("00100", "signing certificate expired (at the signing time)", "validate"),
    ("00101", "signing certificate revoked", "SdI"),
    ("00104", "signing CA not in the trusted list of qualified CAs", "SdI"),
    ("00107", "signing certificate not valid (chain, usage)", "SdI"),
    ("00103", "signature without time reference (signing time)", "validate"),
    ("00105", "signing time later than the receipt", "validate"),
    ("00106", "zip archive empty or unreadable (this package writes no archives)", "SdI"),
    ("00200", "file not conforming to the schema; a text XML cannot carry", "schema"),
    ("00201", "more format errors than the SdI reports (this package lists them all)", "SdI"),
    # validity of the content
    ("00300", "IdTrasmittente: not a valid partita IVA or codice fiscale", "rules"),
    ("00301", "seller's partita IVA: check digit", "rules"),
    ("00303", "tax representative's partita IVA (seller's or buyer's): check digit", "rules"),
    ("00305", "buyer's partita IVA: check digit", "rules"),
    ("00306", "buyer's codice fiscale: check characters", "rules"),
    ("00311", "CodiceDestinatario not registered at the SdI", "SdI"),
    ("00312", "CodiceDestinatario not active", "SdI"),
    ("00313", "CodiceDestinatario XXXXXXX for a buyer established in Italy", "rules"),
    ("00320", "seller's partita IVA ceased or not in the tax register", "SdI"),
    ("00321", "VAT group: codice fiscale of the member not given", "SdI"),
    ("00322", "VAT group: codice fiscale not of a member", "SdI"),
    ("00323", "self-invoice with a partita IVA ceased for more than 5 years", "SdI"),
    ("00324", "buyer's partita IVA and codice fiscale not matching in the register", "SdI"),
    ("00325", "VAT group of the buyer: codice fiscale of the member not given", "SdI"),
    ("00326", "VAT group of the buyer: codice fiscale not of a member", "SdI"),
    ("00330", "PECDestinatario is a PEC address of the SdI", "rules"),
    ("00398", "office code of a PA that has more specific offices (IPA)", "SdI"),
    ("00399", "CodiceDestinatario 999999 for a PA present in the IPA", "SdI"),
    # coherence of the content
    ("00400", "line with AliquotaIVA 0 without Natura", "rules"),
    ("00401", "line with Natura and AliquotaIVA not 0 (except TD16)", "rules"),
    ("00403", "document date later than the receipt", "rules"),
    ("00404", "invoice already received (same seller, type, year, number)", "SdI"),
    ("00409", "invoice twice in the same file (lot)", "rules"),
    ("00411", "line with Ritenuta SI without DatiRitenuta", "rules"),
    ("00413", "pension fund contribution with AliquotaIVA 0 without Natura", "rules"),
    ("00414", "pension fund contribution with Natura and AliquotaIVA not 0", "rules"),
    ("00415", "contribution with Ritenuta SI without DatiRitenuta", "rules"),
    ("00417", "buyer without IdFiscaleIVA and CodiceFiscale", "rules"),
    ("00418", "document dated before the invoice it links", "rules"),
    ("00419", "a rate of the lines without DatiRiepilogo", "rules"),
    ("00420", "split payment (EsigibilitaIVA S) with reverse charge Natura N6.x", "rules"),
    ("00421", "Imposta not ImponibileImporto x AliquotaIVA (1 cent tolerance)", "rules"),
    ("00422", "ImponibileImporto not the lines' total with Arrotondamento (1 EUR tolerance)",
     "rules"),
    ("00423", "PrezzoTotale not unit price x quantity with discounts (1 cent tolerance)",
     "rules"),
    ("00424", "AliquotaIVA not written as a percentage", "rules"),
    ("00425", "invoice number without a digit", "rules"),
    ("00426", "PECDestinatario with a CodiceDestinatario other than 0000000", "rules"),
    ("00427", "CodiceDestinatario of 7 characters for FPA12, or 6 for FPR12", "rules"),
    ("00428", "FormatoTrasmissione differs from the versione attribute", "validate"),
    ("00429", "summary row with AliquotaIVA 0 without Natura", "rules"),
    ("00430", "summary row with Natura and AliquotaIVA not 0 (except TD16)", "rules"),
    ("00437", "document discount without Percentuale and Importo", "rules"),
    ("00438", "line discount without Percentuale and Importo", "rules"),
    ("00443", "a Natura of the lines without its summary row", "rules"),
    ("00444", "a summary row matching no line or contribution", "rules"),
    ("00445", "generic Natura N2, N3, N6 no longer accepted", "rules"),
    ("00460", "simplified invoice over 400 EUR (FSM10, not handled by this package)", "SdI"),
    ("00471", "seller equal to buyer for TD01-03, 06, 16-20, 24, 25, 28", "rules"),
    ("00472", "seller different from buyer for TD21, TD27", "rules"),
    ("00473", "Italian seller for TD17-TD19; seller not of San Marino for TD28", "rules"),
    ("00474", "TD21 with a line at AliquotaIVA 0", "rules"),
    ("00475", "buyer without IdFiscaleIVA for TD16-TD20, TD22, TD23", "rules"),
    ("00476", "seller and buyer both foreign", "rules"),
)

_HEADER = "FatturaElettronicaHeader"
_ROME = ZoneInfo("Europe/Rome")


def check(invoice: Invoice, *, today: date | None = None,
          values: bool = True) -> list[Problem]:
    """Run every check on ``invoice``.

    :param invoice: a completed invoice (see
        :func:`fatturapa_bridge.amounts.complete`) or one read from a file.
    :param today: the day the SdI receives the file (check 00403: no
        document dated later), by default today in Italy.
    :param values: run :func:`check_values` (a caller that just did skips it).
    :return: all problems found, errors and warnings, in document order.
    """
    if today is None:
        today = datetime.now(_ROME).date()
    problems: list[Problem] = []
    if values:
        kinds, problems = value_problems(invoice)
        if kinds:
            # Values of the wrong kind would make the other checks meaningless.
            return kinds + problems
    if invoice.header is not None:
        for rule in HEADER_RULES:
            problems.extend(rule(invoice))
    for index, body in enumerate(invoice.bodies, 1):
        if body.general is None or body.general.document is None or body.goods is None:
            continue  # a broken file: the schema check names what is missing
        prefix = f"FatturaElettronicaBody[{index}]"
        for rule in BODY_RULES:
            problems.extend(rule(invoice, body, prefix, today))
    return problems


def errors(problems: list[Problem]) -> list[Problem]:
    """Only the problems that make the SdI reject the file."""
    return [p for p in problems if p.is_error]


# ------------------------------------------------------------------- values


def check_values(invoice: Invoice) -> Iterator[Problem]:
    """00200: every value has the kind of its field (text, number, date...)
    and no text holds a character XML cannot carry (a control character),
    which would make the file unwritable. The path names the field; see
    :func:`fatturapa_bridge.clean.clean` to remove such characters."""
    kinds, texts = value_problems(invoice)
    yield from kinds
    yield from texts


def value_problems(invoice: Invoice) -> tuple[list[Problem], list[Problem]]:
    """The problems of :func:`check_values`, split in two lists: values of
    the wrong kind, and texts with characters XML cannot carry.

    :param invoice: any invoice.
    :return: ``(kinds, texts)``.
    """
    kinds: list[Problem] = []
    texts: list[Problem] = []
    # Runs on every render: a direct walk that builds a path only for a
    # problem (iter_values makes one object per value).
    _scan(invoice, [], kinds, texts)
    return kinds, texts


def _scan(obj, path: list[str], kinds: list[Problem], texts: list[Problem]) -> None:
    for spec in field_specs(type(obj)):
        value = getattr(obj, spec.attr)
        if value is None:
            continue
        if not spec.many:
            path.append(spec.tag)
            _scan_value(spec, value, path, kinds, texts)
            path.pop()
        elif type(value) is not list:
            kinds.append(Problem("00200", "/".join([*path, spec.tag]),
                                 f"expected a list, got {type(value).__name__}"))
        else:
            for index, item in enumerate(value, 1):
                if item is not None:
                    path.append(f"{spec.tag}[{index}]")
                    _scan_value(spec, item, path, kinds, texts)
                    path.pop()


def _scan_value(spec, value, path, kinds, texts) -> None:
    kind = spec.kind
    if kind == "str":
        if type(value) is str or isinstance(value, str):
            bad = _XML_INVALID.search(value)
            if bad:
                texts.append(Problem("00200", "/".join(path),
                                     f"control character U+{ord(bad.group()):04X} at position "
                                     f"{bad.start() + 1}: XML cannot carry it"))
            return
    elif kind == "obj":
        if isinstance(value, spec.cls):
            _scan(value, path, kinds, texts)
            return
        kinds.append(Problem("00200", "/".join(path), f"expected a {spec.cls.__name__}, got "
                             f"{type(value).__name__}"))
        return
    elif kind == "dec":
        if isinstance(value, Decimal):
            if not value.is_finite():
                kinds.append(Problem("00200", "/".join(path), f"{value} is not a finite number"))
            return
    elif isinstance(value, _KIND_TYPES[kind]) and not isinstance(value, bool):
        return
    kinds.append(Problem("00200", "/".join(path), f"expected {_KIND_TYPES[kind].__name__}, "
                         f"got {type(value).__name__} {value!r:.40}"))


# -------------------------------------------------------------- identifiers


# The same few identifiers (the company's, its regular customers') come back
# on every invoice, and python-stdnum takes a fraction of a millisecond.
_iva_valid = lru_cache(maxsize=4096)(iva.is_valid)
_cf_valid = lru_cache(maxsize=4096)(codicefiscale.is_valid)


def _vat_ok(fid: FiscalId | None) -> bool:
    if fid is None or fid.country != "IT" or not fid.code:
        return True  # foreign numbers: the SdI does not check their format
    return _iva_valid(fid.code)


def _party_problems(data, base: str, who: str, vat_code: str, cf_code: str) -> Iterator[Problem]:
    """The check digits of the Italian VAT number and of the codice fiscale
    of one party's DatiAnagrafici ``data`` at path ``base``.

    :param who: the party, as the messages name it ("seller", "buyer"...)
    :param vat_code: the problem code of a wrong VAT number
    :param cf_code: the problem code of a wrong codice fiscale
    """
    if not _vat_ok(data.vat):
        yield Problem(vat_code, f"{base}/IdFiscaleIVA",
                      f"{who} VAT number IT{data.vat.code} has a wrong check digit or format")
    if data.fiscal_code and not _cf_valid(data.fiscal_code):
        yield Problem(cf_code, f"{base}/CodiceFiscale", f"{who} codice fiscale {data.fiscal_code!r} is not valid")


def check_identifiers(invoice: Invoice) -> Iterator[Problem]:
    """00300/00301/00303/00305/00306: checksums of Italian VAT numbers and
    tax codes (python-stdnum) of transmitter, seller, tax representatives and
    buyer; 00417 (the buyer needs one of them); ``CF``: the seller's and the
    tax representative's codice fiscale, which the SdI checks against the
    tax register."""
    header = invoice.header
    trans = header.transmission
    if trans and trans.transmitter and trans.transmitter.country == "IT":
        code = trans.transmitter.code or ""
        if not (_iva_valid(code) or _cf_valid(code)):
            yield Problem("00300", f"{_HEADER}/DatiTrasmissione/IdTrasmittente/IdCodice",
                          f"{code!r} is neither a valid partita IVA nor a valid codice fiscale")
    seller = header.seller.data if header.seller else None
    if seller is not None:
        yield from _party_problems(seller, f"{_HEADER}/CedentePrestatore/DatiAnagrafici", "seller", "00301", "CF")
    rep = header.tax_representative.data if header.tax_representative else None
    if rep is not None:
        yield from _party_problems(rep, f"{_HEADER}/RappresentanteFiscale/DatiAnagrafici", "tax representative",
                                   "00303", "CF")
    buyer = header.buyer.data if header.buyer else None
    if buyer is not None:
        base = f"{_HEADER}/CessionarioCommittente/DatiAnagrafici"
        yield from _party_problems(buyer, base, "buyer", "00305", "00306")
        if buyer.vat is None and not buyer.fiscal_code:
            yield Problem("00417", base,
                          "the buyer needs IdFiscaleIVA or CodiceFiscale (at least one)")
    buyer_rep = header.buyer.tax_representative if header.buyer else None
    if buyer_rep is not None and not _vat_ok(buyer_rep.vat):
        yield Problem("00303", f"{_HEADER}/CessionarioCommittente/RappresentanteFiscale/"
                      "IdFiscaleIVA", f"buyer's tax representative VAT number "
                      f"IT{buyer_rep.vat.code} has a wrong check digit or format")


def check_recipient(invoice: Invoice) -> Iterator[Problem]:
    """00426, 00427, 00313, 00330: recipient code against format, PEC and
    the buyer's country; no PEC address of the SdI itself."""
    trans = invoice.header.transmission
    if trans is None:
        return
    base = f"{_HEADER}/DatiTrasmissione"
    code = trans.recipient_code or ""
    expected = 6 if trans.format == "FPA12" else 7
    if len(code) != expected:
        yield Problem(
            "00427", f"{base}/CodiceDestinatario",
            f"CodiceDestinatario {code!r} has {len(code)} characters; {trans.format} needs "
            f"{expected} ({'office code of the PA' if expected == 6 else 'SdI channel code'})",
        )
    if trans.pec and code != NO_RECIPIENT_CODE:
        yield Problem("00426", f"{base}/PECDestinatario",
                      f"PECDestinatario is allowed only with CodiceDestinatario "
                      f"{NO_RECIPIENT_CODE}, not {code!r}")
    if trans.pec and _SDI_PEC.match(trans.pec.strip()):
        yield Problem("00330", f"{base}/PECDestinatario",
                      f"{trans.pec} is a PEC address of the SdI itself, not of the recipient")
    buyer = invoice.header.buyer
    if code == FOREIGN_RECIPIENT_CODE and buyer is not None:
        italian = (buyer.data and buyer.data.vat and buyer.data.vat.country == "IT") or (
            buyer.address is not None and buyer.address.country == "IT"
        )
        if italian:
            yield Problem("00313", f"{base}/CodiceDestinatario",
                          f"CodiceDestinatario {FOREIGN_RECIPIENT_CODE} is only for buyers "
                          "established abroad; this buyer is Italian")


def _same_vat(seller, buyer) -> bool:
    a, b = seller.vat, buyer.vat
    return bool(a and b and a.country == b.country and a.code == b.code)


def _same_subject(seller, buyer) -> bool:
    if buyer.vat is not None:
        return _same_vat(seller, buyer)
    # A buyer identified by codice fiscale only is the seller when it is the
    # seller's codice fiscale (or its VAT number, for companies).
    a = seller.vat
    return bool(buyer.fiscal_code) and buyer.fiscal_code in {seller.fiscal_code,
                                                             a.code if a else None}


def check_parties(invoice: Invoice) -> Iterator[Problem]:
    """00471/00472 (seller and buyer must differ, or coincide, by document
    type), 00473 (self-invoices for foreign purchases need a foreign
    seller, TD28 one from San Marino), 00475 (documents issued by the buyer
    need its VAT number), 00476 (seller and buyer cannot both be foreign)."""
    header = invoice.header
    seller = header.seller.data if header.seller else None
    buyer = header.buyer.data if header.buyer else None
    if seller is None or buyer is None:
        return
    # 00471 compares the VAT numbers; 00472 accepts a buyer given by the
    # seller's codice fiscale (a self-invoice to a company without its VAT).
    same_vat = _same_vat(seller, buyer)
    same = _same_subject(seller, buyer)
    seller_country = seller.vat.country if seller.vat else None
    for index, body in enumerate(invoice.bodies, 1):
        doc = body.general.document if body.general else None
        doc_type = doc.type if doc else None
        path = f"FatturaElettronicaBody[{index}]/DatiGenerali/DatiGeneraliDocumento/TipoDocumento"
        if same_vat and doc_type in MUST_DIFFER:
            yield Problem("00471", path,
                          f"for {doc_type} the seller and the buyer cannot be the same subject")
        if not same and doc_type in MUST_MATCH:
            yield Problem("00472", path,
                          f"for {doc_type} the seller and the buyer must be the same subject")
        if doc_type in FOREIGN_SELLER and seller_country == "IT":
            yield Problem("00473", f"{_HEADER}/CedentePrestatore/DatiAnagrafici/IdFiscaleIVA/"
                          "IdPaese", f"{doc_type} integrates a purchase from abroad: the "
                          "seller cannot be Italian (IdPaese IT)")
        if doc_type in SAN_MARINO_SELLER and seller_country != "SM":
            yield Problem("00473", f"{_HEADER}/CedentePrestatore/DatiAnagrafici/IdFiscaleIVA/"
                          "IdPaese", f"{doc_type} records a purchase from San Marino: the "
                          f"seller's IdPaese must be SM, not {seller_country}")
        if doc_type in BUYER_VAT_REQUIRED and buyer.vat is None:
            yield Problem("00475", f"{_HEADER}/CessionarioCommittente/DatiAnagrafici/"
                          "IdFiscaleIVA", f"{doc_type} is issued by the buyer, whose "
                          "IdFiscaleIVA is required")
    if seller_country and seller_country != "IT" and buyer.vat and buyer.vat.country != "IT":
        yield Problem("00476", f"{_HEADER}/CessionarioCommittente/DatiAnagrafici/IdFiscaleIVA/"
                      "IdPaese", f"seller ({seller_country}) and buyer ({buyer.vat.country}) "
                      "cannot both be foreign: one of them must be Italian (IT)")


def check_lot(invoice: Invoice) -> Iterator[Problem]:
    """00409: an invoice appears twice in the same file (a lot): same
    document type, year and number."""
    seen: dict[tuple, int] = {}
    for index, body in enumerate(invoice.bodies, 1):
        doc = body.general.document if body.general else None
        if doc is None or doc.number is None or doc.date is None:
            continue
        key = (doc.type, doc.date.year, doc.number)
        if key in seen:
            yield Problem("00409", f"FatturaElettronicaBody[{index}]/DatiGenerali/"
                          "DatiGeneraliDocumento/Numero",
                          f"{doc.type} {doc.number} of {doc.date.year} is already the "
                          f"FatturaElettronicaBody[{seen[key]}] of this file")
        else:
            seen[key] = index


HEADER_RULES = (check_identifiers, check_recipient, check_parties, check_lot)


# --------------------------------------------------------------------- body


def check_document(invoice: Invoice, body: Body, prefix: str, today: date) -> Iterator[Problem]:
    """00403 (document dated after its receipt), 00425 (number has a digit),
    00418 (date after linked invoices), 00411/00415 (ritenuta without
    DatiRitenuta), 00437 (discount without value); warnings: ``BOLLO``
    (stamp duty not stated although amounts outside VAT exceed 77.47 EUR),
    ``TOTALE`` (ImportoTotaleDocumento differs from summary rows, document
    discounts and rounding), ``TD04`` (credit note without the invoice it
    corrects)."""
    doc = body.general.document
    base = f"{prefix}/DatiGenerali/DatiGeneraliDocumento"
    if doc.date is not None and doc.date > today:
        yield Problem("00403", f"{base}/Data",
                      f"document date {doc.date} is later than the day the SdI receives it "
                      f"({today})")
    if doc.number is not None and not re.search(r"\d", doc.number):
        yield Problem("00425", f"{base}/Numero",
                      f"invoice number {doc.number!r} must contain at least one digit")
    for i, linked in enumerate(body.general.linked_invoices, 1):
        if linked.date and doc.date and doc.date < linked.date:
            yield Problem("00418", f"{prefix}/DatiGenerali/DatiFattureCollegate[{i}]/Data",
                          f"document date {doc.date} is earlier than the linked invoice "
                          f"date {linked.date}")
    if not doc.withholdings:
        for i, line in enumerate(body.goods.lines, 1):
            if line.withholding == "SI":
                yield Problem("00411", f"{prefix}/DatiBeniServizi/DettaglioLinee[{i}]/Ritenuta",
                              "line subject to withholding but DatiRitenuta is missing")
        for i, fund in enumerate(doc.pension_funds, 1):
            if fund.withholding == "SI":
                yield Problem("00415", f"{base}/DatiCassaPrevidenziale[{i}]/Ritenuta",
                              "contribution subject to withholding but DatiRitenuta is missing")
    yield from _discount_checks(doc.discounts, base, "00437")
    exempt = stamp_duty_base(body)
    if exempt > STAMP_DUTY_THRESHOLD and doc.stamp is None:
        # The stamp is the seller's tax matter, not a reason for the SdI to
        # reject the file.
        yield Problem("BOLLO", f"{base}/DatiBollo",
                      f"amounts outside VAT total {cents(exempt)} EUR, above "
                      f"{STAMP_DUTY_THRESHOLD}: stamp duty is due (DatiBollo, BolloVirtuale SI)",
                      severity="warning")
    if doc.total is not None and body.goods.summaries:
        expected = document_total(body)
        if abs(doc.total - expected) > TOTAL_TOLERANCE:
            yield Problem("TOTALE", f"{base}/ImportoTotaleDocumento",
                          f"ImportoTotaleDocumento {doc.total} differs from the summary rows "
                          f"with document discounts and rounding = {expected}",
                          severity="warning")
    if doc.type == "TD04" and not body.general.linked_invoices:
        yield Problem("TD04", f"{prefix}/DatiGenerali/DatiFattureCollegate",
                      "credit note without a reference to the invoice it corrects",
                      severity="warning")


def _discount_checks(discounts, path, code) -> Iterator[Problem]:
    """``code`` on each discount or surcharge of ``discounts`` (under
    ``path``) that has neither a percentage nor an amount."""
    for i, discount in enumerate(discounts, 1):
        if discount.percent is None and discount.amount is None:
            yield Problem(code, f"{path}/ScontoMaggiorazione[{i}]",
                          "discount/surcharge needs Percentuale or Importo")


def _rate_checks(rate, nature, path, zero_code, nonzero_code, doc_type) -> Iterator[Problem]:
    if rate is None:
        return
    if rate == 0 and not nature:
        yield Problem(zero_code, f"{path}/Natura",
                      "AliquotaIVA is 0: Natura (N1..N7) is required")
    elif rate != 0 and nature and doc_type not in NATURE_WITH_RATE:
        yield Problem(nonzero_code, f"{path}/Natura",
                      f"Natura {nature} is not allowed with AliquotaIVA {rate}")
    if 0 < rate < 1:
        yield Problem("00424", f"{path}/AliquotaIVA",
                      f"AliquotaIVA {rate} is not a percentage: write {rate * HUNDRED:g} "
                      f"for {rate * HUNDRED:g} %")
    if nature in GENERIC_NATURE_CODES:
        yield Problem("00445", f"{path}/Natura",
                      f"generic Natura {nature} is no longer accepted; use a sub-code "
                      f"({nature}.1, {nature}.2, ...)")


def check_lines(invoice: Invoice, body: Body, prefix: str, today: date) -> Iterator[Problem]:
    """00400/00401/00424/00445 and 00423 on every line, 00438 on line
    discounts, 00474 (no zero rate in a TD21), 00413/00414/00424 on pension
    fund contributions."""
    doc_type = body.general.document.type
    for i, line in enumerate(body.goods.lines, 1):
        path = f"{prefix}/DatiBeniServizi/DettaglioLinee[{i}]"
        yield from _rate_checks(line.vat_rate, line.nature, path, "00400", "00401", doc_type)
        if doc_type == "TD21" and line.vat_rate == 0:
            yield Problem("00474", f"{path}/AliquotaIVA",
                          "a TD21 (self-invoice for exceeding the plafond) charges VAT on "
                          "every line: AliquotaIVA 0 is not allowed")
        yield from _discount_checks(line.discounts, path, "00438")
        expected = line_total(line)
        if line.total is not None and expected is not None:
            if abs(line.total - expected) > LINE_TOLERANCE:
                yield Problem("00423", f"{path}/PrezzoTotale",
                              f"PrezzoTotale {line.total} differs from unit price x quantity "
                              f"with discounts = {expected}")
    for i, fund in enumerate(body.general.document.pension_funds, 1):
        path = f"{prefix}/DatiGenerali/DatiGeneraliDocumento/DatiCassaPrevidenziale[{i}]"
        yield from _rate_checks(fund.vat_rate, fund.nature, path, "00413", "00414", None)


def check_summary(invoice: Invoice, body: Body, prefix: str, today: date) -> Iterator[Problem]:
    """00429/00430/00424/00445 on summary rows, 00419/00443/00444 (every
    rate and Natura of lines and contributions has its summary row and vice
    versa), 00420 (no split payment with reverse charge), 00421 (tax, one
    cent tolerance), 00422 (taxable amount with its Arrotondamento, 1 EUR
    tolerance)."""
    base = f"{prefix}/DatiBeniServizi"
    doc_type = body.general.document.type
    detail: dict[tuple, Decimal] = {}
    origin: dict[tuple, str] = {}
    for i, line in enumerate(body.goods.lines, 1):
        total = line.total if line.total is not None else line_total(line)
        if line.vat_rate is None or total is None:
            continue
        key = summary_key(line.vat_rate, line.nature)
        detail[key] = detail.get(key, ZERO) + total
        origin.setdefault(key, f"{base}/DettaglioLinee[{i}]")
    for i, fund in enumerate(body.general.document.pension_funds, 1):
        if fund.vat_rate is None:
            continue
        key = summary_key(fund.vat_rate, fund.nature)
        detail[key] = detail.get(key, ZERO) + (fund.amount or ZERO)
        origin.setdefault(
            key, f"{prefix}/DatiGenerali/DatiGeneraliDocumento/DatiCassaPrevidenziale[{i}]")

    summary: dict[tuple, list] = {}
    for i, row in enumerate(body.goods.summaries, 1):
        path = f"{base}/DatiRiepilogo[{i}]"
        yield from _rate_checks(row.vat_rate, row.nature, path, "00429", "00430", doc_type)
        if row.vat_rate is None:
            continue
        key = summary_key(row.vat_rate, row.nature)
        entry = summary.setdefault(key, [ZERO, path])
        entry[0] += row.taxable or ZERO
        if row.nature and row.nature.startswith("N6") and row.exigibility == "S":
            yield Problem("00420", f"{path}/EsigibilitaIVA",
                          f"split payment (EsigibilitaIVA S) is not allowed with reverse "
                          f"charge Natura {row.nature}")
        if row.taxable is not None and row.tax is not None:
            expected_tax = cents(row.taxable * row.vat_rate / HUNDRED)
            if abs(row.tax - expected_tax) > TAX_TOLERANCE:
                yield Problem("00421", f"{path}/Imposta",
                              f"Imposta {row.tax} differs from ImponibileImporto x AliquotaIVA "
                              f"= {expected_tax}")
        if row.rounding is not None:
            entry[0] -= row.rounding

    summary_rates = {k[0] for k in summary}
    for key, path in origin.items():
        if key in summary:
            continue
        rate, nature = key
        label = f"AliquotaIVA {rate}" + (f" Natura {nature}" if nature else "")
        if rate not in summary_rates:
            yield Problem("00419", f"{base}/DatiRiepilogo",
                          f"no DatiRiepilogo for {label} used in {path}")
        else:
            yield Problem("00443", f"{base}/DatiRiepilogo",
                          f"no DatiRiepilogo matches {label} used in {path}")
    for key, (taxable, path) in summary.items():
        if key not in detail:
            rate, nature = key
            label = f"AliquotaIVA {rate}" + (f" Natura {nature}" if nature else "")
            yield Problem("00444", path, f"DatiRiepilogo for {label} matches no line "
                          "or contribution")
            continue
        expected = detail[key]
        if abs(taxable - expected) > TAXABLE_TOLERANCE:
            yield Problem("00422", f"{path}/ImponibileImporto",
                          f"ImponibileImporto less Arrotondamento {cents(taxable)} differs "
                          f"from the lines' total {cents(expected)} by more than "
                          f"{TAXABLE_TOLERANCE} EUR")


BODY_RULES = (check_document, check_lines, check_summary)
