# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""SdI file names from a persisted progressive counter."""

import multiprocessing

import pytest

from fatturapa_bridge.naming import (
    ALPHABET_62,
    MAX_COUNTER,
    CounterFile,
    decode_counter,
    encode_counter,
    file_name,
    max_counter,
    next_counter,
    parse_file_name,
)


def test_file_name_has_the_sdi_shape():
    """Test IT<IdCodice>_<5 alphanumerics>.xml."""
    assert file_name("IT", "12345670017", 1) == "IT12345670017_00001.xml"
    assert file_name("IT", "12345670017", 36, "xml.p7m") == "IT12345670017_00010.xml.p7m"
    assert file_name("IT", "RSSMRA85T10A562S", MAX_COUNTER) == "ITRSSMRA85T10A562S_ZZZZZ.xml"


def test_counter_encoding_round_trips_and_is_injective():
    """Test that distinct counters give distinct progressives, both ways."""
    seen = {encode_counter(n) for n in range(1, 5000)}
    assert len(seen) == 4999
    for n in (1, 35, 36, 1295, 1296, 123456, MAX_COUNTER):
        assert decode_counter(encode_counter(n)) == n


@pytest.mark.parametrize("bad", [0, -1, MAX_COUNTER + 1, 1.0, "1", True])
def test_counter_out_of_range_is_refused(bad):
    """Test that invalid counters raise instead of wrapping around."""
    with pytest.raises(ValueError):
        encode_counter(bad)


@pytest.mark.parametrize("args", [("it", "123", 1), ("IT", "12 34", 1), ("IT", "1", 1, "pdf")])
def test_invalid_name_parts_are_refused(args):
    """Test lower-case country, spaces and wrong extensions."""
    with pytest.raises(ValueError):
        file_name(*args)


def test_parse_file_name_splits_and_refuses_receipt_names():
    """Test parsing an invoice name and refusing a receipt name."""
    parts = parse_file_name("/tmp/IT01234567890_0A1Zb.xml.p7m")
    assert (parts.country, parts.code, parts.progressive, parts.ext) == (
        "IT", "01234567890", "0A1Zb", "xml.p7m")
    with pytest.raises(ValueError):
        parse_file_name("IT01234567890_11111_RC_001.xml")


def test_counter_file_never_hands_out_a_value_twice(tmp_path):
    """Test that reservations continue after reopening the file."""
    path = tmp_path / "counter"
    assert CounterFile(path).reserve(3) == [1, 2, 3]
    assert CounterFile(path).reserve() == [4]
    assert CounterFile(path).peek() == 4


def test_corrupt_counter_file_is_an_error_not_a_reset(tmp_path):
    """Test that garbage in the counter file raises instead of restarting
    from 1 (which would reuse names)."""
    path = tmp_path / "counter"
    path.write_text("banana")
    with pytest.raises(ValueError, match="corrupt"):
        CounterFile(path).reserve()
    assert path.read_text() == "banana"


def test_exhausted_counter_is_refused(tmp_path):
    """Test that the last value is handed out once, then an error."""
    path = tmp_path / "counter"
    path.write_text(str(MAX_COUNTER - 1))
    assert CounterFile(path).reserve() == [MAX_COUNTER]
    with pytest.raises(ValueError, match="no progressive left"):
        CounterFile(path).reserve()


def _reserve_many(path, count, queue):
    counter = CounterFile(path)
    queue.put([counter.reserve()[0] for _ in range(count)])


def test_parallel_processes_get_distinct_values(tmp_path):
    """Test the file lock: 4 processes x 50 reservations, no duplicates."""
    path = tmp_path / "counter"
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_reserve_many, args=(path, 50, queue)) for _ in range(4)]
    for proc in procs:
        proc.start()
    values = [v for _ in procs for v in queue.get(timeout=30)]
    for proc in procs:
        proc.join()
    assert sorted(values) == list(range(1, 201))


def _odoo_l10n_it_edi_progressive(n):
    # What Odoo 18's l10n_it_edi writes for sequence value n (base 62,
    # most significant first, zero-filled to five).
    alphabet = ALPHABET_62
    out = ""
    while n:
        n, m = divmod(n, 62)
        out = alphabet[m] + out
    return out.zfill(5)


@pytest.mark.parametrize("counter", [62 ** 4, 62 ** 4 + 1, 62 ** 4 + 61, 62 ** 4 + 62,
                                     123_456_789, 62 ** 5 - 1])
def test_base_62_names_are_those_of_odoo_l10n_it_edi(counter):
    """Test that the base-62 alphabet gives the names l10n_it_edi gives for
    the same sequence value, so a company moving from it continues its
    sequence (which starts at 62**4) without repeating a name."""
    assert encode_counter(counter, ALPHABET_62) == _odoo_l10n_it_edi_progressive(counter)
    assert decode_counter(encode_counter(counter, ALPHABET_62), ALPHABET_62) == counter


def test_base_62_is_case_sensitive_and_injective():
    """Test that 'a' and 'A' are different digits in base 62, and that
    counters around the case boundary never collide."""
    names = {encode_counter(n, ALPHABET_62) for n in range(62 ** 4 - 500, 62 ** 4 + 500)}
    assert len(names) == 1000
    assert decode_counter("0000a", ALPHABET_62) != decode_counter("0000A", ALPHABET_62)
    assert max_counter(ALPHABET_62) == 62 ** 5 - 1
    with pytest.raises(ValueError):
        encode_counter(62 ** 5, ALPHABET_62)


def test_next_counter_continues_after_every_name_already_used():
    """Test the start of a new sequence after files another program sent:
    the next counter is past the highest progressive, from names or
    progressives, and its name is none of those used."""
    used = ["IT12345670017_0000Z.xml", "IT12345670017_00010.xml.p7m", "00002"]
    counter = next_counter(used)
    assert counter == 37
    assert file_name("IT", "12345670017", counter) not in used
    assert next_counter(["10000", "1000z"], ALPHABET_62) == 62 ** 4 + 62
    with pytest.raises(ValueError):
        next_counter(["00-01"])


def test_file_name_in_base_62():
    """Test a whole name with the l10n_it_edi alphabet."""
    assert file_name("IT", "12345670017", 62 ** 4 + 36, alphabet=ALPHABET_62) == \
        "IT12345670017_1000a.xml"
