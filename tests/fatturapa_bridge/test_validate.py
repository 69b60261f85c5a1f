# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""XSD location, installation and validation of the official samples."""

import pytest
from fpa_paths import SAMPLES, XSD_DIR, sample_files

from fatturapa_bridge import schema
from fatturapa_bridge.parse import read_xml
from fatturapa_bridge.problems import ParseError, SchemaNotFound
from fatturapa_bridge.validate import validate_bytes, validate_tree

OFFICIAL = [p for p in sample_files("official") if "FSM" not in p.name]


def test_there_are_six_official_fpa_fpr_samples(shared_dir):
    """Test the premise of the sample tests: six AdE FPA/FPR invoices."""
    assert [p.stem[-5:] for p in OFFICIAL] == ["FPA01", "FPA02", "FPA03", "FPR01", "FPR02",
                                               "FPR03"]


@pytest.mark.parametrize("path", OFFICIAL, ids=lambda p: p.stem)
def test_official_samples_are_schema_valid_except_fpr02(path, needs_schemas):
    """Test that the AdE samples validate against schema 1.2.3, except FPR02
    whose ContattiTrasmittente comes after PECDestinatario."""
    problems = validate_tree(read_xml(path.read_bytes()))
    if path.stem.endswith("FPR02"):
        assert [p.code for p in problems] == ["00200"]
        assert problems[0].path.endswith("DatiTrasmissione/ContattiTrasmittente")
    else:
        assert problems == []


@pytest.mark.parametrize(
    "name, path_end",
    [
        ("net_IT01234567890_FPR02.xml", "ScontoMaggiorazione/Percentuale"),
        ("net_IT02182030391_32.xml", "DatiGeneraliDocumento/DatiRitenuta"),
        ("ocain_IT01234567890_FPR05.xml", "DatiGeneraliDocumento/Data"),
        ("odoo18_IT01234567888_FPR01.xml", "DettaglioLinee[3]"),
    ],
)
def test_invalid_vectors_give_the_expected_schema_errors(name, path_end, needs_schemas):
    """Test that each negative vector fails the XSD where it is broken."""
    problems = validate_tree(read_xml((SAMPLES / "invalid" / name).read_bytes()))
    assert problems and all(p.code == "00200" for p in problems)
    assert any(p.path.endswith(path_end) for p in problems), problems


def test_invalid_vector_reports_all_problems_at_once(needs_schemas):
    """Test that a file with violations in three places gets all of them."""
    data = (SAMPLES / "invalid" / "net_IT02182030391_32.xml").read_bytes()
    problems = validate_tree(read_xml(data))
    assert len({p.path for p in problems}) >= 3
    assert any(p.path.endswith("DatiRitenuta") for p in problems)
    assert any("NumeroLicenzaGuida" in p.path for p in problems)
    assert any("'10'" in p.message for p in problems)


def test_not_namespace_well_formed_vector_is_a_parse_error(shared_dir):
    """Test that the anonymised file with a space in its namespace URI is
    refused as not well-formed, with a one-line reason."""
    data = (SAMPLES / "invalid" / "ocain_ZGEXQROO37831_anonimizzata.xml").read_bytes()
    with pytest.raises(ParseError, match="not well-formed XML") as info:
        validate_bytes(data)
    assert "\n" not in str(info.value)


def test_schema_lookup_prefers_env_var_then_user_cache(monkeypatch, tmp_path, shared_dir):
    """Test the lookup order of DESIGN.md: FATTURAPA_SCHEMA_DIR first, then
    the user cache; a clear error when neither has the schema."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("FATTURAPA_SCHEMA_DIR", str(tmp_path / "empty"))
    with pytest.raises(SchemaNotFound, match="schemas install"):
        schema.find_schema()
    installed = schema.install_from(XSD_DIR)
    assert schema.cache_dir() == tmp_path / "cache" / "fatturapa-bridge" / "schemas"
    assert schema.find_schema().parent == schema.cache_dir()
    assert {p.name for p in installed} >= {
        "Schema_del_file_xml_FatturaPA_v1.2.3.xsd", "MessaggiTypes_v1.1.xsd",
        "xmldsig-core-schema.xsd",
    }
    monkeypatch.setenv("FATTURAPA_SCHEMA_DIR", str(XSD_DIR))
    assert schema.find_schema().parent == XSD_DIR


def test_schema_compiles_offline_with_xmlschema_xmldsig_copy(tmp_path, shared_dir):
    """Test that the xmldsig import is resolved offline from the copy shipped
    by the xmlschema package when none sits next to the schema."""
    name = "Schema_del_file_xml_FatturaPA_v1.2.3.xsd"
    (tmp_path / name).write_bytes((XSD_DIR / name).read_bytes())
    compiled = schema.load_schema(path=tmp_path / name)
    assert compiled is schema.load_schema(path=tmp_path / name)  # cached
    assert "xmlschema" in str(schema.xmldsig_path(tmp_path))


def test_install_refuses_a_directory_without_the_schema(tmp_path):
    """Test that installing from a wrong directory fails and writes nothing."""
    (tmp_path / "src").mkdir()
    with pytest.raises(SchemaNotFound, match="no Schema_del_file_xml_FatturaPA"):
        schema.install_from(tmp_path / "src", target=tmp_path / "dst")
    assert not (tmp_path / "dst").exists()


def test_install_refuses_a_broken_schema_and_keeps_the_old_one(tmp_path, shared_dir):
    """Test that a schema that does not compile is never cached."""
    name = "Schema_del_file_xml_FatturaPA_v1.2.3.xsd"
    good = tmp_path / "dst"
    schema.install_from(XSD_DIR, target=good)
    src = tmp_path / "src"
    src.mkdir()
    (src / name).write_text("<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'><broken")
    with pytest.raises(SchemaNotFound):
        schema.install_from(src, target=good)
    assert (good / name).read_bytes() == (XSD_DIR / name).read_bytes()


def test_download_checks_the_published_hash(tmp_path, shared_dir):
    """Test that --download installs files matching the AdE sha256 and
    refuses a file that does not match, leaving the cache empty."""
    real = {
        "Schema_VFPR12_v1.2.3.xsd": (XSD_DIR / "Schema_del_file_xml_FatturaPA_v1.2.3.xsd"),
        "MessaggiTypes_v1.1.xsd": XSD_DIR / "MessaggiTypes_v1.1.xsd",
    }

    def fetch(url):
        return real[url.rsplit("/", 1)[1]].read_bytes()

    installed = schema.download(target=tmp_path / "ok", fetch=fetch)
    assert len(installed) == 2

    def tampered(url):
        return fetch(url) + b"<!-- changed -->"

    with pytest.raises(SchemaNotFound, match="sha256"):
        schema.download(target=tmp_path / "bad", fetch=tampered)
    assert not list((tmp_path / "bad").glob("*.xsd"))


def test_download_network_error_is_a_clear_error(tmp_path):
    """Test that a network failure becomes SchemaNotFound with the URL."""
    def fetch(url):
        raise OSError("Network is unreachable")

    with pytest.raises(SchemaNotFound, match="cannot download https://"):
        schema.download(target=tmp_path, fetch=fetch)


def test_format_differing_from_root_version_is_00428(shared_dir, needs_schemas):
    """Test a file whose versione says FPA12 but FormatoTrasmissione FPR12."""
    data = (SAMPLES / "official" / "IT01234567890_FPR01.xml").read_bytes()
    data = data.replace(b'versione="FPR12"', b'versione="FPA12"')
    codes = {p.code for p in validate_bytes(data)}
    assert "00428" in codes
    clean = validate_bytes((SAMPLES / "official" / "IT01234567890_FPR01.xml").read_bytes())
    assert "00428" not in {p.code for p in clean}


def test_threads_validating_at_once_do_not_mix_errors(needs_schemas):
    """Test that concurrent validations each get their own problems: a
    valid file stays clean while another thread validates a broken one."""
    from concurrent.futures import ThreadPoolExecutor

    good = (SAMPLES / "official" / "IT01234567890_FPA01.xml").read_bytes()
    bad = (SAMPLES / "invalid" / "net_IT02182030391_32.xml").read_bytes()

    def run(data):
        return [validate_tree(read_xml(data)) for _ in range(30)]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, [good, bad, good, bad]))
    assert all(r == [] for r in results[0] + results[2])
    assert all(len(r) >= 3 for r in results[1] + results[3])
