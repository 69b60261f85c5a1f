# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Totals: document-level discounts, Arrotondamento, and an accounting
system's own rounding (per line or global) checked with the SdI tolerances."""

from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import fpa_builders as b
import pytest
from fpa_paths import SAMPLES
from lxml import etree

from fatturapa_bridge.amounts import (
    VatTotal,
    complete,
    document_total,
    summary_from_totals,
)
from fatturapa_bridge.model import Discount, Line
from fatturapa_bridge.parse import load
from fatturapa_bridge.render import render
from fatturapa_bridge.rules import check

CENT = D("0.01")


def r2(value):
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def one_line_invoice(*discounts, rounding=None):
    inv = b.invoice([Line(description="Hosting 12 mesi", quantity=D("1"), unit_price=D("100"),
                          vat_rate=D("22"))])
    inv.body.general.document.discounts = list(discounts)
    inv.body.general.document.rounding = rounding
    return inv


def test_document_discount_amount_reduces_total_and_payment(needs_schemas):
    """Test that a document-level SC of 10.00 EUR takes 10.00 off
    ImportoTotaleDocumento and the amount to pay, not off the VAT base."""
    root = etree.fromstring(render(one_line_invoice(Discount(type="SC", amount=D("10.00")))))
    assert root.findtext(".//DatiRiepilogo/ImponibileImporto") == "100.00"
    assert root.findtext(".//ImportoTotaleDocumento") == "112.00"
    assert root.findtext(".//ImportoPagamento") == "112.00"


def test_document_percentages_apply_in_order_to_the_total_so_far():
    """Test SC 10 % then MG 5.00 EUR on a total of 122.00: 109.80 + 5.00."""
    inv = complete(one_line_invoice(Discount(type="SC", percent=D("10")),
                                    Discount(type="MG", amount=D("5"))))
    assert inv.body.general.document.total == D("114.80")


def test_document_rounding_is_added_to_the_total():
    """Test that the document's Arrotondamento reaches the total."""
    inv = complete(one_line_invoice(rounding=D("-0.02")))
    assert inv.body.general.document.total == D("121.98")


def test_amount_wins_over_percentage_as_the_sdi_computes_it(shared_dir):
    """Test a real file giving both (gobl: SC 50 % = 860.00 and MG 10 % =
    172.00 on a taxable 1,720.00): its total 1,388.40 is the one computed,
    so no TOTALE warning."""
    inv = load(SAMPLES / "realworld" / "gobl_invoice-credit-note.xml")
    body = inv.body
    assert document_total(body) == D("1388.40") == body.general.document.total
    assert "TOTALE" not in {p.code for p in check(inv)}


def test_a_total_ignoring_the_document_discount_is_flagged():
    """Test that a caller's ImportoTotaleDocumento that forgets the discount
    gets a TOTALE warning naming the expected total; the SdI would accept
    the file, so it is not an error."""
    inv = one_line_invoice(Discount(type="SC", amount=D("10.00")))
    inv.body.general.document.total = D("122.00")
    [problem] = check(complete(inv))
    assert (problem.code, problem.severity) == ("TOTALE", "warning")
    assert problem.path.endswith("DatiGeneraliDocumento/ImportoTotaleDocumento")
    assert "112.00" in problem.message


def test_line_discount_amount_wins_over_percentage():
    """Test PrezzoTotale with both values on one discount: the Importo (per
    unit, sign ignored) is applied, as check 00423 computes it."""
    inv = b.invoice([Line(description="x", quantity=D("2"), unit_price=D("100"),
                          vat_rate=D("22"), discounts=[Discount(type="SC", percent=D("50"),
                                                                amount=D("-10"))])])
    assert complete(inv).body.goods.lines[0].total == D("180.00")


# ------------------------------------------------- an accounting's rounding

#: Hourly prices with 4 to 6 decimals, as cloud usage is billed.
HOURLY = [(D("744"), D("0.004113")), (D("744"), D("0.0123")), (D("720"), D("0.008219")),
          (D("1488"), D("0.002051")), (D("31"), D("0.133387")), (D("744"), D("0.0061")),
          (D("690"), D("0.017777")), (D("744"), D("0.000913"))] * 4


def hourly_invoice(line_totals):
    lines = [Line(description=f"Server {i} hours", quantity=qty, unit_price=price,
                  vat_rate=D("22"), total=total)
             for i, ((qty, price), total) in enumerate(zip(HOURLY, line_totals, strict=True), 1)]
    return b.invoice(lines)


def test_global_rounding_totals_are_kept_with_their_arrotondamento(needs_schemas):
    """Test an accounting that rounds globally (Odoo's round_globally): line
    totals unrounded in PrezzoTotale, the caller's taxable and VAT kept to
    the cent, the difference to the lines in Arrotondamento, and the file
    accepted."""
    raw = [qty * price for qty, price in HOURLY]
    taxable, tax = r2(sum(raw)), r2(sum(raw) * D("0.22"))
    inv = hourly_invoice(raw)
    inv.body.goods.summaries = summary_from_totals(inv.body, [VatTotal(D("22"), taxable, tax)])
    inv.body.general.document.total = taxable + tax
    [row] = inv.body.goods.summaries
    assert (row.taxable, row.tax, row.rounding) == (taxable, tax, taxable - sum(raw))
    assert row.rounding != 0
    root = etree.fromstring(render(inv))  # raises if any check fails
    assert root.findtext(".//DatiRiepilogo/ImponibileImporto") == str(taxable)
    assert root.findtext(".//DatiRiepilogo/Imposta") == str(tax)
    assert D(root.findtext(".//DatiRiepilogo/Arrotondamento")) == taxable - sum(raw)
    assert root.findtext(".//ImportoTotaleDocumento") == str(taxable + tax)


def _per_line(rounded_lines):
    taxable = sum(rounded_lines)
    tax = sum(r2(line * D("0.22")) for line in rounded_lines)
    return taxable, tax


def test_per_line_rounding_within_a_cent_is_accepted():
    """Test an accounting rounding each line (Odoo's round_per_line): line
    totals to the cent, VAT summed per line; the VAT differs from taxable x
    rate by at most a cent here and the SdI accepts it."""
    rounded = [r2(qty * price) for qty, price in HOURLY[:8]]
    taxable, tax = _per_line(rounded)
    assert abs(tax - r2(taxable * D("0.22"))) <= CENT
    inv = hourly_invoice(rounded + [r2(q * p) for q, p in HOURLY[8:]])
    inv.body.goods.lines = inv.body.goods.lines[:8]
    inv.body.goods.summaries = summary_from_totals(inv.body, [VatTotal(D("22"), taxable, tax)])
    assert inv.body.goods.summaries[0].rounding is None  # the lines are the taxable amount
    assert check(complete(inv)) == []


def test_per_line_vat_drifting_more_than_a_cent_is_00421():
    """Test the case the SdI rejects: per-line VAT of 20 lines of 0.10
    (0.02 each, 0.40) against 22 % of 2.00 (0.44); the caller must round
    globally for such invoices."""
    inv = b.invoice([Line(description=f"snapshot {i}", quantity=D("1"), unit_price=D("0.10"),
                          vat_rate=D("22")) for i in range(20)])
    taxable, tax = _per_line([D("0.10")] * 20)
    assert (taxable, tax) == (D("2.00"), D("0.40"))
    inv.body.goods.summaries = summary_from_totals(inv.body, [VatTotal(D("22"), taxable, tax)])
    [problem] = check(complete(inv))
    assert problem.code == "00421" and problem.path.endswith("DatiRiepilogo[1]/Imposta")


def test_a_gap_larger_than_rounding_is_not_hidden():
    """Test that a taxable amount 5 EUR away from the lines gets no
    Arrotondamento of 5 EUR: check 00422 reports it."""
    inv = b.invoice([Line(description="x", quantity=D("1"), unit_price=D("100"),
                          vat_rate=D("22"))])
    rows = summary_from_totals(complete(inv).body, [VatTotal(D("22"), D("105.00"), D("23.10"))])
    assert rows[0].rounding is None
    inv.body.goods.summaries = rows
    assert [p.code for p in check(complete(inv))] == ["00422"]


def test_rates_missing_from_the_callers_totals_are_computed():
    """Test that a rate/Natura of the lines without a caller total gets its
    row from the lines, with its default legal reference."""
    inv = complete(b.invoice([
        Line(description="a", quantity=D("1"), unit_price=D("100"), vat_rate=D("22")),
        Line(description="b", quantity=D("1"), unit_price=D("30"), vat_rate=D("0"),
             nature="N2.2"),
    ]))
    rows = summary_from_totals(inv.body, [VatTotal(D("22"), D("100.00"), D("22.00"))])
    assert [(r.vat_rate, r.nature, r.taxable) for r in rows] == [
        (D("22"), None, D("100.00")), (D("0"), "N2.2", D("30.00"))]
    assert rows[1].legal_reference and rows[1].exigibility is None


@pytest.mark.parametrize("exigibility", ["I", "D", "S"])
def test_exigibility_of_caller_totals(exigibility):
    """Test that taxed rows get the default exigibility unless they carry
    their own (split payment S for a PA)."""
    inv = complete(b.invoice([Line(description="a", quantity=D("1"), unit_price=D("10"),
                                   vat_rate=D("22"))]))
    rows = summary_from_totals(inv.body, [VatTotal(D("22"), D("10.00"), D("2.20"))],
                               exigibility=exigibility)
    assert rows[0].exigibility == exigibility
    own = summary_from_totals(inv.body, [VatTotal(D("22"), D("10.00"), D("2.20"),
                                                  exigibility="S")])
    assert own[0].exigibility == "S"
