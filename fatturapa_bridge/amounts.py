# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Amount computations shared by rendering (to fill computed fields) and by
the SdI checks (to verify them), so that both use the same rounding rules.

Rounding is half-up to the cent, as the SdI computes ImponibileImporto x
AliquotaIVA (check 00421), not banker's rounding.
"""

from __future__ import annotations

import dataclasses
from decimal import ROUND_HALF_UP, Decimal

from .model import Body, Invoice, Line, VatSummary

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

#: Natura codes whose amounts count towards the stamp duty threshold: the
#: operations outside VAT (not exports/intra-EU supplies, which are exempt
#: from stamp duty, and not reverse charge, where VAT is due).
STAMP_DUTY_NATURES = {"N1", "N2", "N2.1", "N2.2", "N3.5", "N3.6", "N4", "N5"}
STAMP_DUTY_THRESHOLD = Decimal("77.47")
STAMP_DUTY_AMOUNT = Decimal("2.00")


def cents(value: Decimal) -> Decimal:
    """Round half-up to two decimals."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_total(line: Line) -> Decimal:
    """Compute PrezzoTotale: unit price with discounts and surcharges applied
    in order, times the quantity (1 when absent), rounded to the cent.

    >>> from decimal import Decimal as D
    >>> from fatturapa_bridge.model import Line, Discount
    >>> line_total(Line(description="x", quantity=D("3"), unit_price=D("10"),
    ...     vat_rate=D("22"), discounts=[Discount(type="SC", percent=D("10"))]))
    Decimal('27.00')

    :param line: a line.
    :return: the expected PrezzoTotale.
    """
    price = line.unit_price
    for discount in line.discounts:
        sign = -1 if discount.type == "SC" else 1
        if discount.percent is not None:
            price += sign * price * discount.percent / HUNDRED
        elif discount.amount is not None:
            price += sign * discount.amount
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

    :param body: the body whose lines (with totals) are summed.
    :param exigibility: EsigibilitaIVA for taxed rows: ``I`` immediate,
        ``D`` deferred, ``S`` split payment. Rows with a Natura carry none.
    :param legal_references: RiferimentoNormativo per Natura, overriding
        :data:`DEFAULT_LEGAL_REFERENCES`.
    :return: the summary rows.
    """
    refs = dict(DEFAULT_LEGAL_REFERENCES)
    refs.update(legal_references or {})
    groups: dict[tuple, list] = {}
    for line in body.goods.lines:
        total = line.total if line.total is not None else line_total(line)
        key = summary_key(line.vat_rate, line.nature)
        groups.setdefault(key, [line.vat_rate, line.nature, ZERO])[2] += total
    for fund in body.general.document.pension_funds:
        key = summary_key(fund.vat_rate, fund.nature)
        groups.setdefault(key, [fund.vat_rate, fund.nature, ZERO])[2] += fund.amount
    rows = []
    for rate, nature, taxable in groups.values():
        taxable = cents(taxable)
        rows.append(
            VatSummary(
                vat_rate=rate,
                nature=nature,
                taxable=taxable,
                tax=cents(taxable * rate / HUNDRED),
                exigibility=None if nature else exigibility,
                legal_reference=refs.get(nature) if nature else None,
            )
        )
    return rows


def document_total(body: Body) -> Decimal:
    """ImportoTotaleDocumento: taxable amounts plus VAT of every summary row
    (VAT included even under split payment, as the spec requires)."""
    total = sum((s.taxable + s.tax for s in body.goods.summaries), ZERO)
    if body.general.document.rounding is not None:
        total += body.general.document.rounding
    return cents(total)


def amount_due(body: Body) -> Decimal:
    """What the buyer pays: the total, less withholding taxes, less the VAT
    the buyer pays to the State directly under split payment."""
    doc = body.general.document
    total = doc.total if doc.total is not None else document_total(body)
    total -= sum((w.amount for w in doc.withholdings), ZERO)
    total -= sum((s.tax for s in body.goods.summaries if s.exigibility == "S"), ZERO)
    return cents(total)


def stamp_duty_base(body: Body) -> Decimal:
    """Sum of the amounts outside VAT that make the stamp duty due."""
    return sum(
        (s.taxable for s in body.goods.summaries if s.nature in STAMP_DUTY_NATURES), ZERO
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
    "amount_due",
    "cents",
    "complete",
    "document_total",
    "line_total",
    "stamp_duty_base",
    "summary_key",
    "vat_summary",
]
