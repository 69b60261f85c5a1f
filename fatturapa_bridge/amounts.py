# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Amount computations shared by rendering (to fill computed fields) and by
the SdI checks (to verify them), so that both use the same rounding rules.

Rounding is half-up to the cent, as the SdI computes ImponibileImporto x
AliquotaIVA (check 00421), not banker's rounding.

An accounting system that rounds per line or globally (Odoo does either)
passes its own taxable amount and VAT per rate with :class:`VatTotal`;
:func:`summary_from_totals` builds the DatiRiepilogo rows from them, the
difference to the lines going to ``Arrotondamento`` as the specification
allows, and :mod:`fatturapa_bridge.rules` checks them with the SdI's
tolerances.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .model import Body, Discount, Invoice, Line, VatSummary

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)

#: Short legal references used when a summary row with a Natura is computed
#: and the caller gave none. The accountant may override them per invoice.
DEFAULT_LEGAL_REFERENCES = {
    "N1": "Escluse ex art. 15 DPR 633/72",
    "N2.1": "Non soggette art. 7-7septies DPR 633/72",
    "N2.2": "Non soggette - altri casi",
    "N3.1": "Non imponibili - esportazioni art. 8 DPR 633/72",
    "N3.2": "Non imponibili - cessioni intracomunitarie art. 41 DL 331/93",
    "N3.3": "Non imponibili - cessioni verso San Marino art. 71 DPR 633/72",
    "N3.4": "Non imponibili - operazioni assimilate alle esportazioni",
    "N3.5": "Non imponibili - a seguito di dichiarazioni d'intento",
    "N3.6": "Non imponibili - altre operazioni",
    "N4": "Esenti art. 10 DPR 633/72",
    "N5": "Regime del margine / IVA non esposta in fattura",
    "N6.1": "Inversione contabile - cessione di rottami art. 74 c.7-8",
    "N6.2": "Inversione contabile - cessione di oro e argento",
    "N6.3": "Inversione contabile - subappalto nel settore edile",
    "N6.4": "Inversione contabile - cessione di fabbricati",
    "N6.5": "Inversione contabile - cessione di telefoni cellulari",
    "N6.6": "Inversione contabile - cessione di prodotti elettronici",
    "N6.7": "Inversione contabile - prestazioni comparto edile",
    "N6.8": "Inversione contabile - operazioni settore energetico",
    "N6.9": "Inversione contabile - altri casi art. 17 c.6 DPR 633/72",
    "N7": "IVA assolta in altro stato UE",
}

#: Natura codes whose amounts make the stamp duty (imposta di bollo, DPR
#: 642/72) due above the threshold: the operations outside VAT. Not the
#: non-taxable operations exempt from it (exports, intra-EU and assimilated
#: supplies N3.1-N3.4, N3.6: Tariff B art. 6 and art. 66 DL 331/93; only
#: N3.5, sales to a habitual exporter, bears it), not reverse charge N6.x
#: nor the margin scheme N5, where VAT is due, not N7 (VAT paid in another
#: member state). Generic N2 is kept for files older than 2021.
STAMP_DUTY_NATURES = frozenset({"N1", "N2", "N2.1", "N2.2", "N3.5", "N4"})
STAMP_DUTY_THRESHOLD = Decimal("77.47")
#: The largest Arrotondamento :func:`summary_from_totals` writes: the SdI's
#: tolerance between ImponibileImporto and the lines (check 00422).
MAX_ROUNDING = Decimal("1.00")
STAMP_DUTY_AMOUNT = Decimal("2.00")


def cents(value: Decimal) -> Decimal:
    """Round half-up to two decimals."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def apply_discounts(value: Decimal, discounts: Iterable[Discount]) -> Decimal:
    """Apply discounts (``SC``) and surcharges (``MG``) in order.

    ``Importo`` wins over ``Percentuale`` when both are given, and its sign
    is ignored (the type says which way it goes), as the SdI computes check
    00423; a percentage applies to the value reached so far.

    >>> from decimal import Decimal as D
    >>> apply_discounts(D("100"), [Discount(type="SC", percent=D("10")),
    ...                            Discount(type="MG", amount=D("5"))])
    Decimal('95')

    :param value: the starting value (a unit price, a document total).
    :param discounts: the ScontoMaggiorazione blocks, in document order.
    :return: the value after all of them, not rounded.
    """
    for discount in discounts:
        if discount.amount is not None:
            change = abs(discount.amount)
        elif discount.percent is not None:
            change = value * discount.percent / HUNDRED
        else:
            continue  # check 00437/00438 reports it
        value = value - change if discount.type == "SC" else value + change
    return value


def line_total(line: Line) -> Decimal | None:
    """Compute PrezzoTotale: unit price with discounts and surcharges applied
    in order, times the quantity (1 when absent), rounded to the cent.

    >>> from decimal import Decimal as D
    >>> from fatturapa_bridge.model import Line, Discount
    >>> line_total(Line(description="x", quantity=D("3"), unit_price=D("10"),
    ...     vat_rate=D("22"), discounts=[Discount(type="SC", percent=D("10"))]))
    Decimal('27.00')

    :param line: a line.
    :return: the expected PrezzoTotale, ``None`` when the unit price is
        missing (a broken file: the schema check reports it).
    """
    if line.unit_price is None:
        return None
    price = apply_discounts(line.unit_price, line.discounts)
    quantity = line.quantity if line.quantity is not None else Decimal(1)
    return cents(price * quantity)


def summary_key(vat_rate: Decimal, nature: str | None) -> tuple[Decimal, str | None]:
    """Key identifying a VAT summary row: the rate (as a number, so 22 and
    22.00 match) and the Natura."""
    return (vat_rate.normalize() if vat_rate is not None else None, nature or None)


def vat_summary(
    body: Body,
    exigibility: str = "I",
    legal_references: dict[str, str] | None = None,
) -> list[VatSummary]:
    """Compute the DatiRiepilogo rows of a body, one per rate/Natura, in order
    of first appearance among the lines, then the pension fund contributions.
    When line totals carry more than two decimals, ``Arrotondamento`` holds
    what rounding the taxable amount to the cent took off.

    :param body: the body whose lines (with totals) are summed.
    :param exigibility: EsigibilitaIVA for taxed rows: ``I`` immediate,
        ``D`` deferred, ``S`` split payment. Rows with a Natura carry none.
    :param legal_references: RiferimentoNormativo per Natura, overriding
        :data:`DEFAULT_LEGAL_REFERENCES`.
    :return: the summary rows.
    """
    refs = dict(DEFAULT_LEGAL_REFERENCES)
    refs.update(legal_references or {})
    rows = []
    for rate, nature, amount in _detail_totals(body).values():
        taxable = cents(amount)
        rows.append(
            VatSummary(
                vat_rate=rate,
                nature=nature,
                # Line totals with more than two decimals: the cents they
                # lose are stated, as the specification allows.
                rounding=(taxable - amount) or None,
                taxable=taxable,
                tax=cents(taxable * rate / HUNDRED),
                exigibility=None if nature else exigibility,
                legal_reference=refs.get(nature) if nature else None,
            )
        )
    return rows


def _detail_totals(body: Body) -> dict[tuple, list]:
    """Sum of line totals (exact, as written) and pension fund contributions
    per rate/Natura key, in order of first appearance: ``{key: [rate,
    nature, amount]}``. Lines without a rate or an amount are left out."""
    groups: dict[tuple, list] = {}
    for line in body.goods.lines:
        total = line.total if line.total is not None else line_total(line)
        if line.vat_rate is None or total is None:
            continue
        key = summary_key(line.vat_rate, line.nature)
        groups.setdefault(key, [line.vat_rate, line.nature, ZERO])[2] += total
    for fund in body.general.document.pension_funds:
        if fund.vat_rate is None or fund.amount is None:
            continue
        key = summary_key(fund.vat_rate, fund.nature)
        groups.setdefault(key, [fund.vat_rate, fund.nature, ZERO])[2] += fund.amount
    return groups


@dataclass(frozen=True, slots=True)
class VatTotal:
    """The taxable amount and VAT of one rate/Natura as the caller's
    accounting computed them (its own rounding, per line or global).

    :ivar vat_rate: AliquotaIVA, e.g. ``Decimal("22")``.
    :ivar taxable: ImponibileImporto, two decimals.
    :ivar tax: Imposta, two decimals.
    :ivar nature: Natura for rate 0.
    :ivar exigibility: EsigibilitaIVA of a taxed row (``I``, ``D``, ``S``);
        the default of :func:`summary_from_totals` when ``None``.
    :ivar legal_reference: RiferimentoNormativo (a default one is used for a
        Natura when ``None``).
    """

    vat_rate: Decimal
    taxable: Decimal
    tax: Decimal
    nature: str | None = None
    exigibility: str | None = None
    legal_reference: str | None = None


def summary_from_totals(
    body: Body,
    totals: Iterable[VatTotal],
    exigibility: str = "I",
    legal_references: dict[str, str] | None = None,
) -> list[VatSummary]:
    """Build the DatiRiepilogo rows from the caller's own totals.

    Each row carries the caller's ImponibileImporto and Imposta unchanged;
    the difference between that taxable amount and the lines' PrezzoTotale
    (plus pension fund contributions) of the same rate/Natura goes to
    ``Arrotondamento``, as the specification allows for an accounting that
    rounds differently from the lines, up to :data:`MAX_ROUNDING` (a larger
    gap is no rounding: it is left for check 00422 to report). Imposta must
    stay within a cent of ImponibileImporto x rate (check 00421):
    :func:`fatturapa_bridge.rules.check` verifies both. A rate/Natura of the
    lines that ``totals`` lacks is computed from the lines as
    :func:`vat_summary` does.

    >>> from decimal import Decimal as D
    >>> from fatturapa_bridge.model import Line, GoodsServices
    >>> from fatturapa_bridge.model import Body, GeneralData, DocumentData
    >>> import datetime
    >>> body = Body(general=GeneralData(document=DocumentData(
    ...     date=datetime.date(2026, 1, 31), number="1")), goods=GoodsServices(lines=[
    ...     Line(description="vCPU hours", quantity=D("744"), unit_price=D("0.004113"),
    ...          vat_rate=D("22"), total=D("3.060072"))]))
    >>> [row] = summary_from_totals(body, [VatTotal(D("22"), D("3.06"), D("0.67"))])
    >>> row.taxable, row.tax, row.rounding
    (Decimal('3.06'), Decimal('0.67'), Decimal('-0.000072'))

    :param body: the body whose lines the totals summarise.
    :param totals: one :class:`VatTotal` per rate/Natura.
    :param exigibility: EsigibilitaIVA for taxed rows without their own.
    :param legal_references: RiferimentoNormativo per Natura, overriding
        :data:`DEFAULT_LEGAL_REFERENCES`.
    :return: the summary rows, the caller's first, in their order.
    """
    refs = dict(DEFAULT_LEGAL_REFERENCES)
    refs.update(legal_references or {})
    detail = _detail_totals(body)
    rows, seen = [], set()
    for total in totals:
        key = summary_key(total.vat_rate, total.nature)
        seen.add(key)
        rounding = total.taxable - detail[key][2] if key in detail else None
        if not rounding or abs(rounding) > MAX_ROUNDING:
            # More than rounding can explain: left for check 00422 to report.
            rounding = None
        rows.append(VatSummary(
            vat_rate=total.vat_rate,
            nature=total.nature or None,
            rounding=rounding,
            taxable=total.taxable,
            tax=total.tax,
            exigibility=None if total.nature else (total.exigibility or exigibility),
            legal_reference=total.legal_reference or (refs.get(total.nature)
                                                      if total.nature else None),
        ))
    rest = dataclasses.replace(body, goods=dataclasses.replace(body.goods, summaries=[]))
    rows += [r for r in vat_summary(rest, exigibility, legal_references)
             if summary_key(r.vat_rate, r.nature) not in seen]
    return rows


def document_total(body: Body) -> Decimal:
    """ImportoTotaleDocumento: taxable amounts plus VAT of every summary row
    (VAT included even under split payment, as the spec requires), less the
    document-level discounts and plus the surcharges (ScontoMaggiorazione of
    DatiGeneraliDocumento, applied in order to the total reached so far, an
    ``Importo`` winning over a ``Percentuale``), plus the document's
    ``Arrotondamento``.

    A document-level discount does not change the taxable amounts: the SdI
    computes them from the lines (check 00422); a discount that reduces the
    VAT base belongs on the lines.
    """
    total = sum(((s.taxable or ZERO) + (s.tax or ZERO) for s in body.goods.summaries), ZERO)
    doc = body.general.document
    total = apply_discounts(total, doc.discounts)
    if doc.rounding is not None:
        total += doc.rounding
    return cents(total)


def amount_due(body: Body) -> Decimal:
    """What the buyer pays: the total, less withholding taxes, less the VAT
    the buyer pays to the State directly under split payment."""
    doc = body.general.document
    total = doc.total if doc.total is not None else document_total(body)
    total -= sum((w.amount for w in doc.withholdings if w.amount is not None), ZERO)
    total -= sum((s.tax for s in body.goods.summaries
                  if s.exigibility == "S" and s.tax is not None), ZERO)
    return cents(total)


def stamp_duty_base(body: Body) -> Decimal:
    """Sum of the amounts outside VAT that make the stamp duty due."""
    return sum(
        (s.taxable for s in body.goods.summaries
         if s.nature in STAMP_DUTY_NATURES and s.taxable is not None), ZERO
    )


def complete(invoice: Invoice, exigibility: str = "I") -> Invoice:
    """Return a copy of ``invoice`` with the computed fields filled in where
    the caller left them empty: line numbers, line totals, VAT summaries,
    document total and payment amounts. Fields already set are kept as they
    are (so that the checks can catch a wrong value instead of hiding it).

    :param invoice: the invoice; it is not modified.
    :param exigibility: EsigibilitaIVA for computed summary rows.
    :return: a completed copy.
    """
    bodies = [_complete_body(b, exigibility) for b in invoice.bodies]
    return dataclasses.replace(invoice, bodies=bodies)


def _complete_body(body: Body, exigibility: str) -> Body:
    lines = []
    changed = False
    for index, line in enumerate(body.goods.lines, 1):
        if line.number is None or line.total is None:
            line = dataclasses.replace(
                line,
                number=line.number if line.number is not None else index,
                total=line.total if line.total is not None else line_total(line),
            )
            changed = True
        lines.append(line)
    # Always copy the containers we may fill, never the caller's objects.
    goods = dataclasses.replace(body.goods, lines=lines if changed else list(body.goods.lines))
    body = dataclasses.replace(body, goods=goods)
    if not goods.summaries:
        goods.summaries = vat_summary(body, exigibility)
    doc = body.general.document
    if doc.total is None:
        doc = dataclasses.replace(doc, total=document_total(body))
        body.general = dataclasses.replace(body.general, document=doc)
    if any(d.amount is None for p in body.payments for d in p.details):
        due = amount_due(body)
        payments = []
        for payment in body.payments:
            details = [
                d if d.amount is not None else dataclasses.replace(d, amount=due)
                for d in payment.details
            ]
            payments.append(dataclasses.replace(payment, details=details))
        body.payments = payments
    return body


__all__ = [
    "DEFAULT_LEGAL_REFERENCES",
    "STAMP_DUTY_NATURES",
    "VatTotal",
    "amount_due",
    "apply_discounts",
    "cents",
    "complete",
    "document_total",
    "line_total",
    "stamp_duty_base",
    "summary_from_totals",
    "summary_key",
    "vat_summary",
]
