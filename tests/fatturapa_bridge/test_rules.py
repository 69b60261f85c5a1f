# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The SdI checks beyond the XSD."""

import dataclasses
from datetime import date
from decimal import Decimal as D

import fpa_builders as b
import pytest
from fpa_paths import SAMPLES, sample_files

from fatturapa_bridge.amounts import complete
from fatturapa_bridge.model import (
    Discount,
    FiscalId,
    Line,
    PensionFund,
    RelatedDocument,
    Stamp,
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


def _exempt(amount, nature="N4", stamp=None):
    inv = b.invoice([Line(description="x", quantity=D("1"), unit_price=amount,
                          vat_rate=D("0"), nature=nature)])
    inv.body.general.document.stamp = stamp
    return check(complete(inv))


def test_missing_stamp_duty_above_77_47_is_a_warning_not_an_error():
    """Test that N4 amounts above 77.47 EUR without DatiBollo get a BOLLO
    warning (the stamp is the seller's tax matter, not an SdI rejection),
    exactly 77.47 gets nothing, and a stated stamp silences it."""
    assert _exempt(D("77.47")) == []
    [problem] = _exempt(D("77.48"))
    assert (problem.code, problem.severity) == ("BOLLO", "warning")
    assert problem.path.endswith("DatiGeneraliDocumento/DatiBollo")
    assert _exempt(D("500"), stamp=Stamp(amount=D("2.00"))) == []
    assert codes(b.stamp_duty_invoice()) == []


@pytest.mark.parametrize("nature", ["N1", "N2.1", "N2.2", "N3.5", "N4"])
def test_stamp_duty_is_due_for_the_natures_outside_vat(nature):
    """Test the natures that carry the stamp duty: excluded, not subject,
    sales to a habitual exporter, exempt."""
    assert [p.code for p in _exempt(D("100"), nature)] == ["BOLLO"]


@pytest.mark.parametrize("nature", ["N3.1", "N3.2", "N3.3", "N3.4", "N3.6", "N5", "N6.1",
                                    "N6.9", "N7"])
def test_stamp_duty_is_not_due_for_exempt_n3_reverse_charge_and_margin(nature):
    """Test that exports and intra-EU supplies (N3.x exempt from the stamp),
    reverse charge (N6.x), the margin scheme (N5) and N7 never ask for it."""
    assert _exempt(D("5000"), nature) == []


def test_reverse_charge_invoice_is_not_asked_for_a_stamp():
    """Test the domestic reverse charge reference invoice (N6.9, 2,900 EUR)."""
    assert check(complete(b.reverse_charge())) == []


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


# ------------------------------------------------------- real-world samples

REALWORLD = sample_files("realworld")
_GOBL_IDS = {"00300", "00301"}  # IdTrasmittente 01234567890, seller IT12345678903
#: Errors the SdI would raise on the real-world samples, with the reason:
#: placeholder identifiers with wrong check digits in test files, an FPA12
#: with the FPR12 code 0000000, a PrezzoTotale in euro after a unit price in
#: dollars. Every other sample is free of errors.
REALWORLD_ERRORS = {
    "gobl_invoice-b2g.xml": _GOBL_IDS | {"00427"},
    "gobl_invoice-credit-note.xml": _GOBL_IDS | {"00305"},
    "gobl_invoice-despatch.xml": _GOBL_IDS,
    "gobl_invoice-fund-contribution-mixed-retention.xml": _GOBL_IDS,
    "gobl_invoice-irpef.xml": _GOBL_IDS,
    "gobl_invoice-reverse-charge.xml": _GOBL_IDS,
    "gobl_invoice-simple-rounding.xml": _GOBL_IDS | {"00305"},
    "gobl_invoice-simple-with-pec.xml": _GOBL_IDS | {"00305"},
    "ocain_IT03309970733_VATG1.xml": {"CF"},  # seller codice fiscale MRORSS90E25B111T
    "odoo18_export_foreign_currency_global_discount.xml": {"00423"},
}
#: The four samples the stamp duty check refused before it became a warning
#: (N2.1 services to an EU business, N2.2 flat-rate regime).
STAMP_SAMPLES = ["gobl_invoice-credit-note.xml", "gobl_invoice-reverse-charge.xml",
                 "gobl_invoice-simple-rounding.xml", "gobl_invoice-simple-with-pec.xml"]


def test_there_are_twenty_six_real_world_samples(shared_dir):
    """Test the premise of the sample table."""
    assert len(REALWORLD) == 26
    assert set(REALWORLD_ERRORS) <= {p.name for p in REALWORLD}


@pytest.mark.parametrize("path", REALWORLD, ids=lambda p: p.name)
def test_real_world_sample_gets_exactly_its_known_errors(path, needs_schemas):
    """Test every real-world sample: schema and SdI checks raise exactly the
    errors it really has, and a stamp duty never is one."""
    from fatturapa_bridge.validate import validate_bytes

    problems = validate_bytes(path.read_bytes(), today=date(2026, 12, 1))
    assert {p.code for p in problems if p.is_error} == REALWORLD_ERRORS.get(path.name, set())
    assert all(not p.is_error for p in problems if p.code == "BOLLO")


@pytest.mark.parametrize("name", STAMP_SAMPLES)
def test_stamp_duty_samples_pass_once_their_placeholder_ids_are_real(name, needs_schemas):
    """Test the four samples refused for stamp duty: with valid identifiers
    in place of the placeholders they pass every check, the missing stamp
    being a warning."""
    from fatturapa_bridge.validate import validate_bytes

    data = (SAMPLES / "realworld" / name).read_bytes()
    for placeholder, valid in ((b"01234567890", b"12345670017"), (b"12345678903", b"12345670017"),
                               (b"09876543217", b"07654320584")):
        data = data.replace(placeholder, valid)
    problems = validate_bytes(data, today=date(2026, 12, 1))
    assert [p for p in problems if p.is_error] == []
    assert [(p.code, p.severity) for p in problems if p.code == "BOLLO"] == [("BOLLO", "warning")]
