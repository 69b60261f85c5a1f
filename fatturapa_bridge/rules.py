# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Checks the SdI makes that the XSD cannot express.

Each check is a generator of :class:`~fatturapa_bridge.problems.Problem`;
:func:`check` runs them all and returns every problem at once, so that one
round of corrections fixes the invoice. Codes are the SdI's own (the
"Elenco controlli" of the AdE technical specification) where the SdI has one.
Checks the SdI does not make but that a correct invoice needs carry a
code without digits (``BOLLO``, ``CF``), and advisory ones are warnings.

Paths use the XML element names with 1-based indexes, e.g.
``FatturaElettronicaBody[1]/DatiBeniServizi/DettaglioLinee[3]/Natura``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from stdnum.it import codicefiscale, iva

from .amounts import (
    HUNDRED,
    STAMP_DUTY_THRESHOLD,
    ZERO,
    cents,
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
)
from .problems import Problem

#: 00421: Imposta may differ from ImponibileImporto x AliquotaIVA by a cent.
TAX_TOLERANCE = Decimal("0.01")
#: 00422: ImponibileImporto may differ from the sum of the lines by 1 euro.
TAXABLE_TOLERANCE = Decimal("1.00")
#: 00423: PrezzoTotale may differ from its computation by a cent.
LINE_TOLERANCE = Decimal("0.01")

#: 00471: document types where seller and buyer must differ.
MUST_DIFFER = {
    "TD01", "TD02", "TD03", "TD06", "TD16", "TD17", "TD18", "TD19", "TD20",
    "TD24", "TD25", "TD28",
}
#: 00472: document types where seller and buyer must be the same subject.
MUST_MATCH = {"TD21", "TD27"}

_HEADER = "FatturaElettronicaHeader"


def check(invoice: Invoice) -> list[Problem]:
    """Run every check on ``invoice``.

    :param invoice: a completed invoice (see
        :func:`fatturapa_bridge.amounts.complete`) or one read from a file.
    :return: all problems found, errors and warnings, in document order.
    """
    problems: list[Problem] = []
    for rule in HEADER_RULES:
        problems.extend(rule(invoice))
    for index, body in enumerate(invoice.bodies, 1):
        prefix = f"FatturaElettronicaBody[{index}]"
        for rule in BODY_RULES:
            problems.extend(rule(invoice, body, prefix))
    return problems


def errors(problems: list[Problem]) -> list[Problem]:
    """Only the problems that make the SdI reject the file."""
    return [p for p in problems if p.is_error]


# -------------------------------------------------------------- identifiers


def _vat_ok(fid: FiscalId | None) -> bool:
    if fid is None or fid.country != "IT" or not fid.code:
        return True  # foreign numbers: the SdI does not check their format
    return iva.is_valid(fid.code)


def check_identifiers(invoice: Invoice) -> Iterator[Problem]:
    """00300/00301/00305/00306: checksums of Italian VAT numbers and tax codes
    (python-stdnum), plus the seller's codice fiscale."""
    header = invoice.header
    trans = header.transmission
    if trans and trans.transmitter and trans.transmitter.country == "IT":
        code = trans.transmitter.code or ""
        if not (iva.is_valid(code) or codicefiscale.is_valid(code)):
            yield Problem("00300", f"{_HEADER}/DatiTrasmissione/IdTrasmittente/IdCodice",
                          f"{code!r} is neither a valid partita IVA nor a valid codice fiscale")
    seller = header.seller.data if header.seller else None
    if seller is not None:
        if not _vat_ok(seller.vat):
            yield Problem("00301", f"{_HEADER}/CedentePrestatore/DatiAnagrafici/IdFiscaleIVA",
                          f"seller VAT number IT{seller.vat.code} has a wrong check digit "
                          "or format")
        if seller.fiscal_code and not codicefiscale.is_valid(seller.fiscal_code):
            yield Problem("CF", f"{_HEADER}/CedentePrestatore/DatiAnagrafici/CodiceFiscale",
                          f"seller codice fiscale {seller.fiscal_code!r} is not valid")
    buyer = header.buyer.data if header.buyer else None
    if buyer is not None:
        base = f"{_HEADER}/CessionarioCommittente/DatiAnagrafici"
        if not _vat_ok(buyer.vat):
            yield Problem("00305", f"{base}/IdFiscaleIVA",
                          f"buyer VAT number IT{buyer.vat.code} has a wrong check digit or format")
        if buyer.fiscal_code and not codicefiscale.is_valid(buyer.fiscal_code):
            yield Problem("00306", f"{base}/CodiceFiscale",
                          f"buyer codice fiscale {buyer.fiscal_code!r} is not valid")
        if buyer.vat is None and not buyer.fiscal_code:
            yield Problem("00417", base,
                          "the buyer needs IdFiscaleIVA or CodiceFiscale (at least one)")


def check_recipient(invoice: Invoice) -> Iterator[Problem]:
    """00426, 00427, 00313: recipient code against format and PEC."""
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
    buyer = invoice.header.buyer
    if code == FOREIGN_RECIPIENT_CODE and buyer is not None:
        italian = (buyer.data and buyer.data.vat and buyer.data.vat.country == "IT") or (
            buyer.address is not None and buyer.address.country == "IT"
        )
        if italian:
            yield Problem("00313", f"{base}/CodiceDestinatario",
                          f"CodiceDestinatario {FOREIGN_RECIPIENT_CODE} is only for buyers "
                          "established abroad; this buyer is Italian")


def check_parties(invoice: Invoice) -> Iterator[Problem]:
    """00471/00472: seller and buyer must differ (or coincide) by type."""
    seller = invoice.header.seller
    buyer = invoice.header.buyer
    if not (seller and buyer and seller.data and buyer.data):
        return
    a, b = seller.data.vat, buyer.data.vat
    same = bool(a and b and a.country == b.country and a.code == b.code)
    for index, body in enumerate(invoice.bodies, 1):
        doc_type = body.general.document.type if body.general and body.general.document else None
        path = f"FatturaElettronicaBody[{index}]/DatiGenerali/DatiGeneraliDocumento/TipoDocumento"
        if same and doc_type in MUST_DIFFER:
            yield Problem("00471", path,
                          f"for {doc_type} the seller and the buyer cannot be the same subject")
        if not same and doc_type in MUST_MATCH and b is not None:
            yield Problem("00472", path,
                          f"for {doc_type} the seller and the buyer must be the same subject")


HEADER_RULES = (check_identifiers, check_recipient, check_parties)


# --------------------------------------------------------------------- body


def check_document(invoice: Invoice, body: Body, prefix: str) -> Iterator[Problem]:
    """00425 (number has a digit), 00418 (date after linked invoices), 00411 /
    00415 (ritenuta without DatiRitenuta), 00437 (discount without value),
    BOLLO (stamp duty when exempt amounts exceed 77.47 EUR), TD04 warning."""
    doc = body.general.document
    base = f"{prefix}/DatiGenerali/DatiGeneraliDocumento"
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
    for i, discount in enumerate(doc.discounts, 1):
        if discount.percent is None and discount.amount is None:
            yield Problem("00437", f"{base}/ScontoMaggiorazione[{i}]",
                          "discount/surcharge needs Percentuale or Importo")
    exempt = stamp_duty_base(body)
    if exempt > STAMP_DUTY_THRESHOLD and doc.stamp is None:
        yield Problem("BOLLO", f"{base}/DatiBollo",
                      f"amounts outside VAT total {exempt} EUR, above {STAMP_DUTY_THRESHOLD}: "
                      "stamp duty (DatiBollo, BolloVirtuale SI) is required")
    if doc.type == "TD04" and not body.general.linked_invoices:
        yield Problem("TD04", f"{prefix}/DatiGenerali/DatiFattureCollegate",
                      "credit note without a reference to the invoice it corrects",
                      severity="warning")


def _nature_checks(rate, nature, path, zero_code, nonzero_code) -> Iterator[Problem]:
    if rate is None:
        return
    if rate == 0 and not nature:
        yield Problem(zero_code, f"{path}/Natura",
                      "AliquotaIVA is 0: Natura (N1..N7) is required")
    elif rate != 0 and nature:
        yield Problem(nonzero_code, f"{path}/Natura",
                      f"Natura {nature} is not allowed with AliquotaIVA {rate}")
    if nature in GENERIC_NATURE_CODES:
        yield Problem("00445", f"{path}/Natura",
                      f"generic Natura {nature} is no longer accepted; use a sub-code "
                      f"({nature}.1, {nature}.2, ...)")


def check_lines(invoice: Invoice, body: Body, prefix: str) -> Iterator[Problem]:
    """00400/00401/00445 and 00423 on every line, 00438 on line discounts,
    00413/00414 on pension fund contributions."""
    for i, line in enumerate(body.goods.lines, 1):
        path = f"{prefix}/DatiBeniServizi/DettaglioLinee[{i}]"
        yield from _nature_checks(line.vat_rate, line.nature, path, "00400", "00401")
        for j, discount in enumerate(line.discounts, 1):
            if discount.percent is None and discount.amount is None:
                yield Problem("00438", f"{path}/ScontoMaggiorazione[{j}]",
                              "discount/surcharge needs Percentuale or Importo")
        if line.total is not None and line.unit_price is not None:
            expected = line_total(line)
            if abs(line.total - expected) > LINE_TOLERANCE:
                yield Problem("00423", f"{path}/PrezzoTotale",
                              f"PrezzoTotale {line.total} differs from unit price x quantity "
                              f"with discounts = {expected}")
    for i, fund in enumerate(body.general.document.pension_funds, 1):
        path = f"{prefix}/DatiGenerali/DatiGeneraliDocumento/DatiCassaPrevidenziale[{i}]"
        yield from _nature_checks(fund.vat_rate, fund.nature, path, "00413", "00414")


def check_summary(invoice: Invoice, body: Body, prefix: str) -> Iterator[Problem]:
    """00429/00430/00445 on summary rows, 00419/00443/00444 (every rate and
    Natura of lines and contributions has its summary row and vice versa),
    00420 (no split payment with reverse charge), 00421 (tax), 00422 (taxable
    amount, 1 EUR tolerance)."""
    base = f"{prefix}/DatiBeniServizi"
    detail: dict[tuple, Decimal] = {}
    origin: dict[tuple, str] = {}
    for i, line in enumerate(body.goods.lines, 1):
        if line.vat_rate is None:
            continue
        key = summary_key(line.vat_rate, line.nature)
        total = line.total if line.total is not None else line_total(line)
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
        yield from _nature_checks(row.vat_rate, row.nature, path, "00429", "00430")
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
                          f"ImponibileImporto {cents(taxable)} differs from the lines' total "
                          f"{cents(expected)} by more than {TAXABLE_TOLERANCE} EUR")


BODY_RULES = (check_document, check_lines, check_summary)
