# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Builders of the invoices used by the tests, the golden files and the bench.

The VAT numbers have valid check digits (python-stdnum) but belong to no one.
"""

from datetime import date
from decimal import Decimal as D

from fatturapa_bridge.amounts import complete
from fatturapa_bridge.model import (
    REA,
    Address,
    Body,
    Buyer,
    DocumentData,
    FiscalId,
    GeneralData,
    GoodsServices,
    Header,
    Invoice,
    Line,
    PartyData,
    Payment,
    PaymentDetail,
    Registry,
    RelatedDocument,
    Seller,
    SellerData,
    Stamp,
    Transmission,
)

SELLER_VAT = "12345670017"
BUYER_VAT = "07654320584"
PA_FISCAL_CODE = "02468130121"
PERSON_CF = "RSSMRA85T10A562S"


def seller() -> Seller:
    return Seller(
        data=SellerData(
            vat=FiscalId(country="IT", code=SELLER_VAT),
            registry=Registry(name="Nuvola Hosting S.r.l."),
            tax_regime="RF01",
        ),
        address=Address(street="Via dei Server", number="42", zip="20121", city="Milano",
                        province="MI"),
        rea=REA(office="MI", number="1234567", share_capital=D("10000"),
                sole_shareholder="SU"),
    )


def company_buyer() -> Buyer:
    return Buyer(
        data=PartyData(vat=FiscalId(country="IT", code=BUYER_VAT),
                       registry=Registry(name="Alfa Web S.p.A.")),
        address=Address(street="Corso Italia", number="1", zip="10121", city="Torino",
                        province="TO"),
    )


def transmission(fmt="FPR12", code="ABC1234", pec=None, progressive="00001") -> Transmission:
    return Transmission(
        transmitter=FiscalId(country="IT", code=SELLER_VAT),
        progressive=progressive,
        format=fmt,
        recipient_code=code,
        pec=pec,
    )


def invoice(lines, *, doc_type="TD01", number="FT/2026/0001", buyer=None, trans=None,
            payment_method="MP05", **doc_kwargs) -> Invoice:
    general_kwargs = {k: doc_kwargs.pop(k) for k in list(doc_kwargs)
                      if k in ("linked_invoices", "purchase_orders", "contracts")}
    return Invoice(
        header=Header(
            transmission=trans or transmission(),
            seller=seller(),
            buyer=buyer or company_buyer(),
        ),
        bodies=[
            Body(
                general=GeneralData(
                    document=DocumentData(type=doc_type, date=date(2026, 3, 2), number=number,
                                          **doc_kwargs),
                    **general_kwargs,
                ),
                goods=GoodsServices(lines=list(lines)),
                payments=[Payment(conditions="TP02", details=[PaymentDetail(
                    method=payment_method, due_date=date(2026, 4, 1),
                    iban="IT60X0542811101000000123456" if payment_method == "MP05" else None,
                )])],
            )
        ],
    )


def hosting_lines(count=10):
    """A month of cloud usage and add-ons, as the wallet bills it."""
    catalogue = [
        ("Cloud server vCPU (hours)", D("720"), D("0.00410000")),
        ("Cloud server RAM GB (hours)", D("1440"), D("0.00205000")),
        ("Disk SSD 50 GB (month)", D("1"), D("4.50")),
        ("cPanel licence", D("1"), D("15.99")),
        ("Managed support", D("1"), D("29.00")),
        ("FTP backup 100 GB", D("1"), D("3.00")),
        ("Domain renewal example.it", D("1"), D("8.90")),
        ("Domain transfer example.com", D("1"), D("11.50")),
        ("CDP backup snapshots", D("30"), D("0.12345")),
        ("Public IPv4 address", D("1"), D("2.00")),
    ]
    lines = []
    for i in range(count):
        desc, qty, price = catalogue[i % len(catalogue)]
        lines.append(Line(description=desc, quantity=qty, unit_price=price, vat_rate=D("22")))
    return lines


def hosting_invoice(count=10) -> Invoice:
    return invoice(hosting_lines(count))


# ------------------------------------------------------------ golden cases


def advance_invoice() -> Invoice:
    """TD02: advance payment on a yearly dedicated server, card payment."""
    return invoice(
        [Line(description="Acconto server dedicato 12 mesi", quantity=D("1"),
              unit_price=D("500.00"), vat_rate=D("22"))],
        doc_type="TD02", number="AC/2026/0007", payment_method="MP08",
        causale=["Acconto su ordine 2026-118"],
    )


def credit_note() -> Invoice:
    """TD04: credit note for an unused VPS month, linked to its invoice."""
    return invoice(
        [Line(description="Storno canone VPS marzo 2026", quantity=D("1"),
              unit_price=D("19.90"), vat_rate=D("22"))],
        doc_type="TD04", number="NC/2026/0003",
        linked_invoices=[RelatedDocument(id="FT/2026/0001", date=date(2026, 3, 1))],
    )


def split_payment_pa() -> Invoice:
    """FPA12 to a public administration: split payment (EsigibilitaIVA S),
    office code, CIG and CUP on the purchase order."""
    buyer = Buyer(
        data=PartyData(fiscal_code=PA_FISCAL_CODE,
                       registry=Registry(name="Comune di Esempio")),
        address=Address(street="Piazza Municipio", number="1", zip="00100", city="Roma",
                        province="RM"),
    )
    inv = invoice(
        [Line(description="Hosting portale istituzionale 12 mesi", quantity=D("12"),
              unit_price=D("45.00"), vat_rate=D("22")),
         Line(description="Certificato SSL OV", quantity=D("1"), unit_price=D("89.00"),
              vat_rate=D("22"))],
        trans=transmission("FPA12", "UFY9MH"), buyer=buyer, number="PA/2026/0002",
        purchase_orders=[RelatedDocument(id="ORD-2026-55", date=date(2026, 2, 10),
                                         cup="J11B21000010004", cig="Z1A2B3C4D5")],
    )
    # Split payment is a property of the VAT summary rows: compute them now.
    return complete(inv, exigibility="S")


def stamp_duty_invoice() -> Invoice:
    """Exempt services (N4) above 77.47 EUR: bollo virtuale of 2 EUR charged
    to the customer on an N1 line."""
    return invoice(
        [Line(description="Corso di formazione esente art. 10", quantity=D("1"),
              unit_price=D("150.00"), vat_rate=D("0"), nature="N4"),
         Line(description="Rimborso imposta di bollo", quantity=D("1"),
              unit_price=D("2.00"), vat_rate=D("0"), nature="N1")],
        number="FT/2026/0010", stamp=Stamp(virtual="SI", amount=D("2.00")),
    )


def foreign_buyer() -> Invoice:
    """Services to an EU business: XXXXXXX recipient, N2.1 (art. 7-ter)."""
    buyer = Buyer(
        data=PartyData(vat=FiscalId(country="DE", code="123456789"),
                       registry=Registry(name="Beispiel Cloud GmbH")),
        address=Address(street="Hauptstrasse", number="5", zip="10115", city="Berlin",
                        country="DE"),
    )
    return invoice(
        [Line(description="Cloud server 4 vCPU marzo 2026", quantity=D("1"),
              unit_price=D("60.00"), vat_rate=D("0"), nature="N2.1")],
        trans=transmission("FPR12", "XXXXXXX"), buyer=buyer, number="FT/2026/0011",
        stamp=None,
    )


def reverse_charge() -> Invoice:
    """Domestic reverse charge (N6.9) on hardware resale between businesses."""
    return invoice(
        [Line(description="Server rack 2U (inversione contabile)", quantity=D("2"),
              unit_price=D("1450.00"), vat_rate=D("0"), nature="N6.9")],
        number="FT/2026/0012",
    )


GOLDEN = {
    "advance_td02": advance_invoice,
    "credit_note_td04": credit_note,
    "split_payment_pa": split_payment_pa,
    "stamp_duty": stamp_duty_invoice,
    "foreign_buyer": foreign_buyer,
    "reverse_charge_n6": reverse_charge,
    "hosting_10_lines": hosting_invoice,
}
