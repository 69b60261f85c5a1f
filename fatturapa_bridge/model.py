# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Typed model of a FatturaPA 1.2.3 document (FPA12 and FPR12).

Every class mirrors one complex type of the official schema and declares its
fields in the schema's element order: :mod:`fatturapa_bridge.render` and
:mod:`fatturapa_bridge.parse` walk the fields in declaration order, so the
order here *is* the order in the XML. Each field carries the element name and,
for numbers, the lexical format the schema demands (``a2`` two decimals,
``a8`` two to eight decimals, ``rate`` a percentage with two decimals,
``qty`` a quantity with two to eight decimals, ``peso`` a weight).

Money is always :class:`decimal.Decimal`; never build it from a float.

The Python names are English; the XML names are in the field metadata and in
each class docstring, so a reader of the AdE specification finds their way.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache

NAMESPACE = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"
DS_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#"
SCHEMA_VERSION = "1.2.3"

#: Document types of spec 1.9 (schema 1.2.3): TipoDocumento.
DOCUMENT_TYPES = {
    "TD01": "Fattura",
    "TD02": "Acconto/anticipo su fattura",
    "TD03": "Acconto/anticipo su parcella",
    "TD04": "Nota di credito",
    "TD05": "Nota di debito",
    "TD06": "Parcella",
    "TD16": "Integrazione fattura reverse charge interno",
    "TD17": "Integrazione/autofattura per acquisto servizi dall'estero",
    "TD18": "Integrazione per acquisto di beni intracomunitari",
    "TD19": "Integrazione/autofattura per acquisto di beni ex art. 17 c.2 DPR 633/72",
    "TD20": "Autofattura per regolarizzazione e integrazione delle fatture",
    "TD21": "Autofattura per splafonamento",
    "TD22": "Estrazione beni da Deposito IVA",
    "TD23": "Estrazione beni da Deposito IVA con versamento dell'IVA",
    "TD24": "Fattura differita di cui all'art. 21, comma 4, lett. a)",
    "TD25": "Fattura differita di cui all'art. 21, comma 4, terzo periodo lett. b)",
    "TD26": "Cessione di beni ammortizzabili e per passaggi interni",
    "TD27": "Fattura per autoconsumo o per cessioni gratuite senza rivalsa",
    "TD28": "Acquisti da San Marino con IVA (fattura cartacea)",
    "TD29": "Comunicazione per omessa o irregolare fatturazione",
}

#: Fiscal regimes RF01..RF20 (RF03 was withdrawn before 1.2).
TAX_REGIMES = {f"RF{n:02d}" for n in range(1, 21)} - {"RF03"}

#: Natura codes accepted by schema 1.2.3. N2, N3 and N6 without sub-code are
#: still in the XSD but the SdI rejects them (check 00445).
NATURE_CODES = {
    "N1", "N2", "N2.1", "N2.2", "N3", "N3.1", "N3.2", "N3.3", "N3.4", "N3.5",
    "N3.6", "N4", "N5", "N6", "N6.1", "N6.2", "N6.3", "N6.4", "N6.5", "N6.6",
    "N6.7", "N6.8", "N6.9", "N7",
}
GENERIC_NATURE_CODES = {"N2", "N3", "N6"}

PAYMENT_METHODS = {f"MP{n:02d}" for n in range(1, 24)}
PAYMENT_CONDITIONS = {"TP01", "TP02", "TP03"}

#: Recipient code for invoices delivered by PEC or to a private consumer.
NO_RECIPIENT_CODE = "0000000"
#: Recipient code for buyers without an Italian channel (foreign buyers).
FOREIGN_RECIPIENT_CODE = "XXXXXXX"


def el(tag: str, fmt: str | None = None, default=None, factory=None):
    """Declare a dataclass field bound to the XML element ``tag``.

    :param tag: element (or, with a leading ``@``, attribute) name.
    :param fmt: number format: ``a2``, ``a8``, ``rate``, ``qty`` or ``peso``.
    :param default: default value for optional fields.
    :param factory: default factory, for lists.
    :return: a :func:`dataclasses.field`.
    """
    meta = {"xml": tag, "fmt": fmt}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def req(tag: str, fmt: str | None = None):
    """Declare a mandatory field bound to ``tag`` (no default value)."""
    return field(metadata={"xml": tag, "fmt": fmt})


_dc = dataclass(kw_only=True, slots=True)


# --------------------------------------------------------------------- header


@_dc
class FiscalId:
    """IdFiscaleType: IdPaese + IdCodice (a VAT number or a tax code)."""

    country: str = el("IdPaese", default="IT")
    code: str = req("IdCodice")


@_dc
class TransmitterContacts:
    """ContattiTrasmittente."""

    phone: str | None = el("Telefono")
    email: str | None = el("Email")


@_dc
class Transmission:
    """DatiTrasmissione.

    ``format`` is FPR12 (private buyers: 7-character CodiceDestinatario, or
    ``0000000`` with a PEC address) or FPA12 (public administrations:
    6-character office code, Codice Univoco Ufficio).
    """

    transmitter: FiscalId = req("IdTrasmittente")
    #: Mandatory in the file; may be left ``None`` in the model when the
    #: caller lets :mod:`fatturapa_bridge.naming` give the same code as the
    #: file name (the CLI does).
    progressive: str | None = el("ProgressivoInvio")
    format: str = el("FormatoTrasmissione", default="FPR12")
    recipient_code: str = el("CodiceDestinatario", default=NO_RECIPIENT_CODE)
    contacts: TransmitterContacts | None = el("ContattiTrasmittente")
    pec: str | None = el("PECDestinatario")


@_dc
class Registry:
    """Anagrafica: a company name, or first and last name of a person."""

    name: str | None = el("Denominazione")
    first_name: str | None = el("Nome")
    last_name: str | None = el("Cognome")
    title: str | None = el("Titolo")
    eori: str | None = el("CodEORI")


@_dc
class Address:
    """IndirizzoType (Sede, StabileOrganizzazione, IndirizzoResa)."""

    street: str = req("Indirizzo")
    number: str | None = el("NumeroCivico")
    zip: str = req("CAP")
    city: str = req("Comune")
    province: str | None = el("Provincia")
    country: str = el("Nazione", default="IT")


@_dc
class REA:
    """IscrizioneREA: companies register entry."""

    office: str = req("Ufficio")
    number: str = req("NumeroREA")
    share_capital: Decimal | None = el("CapitaleSociale", "a2")
    sole_shareholder: str | None = el("SocioUnico")
    liquidation: str = el("StatoLiquidazione", default="LN")


@_dc
class Contacts:
    """Contatti of the seller."""

    phone: str | None = el("Telefono")
    fax: str | None = el("Fax")
    email: str | None = el("Email")


@_dc
class SellerData:
    """DatiAnagrafici of CedentePrestatore."""

    vat: FiscalId = req("IdFiscaleIVA")
    fiscal_code: str | None = el("CodiceFiscale")
    registry: Registry = req("Anagrafica")
    professional_register: str | None = el("AlboProfessionale")
    register_province: str | None = el("ProvinciaAlbo")
    register_number: str | None = el("NumeroIscrizioneAlbo")
    register_date: date | None = el("DataIscrizioneAlbo")
    tax_regime: str = el("RegimeFiscale", default="RF01")


@_dc
class Seller:
    """CedentePrestatore."""

    data: SellerData = req("DatiAnagrafici")
    address: Address = req("Sede")
    permanent_establishment: Address | None = el("StabileOrganizzazione")
    rea: REA | None = el("IscrizioneREA")
    contacts: Contacts | None = el("Contatti")
    admin_reference: str | None = el("RiferimentoAmministrazione")


@_dc
class PartyData:
    """DatiAnagrafici of the buyer, of a tax representative or of a third party.

    A buyer has an Italian VAT number, a codice fiscale, or both (check 00417);
    a foreign buyer has its own VAT number with its country code.
    """

    vat: FiscalId | None = el("IdFiscaleIVA")
    fiscal_code: str | None = el("CodiceFiscale")
    registry: Registry = req("Anagrafica")


@_dc
class TaxRepresentative:
    """RappresentanteFiscale of the seller."""

    data: PartyData = req("DatiAnagrafici")


@_dc
class BuyerTaxRepresentative:
    """RappresentanteFiscale of the buyer."""

    vat: FiscalId = req("IdFiscaleIVA")
    name: str | None = el("Denominazione")
    first_name: str | None = el("Nome")
    last_name: str | None = el("Cognome")


@_dc
class Buyer:
    """CessionarioCommittente."""

    data: PartyData = req("DatiAnagrafici")
    address: Address = req("Sede")
    permanent_establishment: Address | None = el("StabileOrganizzazione")
    tax_representative: BuyerTaxRepresentative | None = el("RappresentanteFiscale")


@_dc
class ThirdParty:
    """TerzoIntermediarioOSoggettoEmittente."""

    data: PartyData = req("DatiAnagrafici")


@_dc
class Header:
    """FatturaElettronicaHeader."""

    transmission: Transmission = req("DatiTrasmissione")
    seller: Seller = req("CedentePrestatore")
    tax_representative: TaxRepresentative | None = el("RappresentanteFiscale")
    buyer: Buyer = req("CessionarioCommittente")
    third_party: ThirdParty | None = el("TerzoIntermediarioOSoggettoEmittente")
    issuer: str | None = el("SoggettoEmittente")


# ----------------------------------------------------------------------- body


@_dc
class Withholding:
    """DatiRitenuta: withholding tax (ritenuta d'acconto)."""

    type: str = req("TipoRitenuta")
    amount: Decimal = req("ImportoRitenuta", "a2")
    rate: Decimal = req("AliquotaRitenuta", "rate")
    reason: str = req("CausalePagamento")


@_dc
class Stamp:
    """DatiBollo: stamp duty paid virtually (bollo virtuale)."""

    virtual: str = el("BolloVirtuale", default="SI")
    amount: Decimal | None = el("ImportoBollo", "a2")


@_dc
class PensionFund:
    """DatiCassaPrevidenziale: professional pension fund contribution."""

    type: str = req("TipoCassa")
    rate: Decimal = req("AlCassa", "rate")
    amount: Decimal = req("ImportoContributoCassa", "a2")
    taxable: Decimal | None = el("ImponibileCassa", "a2")
    vat_rate: Decimal = req("AliquotaIVA", "rate")
    withholding: str | None = el("Ritenuta")
    nature: str | None = el("Natura")
    admin_reference: str | None = el("RiferimentoAmministrazione")


@_dc
class Discount:
    """ScontoMaggiorazione: ``SC`` discount or ``MG`` surcharge."""

    type: str = el("Tipo", default="SC")
    percent: Decimal | None = el("Percentuale", "rate")
    amount: Decimal | None = el("Importo", "a8")


@_dc
class DocumentData:
    """DatiGeneraliDocumento."""

    type: str = el("TipoDocumento", default="TD01")
    currency: str = el("Divisa", default="EUR")
    date: date = req("Data")
    number: str = req("Numero")
    withholdings: list[Withholding] = el("DatiRitenuta", factory=list)
    stamp: Stamp | None = el("DatiBollo")
    pension_funds: list[PensionFund] = el("DatiCassaPrevidenziale", factory=list)
    discounts: list[Discount] = el("ScontoMaggiorazione", factory=list)
    total: Decimal | None = el("ImportoTotaleDocumento", "a2")
    rounding: Decimal | None = el("Arrotondamento", "a2")
    causale: list[str] = el("Causale", factory=list)
    art73: str | None = el("Art73")


@_dc
class RelatedDocument:
    """DatiDocumentiCorrelati: purchase order, contract, agreement, receipt
    or linked invoice. PA references (CIG, CUP) live here."""

    line_refs: list[int] = el("RiferimentoNumeroLinea", factory=list)
    id: str = req("IdDocumento")
    date: date | None = el("Data")
    item: str | None = el("NumItem")
    order_code: str | None = el("CodiceCommessaConvenzione")
    cup: str | None = el("CodiceCUP")
    cig: str | None = el("CodiceCIG")


@_dc
class SAL:
    """DatiSAL: progress of works."""

    phase: int = req("RiferimentoFase")


@_dc
class DDT:
    """DatiDDT: delivery note."""

    number: str = req("NumeroDDT")
    date: date = req("DataDDT")
    line_refs: list[int] = el("RiferimentoNumeroLinea", factory=list)


@_dc
class Carrier:
    """DatiAnagraficiVettore."""

    vat: FiscalId = req("IdFiscaleIVA")
    fiscal_code: str | None = el("CodiceFiscale")
    registry: Registry = req("Anagrafica")
    license: str | None = el("NumeroLicenzaGuida")


@_dc
class Transport:
    """DatiTrasporto. Date-times are kept in their xs:dateTime lexical form
    because senders use every variant (with or without fraction and zone)."""

    carrier: Carrier | None = el("DatiAnagraficiVettore")
    means: str | None = el("MezzoTrasporto")
    reason: str | None = el("CausaleTrasporto")
    packages: int | None = el("NumeroColli")
    description: str | None = el("Descrizione")
    weight_unit: str | None = el("UnitaMisuraPeso")
    gross_weight: Decimal | None = el("PesoLordo", "peso")
    net_weight: Decimal | None = el("PesoNetto", "peso")
    pickup: str | None = el("DataOraRitiro")
    start_date: date | None = el("DataInizioTrasporto")
    incoterm: str | None = el("TipoResa")
    delivery_address: Address | None = el("IndirizzoResa")
    delivery: str | None = el("DataOraConsegna")


@_dc
class MainInvoice:
    """FatturaPrincipale (for invoices of accessory transport)."""

    number: str = req("NumeroFatturaPrincipale")
    date: date = req("DataFatturaPrincipale")


@_dc
class GeneralData:
    """DatiGenerali."""

    document: DocumentData = req("DatiGeneraliDocumento")
    purchase_orders: list[RelatedDocument] = el("DatiOrdineAcquisto", factory=list)
    contracts: list[RelatedDocument] = el("DatiContratto", factory=list)
    conventions: list[RelatedDocument] = el("DatiConvenzione", factory=list)
    receipts: list[RelatedDocument] = el("DatiRicezione", factory=list)
    linked_invoices: list[RelatedDocument] = el("DatiFattureCollegate", factory=list)
    sal: list[SAL] = el("DatiSAL", factory=list)
    ddt: list[DDT] = el("DatiDDT", factory=list)
    transport: Transport | None = el("DatiTrasporto")
    main_invoice: MainInvoice | None = el("FatturaPrincipale")


@_dc
class ArticleCode:
    """CodiceArticolo."""

    type: str = req("CodiceTipo")
    value: str = req("CodiceValore")


@_dc
class OtherData:
    """AltriDatiGestionali."""

    type: str = req("TipoDato")
    text: str | None = el("RiferimentoTesto")
    number: Decimal | None = el("RiferimentoNumero", "a8")
    date: date | None = el("RiferimentoData")


@_dc
class Line:
    """DettaglioLinee.

    ``number`` and ``total`` may be left ``None``: rendering numbers the lines
    and computes PrezzoTotale from quantity, unit price and discounts. A zero
    ``vat_rate`` needs a ``nature`` (N1..N7 with sub-codes).
    """

    number: int | None = el("NumeroLinea")
    kind: str | None = el("TipoCessionePrestazione")
    codes: list[ArticleCode] = el("CodiceArticolo", factory=list)
    description: str = req("Descrizione")
    quantity: Decimal | None = el("Quantita", "qty")
    unit: str | None = el("UnitaMisura")
    period_start: date | None = el("DataInizioPeriodo")
    period_end: date | None = el("DataFinePeriodo")
    unit_price: Decimal = req("PrezzoUnitario", "a8")
    discounts: list[Discount] = el("ScontoMaggiorazione", factory=list)
    total: Decimal | None = el("PrezzoTotale", "a8")
    vat_rate: Decimal = req("AliquotaIVA", "rate")
    withholding: str | None = el("Ritenuta")
    nature: str | None = el("Natura")
    admin_reference: str | None = el("RiferimentoAmministrazione")
    other_data: list[OtherData] = el("AltriDatiGestionali", factory=list)


@_dc
class VatSummary:
    """DatiRiepilogo: one per VAT rate / Natura. Computed from the lines when
    a body has none (see :func:`fatturapa_bridge.amounts.vat_summary`)."""

    vat_rate: Decimal = req("AliquotaIVA", "rate")
    nature: str | None = el("Natura")
    expenses: Decimal | None = el("SpeseAccessorie", "a2")
    rounding: Decimal | None = el("Arrotondamento", "a8")
    taxable: Decimal = req("ImponibileImporto", "a2")
    tax: Decimal = req("Imposta", "a2")
    exigibility: str | None = el("EsigibilitaIVA")
    legal_reference: str | None = el("RiferimentoNormativo")


@_dc
class GoodsServices:
    """DatiBeniServizi."""

    lines: list[Line] = el("DettaglioLinee", factory=list)
    summaries: list[VatSummary] = el("DatiRiepilogo", factory=list)


@_dc
class Vehicles:
    """DatiVeicoli."""

    date: date = req("Data")
    distance: str = req("TotalePercorso")


@_dc
class PaymentDetail:
    """DettaglioPagamento. ``amount`` may be ``None``: rendering fills it with
    the amount due (total, less withholdings, less VAT under split payment)."""

    beneficiary: str | None = el("Beneficiario")
    method: str = el("ModalitaPagamento", default="MP05")
    term_start: date | None = el("DataRiferimentoTerminiPagamento")
    term_days: int | None = el("GiorniTerminiPagamento")
    due_date: date | None = el("DataScadenzaPagamento")
    amount: Decimal | None = el("ImportoPagamento", "a2")
    post_office_code: str | None = el("CodUfficioPostale")
    payer_last_name: str | None = el("CognomeQuietanzante")
    payer_first_name: str | None = el("NomeQuietanzante")
    payer_fiscal_code: str | None = el("CFQuietanzante")
    payer_title: str | None = el("TitoloQuietanzante")
    bank: str | None = el("IstitutoFinanziario")
    iban: str | None = el("IBAN")
    abi: str | None = el("ABI")
    cab: str | None = el("CAB")
    bic: str | None = el("BIC")
    early_discount: Decimal | None = el("ScontoPagamentoAnticipato", "a2")
    early_limit: date | None = el("DataLimitePagamentoAnticipato")
    late_penalty: Decimal | None = el("PenalitaPagamentiRitardati", "a2")
    penalty_start: date | None = el("DataDecorrenzaPenale")
    payment_code: str | None = el("CodicePagamento")


@_dc
class Payment:
    """DatiPagamento: TP01 instalments, TP02 full payment, TP03 advance."""

    conditions: str = el("CondizioniPagamento", default="TP02")
    details: list[PaymentDetail] = el("DettaglioPagamento", factory=list)


@_dc
class Attachment:
    """Allegati. ``data`` is the Base64 text exactly as in the file."""

    name: str = req("NomeAttachment")
    compression: str | None = el("AlgoritmoCompressione")
    format: str | None = el("FormatoAttachment")
    description: str | None = el("DescrizioneAttachment")
    data: str = req("Attachment")


@_dc
class Body:
    """FatturaElettronicaBody: one invoice (a file may hold a batch)."""

    general: GeneralData = req("DatiGenerali")
    goods: GoodsServices = req("DatiBeniServizi")
    vehicles: Vehicles | None = el("DatiVeicoli")
    payments: list[Payment] = el("DatiPagamento", factory=list)
    attachments: list[Attachment] = el("Allegati", factory=list)


@_dc
class Invoice:
    """FatturaElettronica: the whole file.

    ``signature`` keeps an enveloped ``ds:Signature`` (XAdES) verbatim, as
    serialised XML, so that parsing and rendering again loses nothing; it
    is no longer a valid signature once anything else changes.
    """

    header: Header = req("FatturaElettronicaHeader")
    bodies: list[Body] = el("FatturaElettronicaBody", factory=list)
    system: str | None = el("@SistemaEmittente")
    signature: bytes | None = field(default=None, metadata={"xml": None, "fmt": None})

    @property
    def body(self) -> Body:
        """The first (usually the only) body."""
        return self.bodies[0]

    @property
    def format(self) -> str:
        """FPA12 or FPR12, also the ``versione`` attribute of the root."""
        return self.header.transmission.format


# ------------------------------------------------------------- introspection


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """How one dataclass field maps to XML; computed once per class."""

    attr: str
    tag: str
    fmt: str | None
    kind: str  # "obj", "str", "int", "date", "dec"
    cls: type | None
    many: bool
    required: bool


_SCALARS = {str: "str", int: "int", date: "date", Decimal: "dec", bytes: "bytes"}


@cache
def field_specs(cls: type) -> tuple[FieldSpec, ...]:
    """Return the XML mapping of ``cls``'s fields in schema order.

    :param cls: a model dataclass.
    :return: a tuple of :class:`FieldSpec`, cached.
    """
    hints = typing.get_type_hints(cls)
    specs = []
    for f in dataclasses.fields(cls):
        tag = f.metadata.get("xml")
        if tag is None:
            continue
        tp = hints[f.name]
        many = False
        args = typing.get_args(tp)
        if typing.get_origin(tp) is list:
            many, tp = True, args[0]
        elif args:  # X | None
            tp = next(a for a in args if a is not type(None))
        kind = _SCALARS.get(tp, "obj")
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        specs.append(
            FieldSpec(f.name, tag, f.metadata.get("fmt"), kind,
                      tp if kind == "obj" else None, many, required)
        )
    return tuple(specs)


@dataclass(frozen=True, slots=True)
class Value:
    """One scalar value of a model, found by :func:`iter_values`.

    ``owner`` is the object holding it and ``index`` its position when the
    field is a list (``Causale``), so that a caller can replace it in place.
    """

    path: str
    owner: object
    spec: FieldSpec
    index: int | None
    value: object


def iter_values(obj, prefix: str = ""):
    """Walk every scalar value of a model object in document order.

    Paths use the XML element names with 1-based indexes on repeated
    elements, as :class:`~fatturapa_bridge.problems.Problem` paths do, e.g.
    ``FatturaElettronicaBody[1]/DatiBeniServizi/DettaglioLinee[2]/Descrizione``;
    an attribute of the root is ``@SistemaEmittente``. ``None`` values are
    skipped and objects walked into; a value of the wrong kind where an
    object or a list belongs is yielded as it is, for the checks to report.

    :param obj: a model dataclass instance, usually an :class:`Invoice`.
    :param prefix: path of ``obj`` itself.
    :return: an iterator of :class:`Value`.
    """
    for spec in field_specs(type(obj)):
        value = getattr(obj, spec.attr)
        if value is None:
            continue
        path = f"{prefix}/{spec.tag}" if prefix else spec.tag
        if not spec.many:
            if spec.kind == "obj" and isinstance(value, spec.cls):
                yield from iter_values(value, path)
            else:
                yield Value(path, obj, spec, None, value)
            continue
        if not isinstance(value, list):
            yield Value(path, obj, spec, None, value)
            continue
        for index, item in enumerate(value):
            if item is None:
                continue
            sub = f"{path}[{index + 1}]"
            if spec.kind == "obj" and isinstance(item, spec.cls):
                yield from iter_values(item, sub)
            else:
                yield Value(sub, obj, spec, index, item)


def to_dict(obj) -> dict:
    """Convert a model object to plain JSON-able data (Decimal and dates as
    strings; ``None`` and empty lists left out).

    :param obj: any model dataclass instance.
    :return: a dict keyed by the Python field names.
    """
    out = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if value is None or value == []:
            continue
        out[f.name] = _plain(value)
    return out


def _plain(value):
    if dataclasses.is_dataclass(value):
        return to_dict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (Decimal, date)):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return value


class ModelError(ValueError):
    """Raised when data cannot be turned into the model; ``path`` says where."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


def from_dict(cls: type, data: dict, path: str = ""):
    """Build a model object from plain data (the inverse of :func:`to_dict`).

    Amounts must be strings or integers, never floats: a float has already
    lost the cents the caller meant.

    :param cls: the model class to build, e.g. :class:`Invoice`.
    :param data: a dict keyed by Python field names.
    :param path: prefix for error messages.
    :return: an instance of ``cls``.
    :raises ModelError: on unknown keys, missing fields or bad values.
    """
    if not isinstance(data, dict):
        raise ModelError(path, f"expected an object for {cls.__name__}")
    hints = typing.get_type_hints(cls)
    names = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(data) - set(names)
    if unknown:
        raise ModelError(path, f"unknown field(s) {', '.join(sorted(unknown))}")
    kwargs = {}
    for name, value in data.items():
        tp = hints[name]
        sub = f"{path}.{name}" if path else name
        if value is None:
            kwargs[name] = None
            continue
        if typing.get_origin(tp) is list:
            item_tp = typing.get_args(tp)[0]
            if not isinstance(value, list):
                raise ModelError(sub, "expected a list")
            kwargs[name] = [_coerce(item_tp, v, f"{sub}[{i}]") for i, v in enumerate(value)]
        else:
            args = typing.get_args(tp)
            if args:
                tp = next(a for a in args if a is not type(None))
            kwargs[name] = _coerce(tp, value, sub)
    try:
        return cls(**kwargs)
    except TypeError as exc:  # missing required fields
        raise ModelError(path, str(exc).split(".__init__() ")[-1]) from None


def _coerce(tp, value, path):
    from decimal import InvalidOperation

    if dataclasses.is_dataclass(tp):
        return from_dict(tp, value, path)
    if tp is Decimal:
        if isinstance(value, bool) or isinstance(value, float):
            raise ModelError(path, "amounts must be strings or integers, not floats")
        try:
            result = Decimal(str(value))
        except InvalidOperation:
            raise ModelError(path, f"not a number: {value!r}") from None
        if not result.is_finite():
            raise ModelError(path, f"not a finite number: {value!r}")
        return result
    if tp is date:
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise ModelError(path, f"not a date (YYYY-MM-DD): {value!r}") from None
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ModelError(path, f"not an integer: {value!r}")
        return value
    if tp is bytes:
        return value.encode("utf-8") if isinstance(value, str) else value
    if not isinstance(value, str):
        raise ModelError(path, f"expected text, got {type(value).__name__}")
    return value
