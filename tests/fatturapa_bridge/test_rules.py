# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The SdI checks beyond the XSD."""

import dataclasses
from datetime import date
from decimal import Decimal as D

import fpa_builders as b
import pytest
from conftest import sample_files

from fatturapa_bridge.amounts import complete
from fatturapa_bridge.model import (
    Discount,
    FiscalId,
    Line,
    PensionFund,
    RelatedDocument,
    VatSummary,
)
from fatturapa_bridge.parse import load
from fatturapa_bridge.rules import check

OFFICIAL = [p for p in sample_files("official") if "FSM" not in p.name]


def codes(inv):
    return [p.code for p in check(complete(inv))]


def one_line(**kwargs):
    base = dict(description="x", quantity=D("1"), unit_price=D("100"), vat_rate=D("22"))
    base.update(kwargs)
    return b.invoice([Line(**base)])


@pytest.mark.parametrize("path", OFFICIAL, ids=lambda p: p.stem)
def test_rule_00422_flags_the_two_euro_gap_only_in_fpr02_and_fpr03(path, shared_dir):
    """Test that 00422 fires for FPR02/FPR03 (lines 25.00, ImponibileImporto
    27.00) and for no other official sample."""
    problems = [p for p in check(load(path)) if p.code == "00422"]
    if path.stem[-5:] in ("FPR02", "FPR03"):
        assert len(problems) == 1
        assert problems[0].path.endswith("DatiRiepilogo[1]/ImponibileImporto")
        assert "27.00" in problems[0].message and "25.00" in problems[0].message
    else:
        assert problems == []


@pytest.mark.parametrize("name", sorted(b.GOLDEN))
def test_reference_documents_pass_every_check(name):
    """Test that the golden documents have no problem at all."""
    assert check(complete(b.GOLDEN[name]())) == []


def test_valid_builder_passes_then_each_breakage_is_caught():
    """Test the premise of the following tests: the base invoice is clean."""
    assert codes(one_line()) == []


@pytest.mark.parametrize(
    "kwargs, code",
    [
        (dict(vat_rate=D("0")), "00400"),
        (dict(nature="N4"), "00401"),
        (dict(vat_rate=D("0"), nature="N2"), "00445"),
        (dict(vat_rate=D("0"), nature="N6"), "00445"),
        (dict(total=D("99.98")), "00423"),
        (dict(discounts=[Discount(type="SC")]), "00438"),
        (dict(withholding="SI"), "00411"),
    ],
)
def test_line_checks(kwargs, code):
    """Test each line-level check on a minimal breakage."""
    assert code in codes(one_line(**kwargs))


def test_line_total_within_one_cent_is_accepted():
    """Test the 00423 tolerance: one cent off is fine, two are not."""
    assert "00423" not in codes(one_line(total=D("100.01")))
    assert "00423" in codes(one_line(total=D("100.02")))


def _with_summary(rows, lines=None):
    inv = b.invoice(lines or [Line(description="x", quantity=D("1"), unit_price=D("100"),
                                   vat_rate=D("22"))])
    inv.body.goods.summaries = rows
    return inv


def test_summary_tax_tolerance_00421():
    """Test that Imposta one cent off passes and two cents off fails."""
    ok = _with_summary([VatSummary(vat_rate=D("22"), taxable=D("100"), tax=D("22.01"))])
    bad = _with_summary([VatSummary(vat_rate=D("22"), taxable=D("100"), tax=D("22.02"))])
    assert codes(ok) == []
    assert codes(bad) == ["00421"]


def test_summary_taxable_tolerance_00422():
    """Test the 1 EUR tolerance on ImponibileImporto."""
    ok = _with_summary([VatSummary(vat_rate=D("22"), taxable=D("101.00"), tax=D("22.22"))])
    bad = _with_summary([VatSummary(vat_rate=D("22"), taxable=D("101.01"), tax=D("22.22"))])
    assert "00422" not in codes(ok)
    assert "00422" in codes(bad)


def test_summary_natura_checks_00429_00430():
    """Test Natura against rate on summary rows."""
    inv = _with_summary([
        VatSummary(vat_rate=D("22"), nature="N4", taxable=D("100"), tax=D("22")),
        VatSummary(vat_rate=D("0"), taxable=D("0"), tax=D("0")),
    ])
    found = codes(inv)
    assert "00430" in found and "00429" in found


def test_summary_must_cover_every_rate_and_natura_00419_00443_00444():
    """Test that a line rate with no summary row is 00419, a Natura not in
    the summary for an existing rate is 00443, and a summary row matching no
    line is 00444."""
    lines = [
        Line(description="a", quantity=D("1"), unit_price=D("100"), vat_rate=D("22")),
        Line(description="b", quantity=D("1"), unit_price=D("50"), vat_rate=D("10")),
        Line(description="c", quantity=D("1"), unit_price=D("10"), vat_rate=D("0"),
             nature="N4"),
    ]
    inv = _with_summary([
        VatSummary(vat_rate=D("22"), taxable=D("100"), tax=D("22")),
        VatSummary(vat_rate=D("0"), nature="N1", taxable=D("10"), tax=D("0")),
    ], lines)
    found = codes(inv)
    assert found.count("00419") == 1  # 10 %
    assert found.count("00443") == 1  # 0 % N4 while the summary has 0 % N1
    assert found.count("00444") == 1  # the N1 row


def test_split_payment_with_reverse_charge_00420():
    """Test that EsigibilitaIVA S on an N6.x row is refused."""
    inv = _with_summary(
        [VatSummary(vat_rate=D("0"), nature="N6.3", taxable=D("100"), tax=D("0"),
                    exigibility="S")],
        [Line(description="x", quantity=D("1"), unit_price=D("100"), vat_rate=D("0"),
              nature="N6.3")],
    )
    assert codes(inv) == ["00420"]


def test_pension_fund_contribution_needs_its_summary_row():
    """Test that a DatiCassaPrevidenziale rate counts in the coverage checks
    and in ImponibileImporto."""
    inv = one_line()
    inv.body.general.document.pension_funds = [
        PensionFund(type="TC22", rate=D("4"), amount=D("4.00"), taxable=D("100"),
                    vat_rate=D("22"))]
    completed = complete(inv)
    assert completed.body.goods.summaries[0].taxable == D("104.00")
    assert check(completed) == []
    completed.body.general.document.pension_funds[0].vat_rate = D("0")
    assert {"00413", "00419", "00422"} <= {p.code for p in check(completed)}


def test_number_without_digits_00425():
    """Test that an invoice number needs a digit."""
    inv = one_line()
    inv.body.general.document.number = "ABC"
    assert codes(inv) == ["00425"]


@pytest.mark.parametrize(
    "fmt, code, pec, expected",
    [
        ("FPR12", "ABC123", None, ["00427"]),
        ("FPA12", "ABC1234", None, ["00427"]),
        ("FPR12", "ABC1234", "buyer@pec.example.it", ["00426"]),
        ("FPR12", "0000000", "buyer@pec.example.it", []),
        ("FPR12", "XXXXXXX", None, ["00313"]),
        ("FPA12", "UFY9MH", None, []),
    ],
)
def test_recipient_code_checks(fmt, code, pec, expected):
    """Test the recipient code length by format and PEC only with 0000000."""
    inv = one_line()
    inv.header.transmission = b.transmission(fmt, code, pec)
    assert codes(inv) == expected


def test_foreign_recipient_code_is_fine_for_a_foreign_buyer():
    """Test that XXXXXXX passes when the buyer is established abroad."""
    assert codes(b.foreign_buyer()) == []


@pytest.mark.parametrize(
    "target, value, code",
    [
        ("seller_vat", "12345670018", "00301"),
        ("buyer_vat", "07654320585", "00305"),
        ("buyer_cf", "RSSMRA85T10A562X", "00306"),
        ("transmitter", "1234", "00300"),
    ],
)
def test_identifier_checksums(target, value, code):
    """Test VAT number and codice fiscale check digits (python-stdnum)."""
    inv = one_line()
    header = inv.header
    if target == "seller_vat":
        header.seller.data.vat.code = value
    elif target == "buyer_vat":
        header.buyer.data.vat.code = value
    elif target == "buyer_cf":
        header.buyer.data.fiscal_code = value
    else:
        header.transmission.transmitter.code = value
    assert code in codes(inv)


def test_person_with_valid_codice_fiscale_only_is_accepted():
    """Test a private consumer identified by codice fiscale alone."""
    inv = one_line()
    inv.header.buyer.data.vat = None
    inv.header.buyer.data.fiscal_code = b.PERSON_CF
    inv.header.transmission.recipient_code = "0000000"
    assert codes(inv) == []


def test_buyer_without_identifiers_00417():
    """Test that a buyer needs a VAT number or a codice fiscale."""
    inv = one_line()
    inv.header.buyer.data.vat = None
    assert codes(inv) == ["00417"]


def test_seller_equal_to_buyer_00471_and_self_consumption_00472():
    """Test that TD01 refuses seller == buyer and TD27 requires it."""
    inv = one_line()
    inv.header.buyer.data.vat = FiscalId(country="IT", code=b.SELLER_VAT)
    assert "00471" in codes(inv)
    inv.body.general.document.type = "TD27"
    assert "00471" not in codes(inv)
    other = one_line()
    other.body.general.document.type = "TD27"
    assert "00472" in codes(other)


def test_stamp_duty_required_above_77_47_of_exempt_amounts():
    """Test that N4 amounts above 77.47 EUR need DatiBollo, exactly 77.47
    does not, and exports (N3.1) never do."""
    def exempt(amount, nature="N4", stamp=None):
        inv = b.invoice([Line(description="x", quantity=D("1"), unit_price=amount,
                              vat_rate=D("0"), nature=nature)])
        inv.body.general.document.stamp = stamp
        return codes(inv)

    assert exempt(D("77.47")) == []
    assert exempt(D("77.48")) == ["BOLLO"]
    assert exempt(D("500"), nature="N3.1") == []
    assert codes(b.stamp_duty_invoice()) == []


def test_credit_note_without_linked_invoice_is_a_warning():
    """Test that a TD04 without DatiFattureCollegate gets a warning, not an
    error, and that a date before the linked invoice is 00418."""
    inv = b.credit_note()
    inv.body.general.linked_invoices = []
    problems = check(complete(inv))
    assert [(p.code, p.severity) for p in problems] == [("TD04", "warning")]
    inv.body.general.linked_invoices = [RelatedDocument(id="FT/9", date=date(2026, 12, 1))]
    assert codes(inv) == ["00418"]


def test_every_problem_is_reported_at_once():
    """Test that independent problems in header and lines all come back."""
    inv = b.invoice([
        Line(description="a", quantity=D("1"), unit_price=D("1"), vat_rate=D("0")),
        Line(description="b", quantity=D("1"), unit_price=D("1"), vat_rate=D("22"),
             nature="N1"),
    ], number="X")
    inv.header.transmission.recipient_code = "ABC"
    inv = dataclasses.replace(inv)
    found = codes(inv)
    assert {"00427", "00425", "00400", "00401"} <= set(found)
    assert all(p.path for p in check(complete(inv)))
