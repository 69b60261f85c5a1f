# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Every content check of the SdI's list, each with a sample that fails it.

The samples are built from the clean reference invoice of the builders and
broken in one place; the problem must carry the SdI's code and the path of
what to fix. The checks of a file's bytes (name, size, signature) are in
test_file_checks.py.
"""

import dataclasses
import functools
from datetime import date, timedelta
from decimal import Decimal as D

import fpa_builders as b
import pytest

from fatturapa_bridge.amounts import complete
from fatturapa_bridge.model import (
    Body,
    BuyerTaxRepresentative,
    Discount,
    FiscalId,
    Line,
    PartyData,
    PensionFund,
    Registry,
    RelatedDocument,
    TaxRepresentative,
    VatSummary,
    Withholding,
)
from fatturapa_bridge.rules import SDI_CHECKS, check

TODAY = date(2026, 3, 10)
H = "FatturaElettronicaHeader"
B1 = "FatturaElettronicaBody[1]"


def base(**line):
    kwargs = dict(description="Cloud server", quantity=D("1"), unit_price=D("100"),
                  vat_rate=D("22"))
    kwargs.update(line)
    return b.invoice([Line(**kwargs)])


def with_summary(inv, *rows):
    inv.body.goods.summaries = list(rows)
    return inv


def doc(inv):
    return inv.body.general.document


def foreign_seller(inv, country="FR", code="15437982937"):
    inv.header.seller.data.vat = FiscalId(country=country, code=code)
    inv.header.seller.address.country = country
    inv.header.seller.address.province = None
    inv.header.seller.rea = None
    return inv


def _00303():
    inv = base()
    inv.header.tax_representative = TaxRepresentative(data=PartyData(
        vat=FiscalId(code="12345670018"), registry=Registry(name="Rappresentante S.r.l.")))
    return inv


def _00303_buyer():
    inv = base()
    inv.header.buyer.tax_representative = BuyerTaxRepresentative(
        vat=FiscalId(code="07654320585"), name="Rappresentante S.r.l.")
    return inv


def _00330():
    inv = base()
    inv.header.transmission.recipient_code = "0000000"
    inv.header.transmission.pec = "sdi01@pec.fatturapa.it"
    return inv


def _00403():
    inv = base()
    doc(inv).date = TODAY + timedelta(days=1)
    return inv


def _00409():
    inv = base()
    inv.bodies.append(dataclasses.replace(inv.body))
    return inv


def _00411():
    return base(withholding="SI")


def _pension(**kwargs):
    inv = base()
    fund = dict(type="TC22", rate=D("4"), amount=D("4.00"), taxable=D("100"), vat_rate=D("22"))
    fund.update(kwargs)
    doc(inv).pension_funds = [PensionFund(**fund)]
    return inv


def _00417():
    inv = base()
    inv.header.buyer.data.vat = None
    inv.header.buyer.data.fiscal_code = None
    return inv


def _00418():
    inv = base()
    inv.body.general.linked_invoices = [RelatedDocument(id="FT/1", date=date(2026, 3, 5))]
    return inv


def _00420():
    inv = base(vat_rate=D("0"), nature="N6.3")
    return with_summary(inv, VatSummary(vat_rate=D("0"), nature="N6.3", taxable=D("100"),
                                        tax=D("0"), exigibility="S"))


def _00437():
    inv = base()
    doc(inv).discounts = [Discount(type="SC")]
    return inv


def _00443():
    inv = b.invoice([
        Line(description="a", quantity=D("1"), unit_price=D("10"), vat_rate=D("0"), nature="N4"),
        Line(description="b", quantity=D("1"), unit_price=D("10"), vat_rate=D("0"),
             nature="N2.2"),
    ])
    return with_summary(inv, VatSummary(vat_rate=D("0"), nature="N4", taxable=D("20"),
                                        tax=D("0")))


def _00444():
    return with_summary(base(), VatSummary(vat_rate=D("22"), taxable=D("100"), tax=D("22")),
                        VatSummary(vat_rate=D("10"), taxable=D("0"), tax=D("0")))


def _00471():
    inv = base()
    inv.header.buyer.data.vat = FiscalId(code=b.SELLER_VAT)
    return inv


def _00472():
    inv = base()
    doc(inv).type = "TD27"
    return inv


def _00473_td17():
    inv = base()
    doc(inv).type = "TD17"  # an Italian seller where the foreign supplier belongs
    return inv


def _00473_td28():
    inv = foreign_seller(base())
    doc(inv).type = "TD28"  # a French seller: TD28 is for San Marino
    return inv


def _00474():
    inv = base(vat_rate=D("0"), nature="N3.5")
    doc(inv).type = "TD21"
    inv.header.buyer.data.vat = FiscalId(code=b.SELLER_VAT)
    return inv


def _00475():
    inv = foreign_seller(base())
    doc(inv).type = "TD17"
    inv.header.buyer.data.vat = None
    inv.header.buyer.data.fiscal_code = "02468130121"
    return inv


def _00476():
    inv = foreign_seller(base())
    inv.header.buyer.data.vat = FiscalId(country="DE", code="123456789")
    inv.header.buyer.address.country = "DE"
    inv.header.transmission.recipient_code = "XXXXXXX"
    return inv


def _header(path, value):
    """The clean invoice with the header's attribute at the dotted ``path`` set to ``value``."""
    inv = base()
    *parents, name = path.split(".")
    setattr(functools.reduce(getattr, parents, inv.header), name, value)
    return inv


def _number(number):
    inv = base()
    doc(inv).number = number
    return inv


#: code -> (a sample failing it, the end of the path of the problem)
CASES = {
    "00300": (lambda: _header("transmission.transmitter.code", "1234"),
              f"{H}/DatiTrasmissione/IdTrasmittente/IdCodice"),
    "00301": (lambda: _header("seller.data.vat.code", "12345670018"),
              f"{H}/CedentePrestatore/DatiAnagrafici/IdFiscaleIVA"),
    "00303": (_00303, f"{H}/RappresentanteFiscale/DatiAnagrafici/IdFiscaleIVA"),
    "00305": (lambda: _header("buyer.data.vat.code", "07654320585"),
              f"{H}/CessionarioCommittente/DatiAnagrafici/IdFiscaleIVA"),
    "00306": (lambda: _header("buyer.data.fiscal_code", "RSSMRA85T10A562X"),
              f"{H}/CessionarioCommittente/DatiAnagrafici/CodiceFiscale"),
    "00313": (lambda: _header("transmission.recipient_code", "XXXXXXX"), f"{H}/DatiTrasmissione/CodiceDestinatario"),
    "00330": (_00330, f"{H}/DatiTrasmissione/PECDestinatario"),
    "00400": (lambda: base(vat_rate=D("0")), f"{B1}/DatiBeniServizi/DettaglioLinee[1]/Natura"),
    "00401": (lambda: base(nature="N4"), f"{B1}/DatiBeniServizi/DettaglioLinee[1]/Natura"),
    "00403": (_00403, f"{B1}/DatiGenerali/DatiGeneraliDocumento/Data"),
    "00409": (_00409, "FatturaElettronicaBody[2]/DatiGenerali/DatiGeneraliDocumento/Numero"),
    "00411": (_00411, f"{B1}/DatiBeniServizi/DettaglioLinee[1]/Ritenuta"),
    "00413": (lambda: _pension(vat_rate=D("0")),
              f"{B1}/DatiGenerali/DatiGeneraliDocumento/DatiCassaPrevidenziale[1]/Natura"),
    "00414": (lambda: _pension(nature="N4"),
              f"{B1}/DatiGenerali/DatiGeneraliDocumento/DatiCassaPrevidenziale[1]/Natura"),
    "00415": (lambda: _pension(withholding="SI"),
              f"{B1}/DatiGenerali/DatiGeneraliDocumento/DatiCassaPrevidenziale[1]/Ritenuta"),
    "00417": (_00417, f"{H}/CessionarioCommittente/DatiAnagrafici"),
    "00418": (_00418, f"{B1}/DatiGenerali/DatiFattureCollegate[1]/Data"),
    "00419": (lambda: with_summary(base(), VatSummary(vat_rate=D("10"), taxable=D("100"),
                                                      tax=D("10"))),
              f"{B1}/DatiBeniServizi/DatiRiepilogo"),
    "00420": (_00420, f"{B1}/DatiBeniServizi/DatiRiepilogo[1]/EsigibilitaIVA"),
    "00421": (lambda: with_summary(base(), VatSummary(vat_rate=D("22"), taxable=D("100"),
                                                      tax=D("22.02"))),
              f"{B1}/DatiBeniServizi/DatiRiepilogo[1]/Imposta"),
    "00422": (lambda: with_summary(base(), VatSummary(vat_rate=D("22"), taxable=D("101.01"),
                                                      tax=D("22.22"))),
              f"{B1}/DatiBeniServizi/DatiRiepilogo[1]/ImponibileImporto"),
    "00423": (lambda: base(total=D("99.98")), f"{B1}/DatiBeniServizi/DettaglioLinee[1]/PrezzoTotale"),
    "00424": (lambda: base(vat_rate=D("0.22")), f"{B1}/DatiBeniServizi/DettaglioLinee[1]/AliquotaIVA"),
    "00425": (lambda: _number("FT/ABC"), f"{B1}/DatiGenerali/DatiGeneraliDocumento/Numero"),
    "00426": (lambda: _header("transmission.pec", "cliente@pec.example.it"), f"{H}/DatiTrasmissione/PECDestinatario"),
    # FPA12 with the 7-character code of FPR12
    "00427": (lambda: _header("transmission.format", "FPA12"), f"{H}/DatiTrasmissione/CodiceDestinatario"),
    "00429": (lambda: with_summary(base(), VatSummary(vat_rate=D("22"), taxable=D("100"),
                                                      tax=D("22")),
                                   VatSummary(vat_rate=D("0"), taxable=D("0"), tax=D("0"))),
              f"{B1}/DatiBeniServizi/DatiRiepilogo[2]/Natura"),
    "00430": (lambda: with_summary(base(), VatSummary(vat_rate=D("22"), nature="N4",
                                                      taxable=D("100"), tax=D("22"))),
              f"{B1}/DatiBeniServizi/DatiRiepilogo[1]/Natura"),
    "00437": (_00437, f"{B1}/DatiGenerali/DatiGeneraliDocumento/ScontoMaggiorazione[1]"),
    "00438": (lambda: base(discounts=[Discount(type="MG")]),
              f"{B1}/DatiBeniServizi/DettaglioLinee[1]/ScontoMaggiorazione[1]"),
    "00443": (_00443, f"{B1}/DatiBeniServizi/DatiRiepilogo"),
    "00444": (_00444, f"{B1}/DatiBeniServizi/DatiRiepilogo[2]"),
    "00445": (lambda: base(vat_rate=D("0"), nature="N3"),
              f"{B1}/DatiBeniServizi/DettaglioLinee[1]/Natura"),
    "00471": (_00471, f"{B1}/DatiGenerali/DatiGeneraliDocumento/TipoDocumento"),
    "00472": (_00472, f"{B1}/DatiGenerali/DatiGeneraliDocumento/TipoDocumento"),
    "00473": (_00473_td17, f"{H}/CedentePrestatore/DatiAnagrafici/IdFiscaleIVA/IdPaese"),
    "00474": (_00474, f"{B1}/DatiBeniServizi/DettaglioLinee[1]/AliquotaIVA"),
    "00475": (_00475, f"{H}/CessionarioCommittente/DatiAnagrafici/IdFiscaleIVA"),
    "00476": (_00476, f"{H}/CessionarioCommittente/DatiAnagrafici/IdFiscaleIVA/IdPaese"),
}

MORE_CASES = {
    "00303 (buyer's representative)": (
        "00303", _00303_buyer, f"{H}/CessionarioCommittente/RappresentanteFiscale/IdFiscaleIVA"),
    "00473 (TD28 not from San Marino)": (
        "00473", _00473_td28, f"{H}/CedentePrestatore/DatiAnagrafici/IdFiscaleIVA/IdPaese"),
    "00424 (summary row)": (
        "00424", lambda: with_summary(base(vat_rate=D("0.22")), VatSummary(
            vat_rate=D("0.22"), taxable=D("100"), tax=D("0.22"))),
        f"{B1}/DatiBeniServizi/DatiRiepilogo[1]/AliquotaIVA"),
}


def problems_of(inv):
    return check(complete(inv), today=TODAY)


def test_the_reference_invoice_passes_every_check():
    """Test the premise of the cases: the unbroken sample has no problem."""
    assert problems_of(base()) == []


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_sdi_check_catches_its_failing_sample(code):
    """Test that the sample built to fail one SdI check gets an error with
    that code, on the path of the element to fix."""
    build, path = CASES[code]
    problems = [p for p in problems_of(build()) if p.code == code]
    assert problems, f"{code} not reported"
    assert any(p.path == path for p in problems), [p.path for p in problems]
    assert all(p.is_error and p.message for p in problems)


@pytest.mark.parametrize("name", sorted(MORE_CASES))
def test_second_variant_of_a_check_is_caught_too(name):
    """Test the other branch of checks that have two (buyer's tax
    representative, TD28 seller, a rate in a summary row)."""
    code, build, path = MORE_CASES[name]
    assert path in [p.path for p in problems_of(build()) if p.code == code]


def test_every_content_check_of_the_list_has_a_failing_sample():
    """Test that the cases above cover every check this package makes on a
    model, and that the list names no code twice."""
    codes = [c for c, _d, _w in SDI_CHECKS]
    assert len(codes) == len(set(codes))
    assert {c for c, _d, where in SDI_CHECKS if where == "rules"} == set(CASES)


def test_td16_keeps_its_natura_next_to_the_rate():
    """Test the exception of 00401/00430: a TD16 integrates a reverse charge
    invoice with its rate and its N6.x Natura."""
    inv = b.invoice([Line(description="integrazione", quantity=D("1"), unit_price=D("100"),
                          vat_rate=D("22"), nature="N6.3")], doc_type="TD16")
    foreign = foreign_seller(inv)  # TD16 still needs seller != buyer
    assert [p.code for p in problems_of(foreign)] == []
    other = dataclasses.replace(foreign)
    doc(other).type = "TD01"
    assert {p.code for p in problems_of(other)} == {"00401", "00430"}


def test_a_date_of_today_is_accepted():
    """Test that 00403 fires only for a date after the receipt day."""
    inv = base()
    doc(inv).date = TODAY
    assert problems_of(inv) == []


def test_the_day_of_receipt_defaults_to_today_in_italy():
    """Test that without ``today`` the check uses the current date: an
    invoice dated next year is refused."""
    inv = base()
    doc(inv).date = date.today() + timedelta(days=400)
    assert "00403" in {p.code for p in check(complete(inv))}


def test_distinct_invoices_in_a_lot_are_not_duplicates():
    """Test that 00409 compares type, year and number: the same number in
    another year, or another number, is fine."""
    inv = base()
    second = dataclasses.replace(inv.body, general=dataclasses.replace(
        inv.body.general, document=dataclasses.replace(doc(inv), number="FT/2026/0002")))
    inv.bodies.append(second)
    assert problems_of(inv) == []


def test_self_invoice_from_san_marino_and_from_abroad_pass():
    """Test the right shapes of TD28 (seller from San Marino) and TD17
    (foreign seller, buyer with its VAT number)."""
    td28 = foreign_seller(base(), country="SM", code="12345")
    doc(td28).type = "TD28"
    td17 = foreign_seller(base(), country="GB", code="999999999")
    doc(td17).type = "TD17"
    assert problems_of(td28) == [] and problems_of(td17) == []


def test_buyer_identified_by_the_sellers_codice_fiscale_is_the_same_subject():
    """Test that a TD27 to oneself passes when the buyer is given by the
    seller's VAT number as codice fiscale (companies use it as both)."""
    inv = base()
    doc(inv).type = "TD27"
    inv.header.buyer.data.vat = None
    inv.header.buyer.data.fiscal_code = b.SELLER_VAT
    assert problems_of(inv) == []


def test_a_withholding_with_its_data_passes():
    """Test that 00411 is satisfied by DatiRitenuta."""
    inv = base(withholding="SI")
    doc(inv).withholdings = [Withholding(type="RT02", amount=D("20"), rate=D("20"),
                                         reason="A")]
    assert problems_of(inv) == []


def test_a_foreign_buyer_of_an_italian_seller_passes_00476():
    """Test that one foreign party is fine."""
    assert problems_of(b.foreign_buyer()) == []


def test_body_without_general_data_gets_no_crash():
    """Test that a parsed body missing its mandatory blocks is skipped by
    the content checks (the schema names what is missing)."""
    inv = complete(base())
    inv.bodies.append(Body(general=None, goods=None))
    assert check(inv, today=TODAY) == []
