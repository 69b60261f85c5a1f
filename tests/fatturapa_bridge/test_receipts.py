# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""SdI receipts and notifications."""

from datetime import datetime, timezone

import pytest
from fpa_paths import SAMPLES

from fatturapa_bridge.problems import ParseError
from fatturapa_bridge.receipts import InvoiceState, parse_receipt, validate_receipt


def _load(kind):
    return (SAMPLES / "notifications" / f"IT01234567890_11111_{kind}_001.xml").read_bytes()


@pytest.mark.parametrize(
    "kind, state, final",
    [
        ("RC", InvoiceState.DELIVERED, False),
        ("NS", InvoiceState.REJECTED, True),
        ("MC", InvoiceState.NOT_DELIVERED, False),
        ("NE", InvoiceState.ACCEPTED, True),
        ("DT", InvoiceState.TERMS_EXPIRED, True),
        ("AT", InvoiceState.UNDELIVERABLE, True),
        ("MT", InvoiceState.RECEIVED, False),
        ("EC", InvoiceState.ACCEPTED, True),
        ("SE", InvoiceState.OUTCOME_REJECTED, False),
    ],
)
def test_each_official_receipt_gives_the_invoice_state(kind, state, final, shared_dir):
    """Test the kind, state and finality of the nine official examples."""
    receipt = parse_receipt(_load(kind))
    assert (receipt.kind, receipt.state, receipt.is_final) == (kind, state, final)
    assert receipt.sdi_id == "111"


@pytest.mark.parametrize("kind", ["RC", "NS", "MC", "NE", "DT", "AT", "MT", "EC", "SE"])
def test_official_receipts_are_schema_valid(kind, needs_schemas):
    """Test that the messages schema compiles offline and accepts them."""
    assert validate_receipt(_load(kind)) == []


def test_ns_lists_its_errors(shared_dir):
    """Test that the NS error list is kept with codes and descriptions."""
    receipt = parse_receipt(_load("NS"))
    assert [(e.code, e.description) for e in receipt.errors] == [
        ("00100", "Certificato di firma scaduto")]
    assert receipt.received_at == datetime(2013, 6, 6, 12, 0, tzinfo=timezone.utc)


def test_rc_has_delivery_time_and_recipient(shared_dir):
    """Test the fields of a delivery receipt."""
    receipt = parse_receipt(_load("RC"))
    assert receipt.delivered_at == datetime(2013, 6, 6, 12, 1, tzinfo=timezone.utc)
    assert (receipt.recipient_code, receipt.file_name) == ("AAA111",
                                                           "IT01234567890_11111.xml.p7m")


def test_ne_refusal_ec02_and_invoice_reference(shared_dir):
    """Test that an NE with EC02 means refused, and its invoice reference."""
    data = _load("NE").replace(b"<Esito>EC01</Esito>", b"<Esito>EC02</Esito>")
    receipt = parse_receipt(data)
    assert receipt.state is InvoiceState.REFUSED and receipt.outcome == "EC02"
    assert (receipt.invoice_ref.number, receipt.invoice_ref.year,
            receipt.invoice_ref.position) == ("1111", 2013, 2)


def test_unknown_outcome_is_refused(shared_dir):
    """Test that an NE with an outcome other than EC01/EC02 is an error."""
    with pytest.raises(ParseError, match="EC03"):
        parse_receipt(_load("NE").replace(b"<Esito>EC01</Esito>", b"<Esito>EC03</Esito>"))


def test_an_invoice_is_not_a_receipt(shared_dir):
    """Test that passing an invoice to the receipt parser fails clearly."""
    data = (SAMPLES / "official" / "IT01234567890_FPR01.xml").read_bytes()
    with pytest.raises(ParseError, match="not an SdI receipt"):
        parse_receipt(data)


def test_ns_without_errors_is_refused():
    """Test that a rejection without its error list is not silently empty."""
    data = (b"<NotificaScarto xmlns='http://www.fatturapa.gov.it/sdi/messaggi/v1.0'>"
            b"<IdentificativoSdI>1</IdentificativoSdI></NotificaScarto>")
    with pytest.raises(ParseError, match="ListaErrori"):
        parse_receipt(data)
