# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The fatturapa-bridge command line: exit codes, outputs, bad input."""

import json
import os
import subprocess
import sys

import fpa_builders as b
import pytest
from fpa_paths import REPO_ROOT, SAMPLES, XSD_DIR

from fatturapa_bridge.cli import main
from fatturapa_bridge.model import to_dict


def _json(tmp_path, name, invoice):
    path = tmp_path / name
    path.write_text(json.dumps(to_dict(invoice)))
    return str(path)


def _no_progressive(invoice):
    invoice.header.transmission.progressive = None
    return invoice


def run_cli(*args, env_extra=None):
    """Run the CLI in a subprocess, as a user would."""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "fatturapa_bridge", *args],
                          capture_output=True, text=True, env=env, check=False)


def assert_one_line_error(result):
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("fatturapa-bridge: error: ")


def test_render_writes_named_files_and_fills_progressive(tmp_path, needs_schemas, capsys):
    """Test that render writes IT<code>_<progressive>.xml files, reuses the
    progressive as ProgressivoInvio and continues the counter next time."""
    out = tmp_path / "out"
    first = _json(tmp_path, "a.json", _no_progressive(b.hosting_invoice()))
    second = _json(tmp_path, "b.json", _no_progressive(b.credit_note()))
    assert main(["render", first, second, "-o", str(out)]) == 0
    assert sorted(p.name for p in out.glob("*.xml")) == [
        "IT12345670017_00001.xml", "IT12345670017_00002.xml"]
    assert b"<ProgressivoInvio>00002</ProgressivoInvio>" in (
        out / "IT12345670017_00002.xml").read_bytes()
    assert main(["render", first, "-o", str(out)]) == 0
    assert (out / "IT12345670017_00003.xml").exists()
    assert "a.json -> " in capsys.readouterr().out


def test_render_batch_with_one_bad_invoice_writes_nothing(tmp_path, needs_schemas, capsys):
    """Test that a batch is checked whole: one rejected invoice, no file and
    no progressive consumed; the problems are printed as a table."""
    out = tmp_path / "out"
    bad = b.hosting_invoice()
    bad.body.general.document.number = "NODIGIT"
    args = [_json(tmp_path, "good.json", b.hosting_invoice()), _json(tmp_path, "bad.json", bad)]
    assert main(["render", *args, "-o", str(out)]) == 1
    assert not out.exists() or not list(out.iterdir())
    table = capsys.readouterr().out
    assert "00425" in table and "bad.json" in table and "good.json" not in table


def test_render_force_writes_a_rejected_invoice(tmp_path, needs_schemas):
    """Test that --force writes the file anyway."""
    bad = b.hosting_invoice()
    bad.body.general.document.number = "NODIGIT"
    assert main(["render", _json(tmp_path, "bad.json", bad), "-o", str(tmp_path),
                 "--force"]) == 0
    assert len(list(tmp_path.glob("IT*.xml"))) == 1


def test_render_never_overwrites_an_existing_file(tmp_path, needs_schemas):
    """Test that a reset counter file does not overwrite a sent invoice."""
    path = _json(tmp_path, "a.json", b.hosting_invoice())
    assert main(["render", path, "-o", str(tmp_path)]) == 0
    before = (tmp_path / "IT12345670017_00001.xml").read_bytes()
    (tmp_path / ".fatturapa-counter").write_text("0")
    assert main(["render", path, "-o", str(tmp_path)]) == 2
    assert (tmp_path / "IT12345670017_00001.xml").read_bytes() == before


@pytest.mark.parametrize(
    "content, message",
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00{", "not UTF-8"),
        (b'{"header": {}, "bodies": [], "colour": "red"}', "unknown field(s) colour"),
        (b'{"header": 5}', "expected an object"),
    ],
)
def test_render_bad_json_is_a_one_line_error(tmp_path, content, message):
    """Test bad input files for render: exit 2, one line, no traceback."""
    path = tmp_path / "in.json"
    path.write_bytes(content)
    result = run_cli("render", str(path), "-o", str(tmp_path / "out"),
                     env_extra={"FATTURAPA_SCHEMA_DIR": str(XSD_DIR)})
    assert_one_line_error(result)
    assert message in result.stderr
    assert not (tmp_path / "out").exists()


def test_render_float_amount_is_refused(tmp_path):
    """Test that a JSON float amount is refused (it has lost its cents)."""
    data = to_dict(b.hosting_invoice())
    data["bodies"][0]["goods"]["lines"][0]["unit_price"] = 0.1
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data))
    result = run_cli("render", str(path), "-o", str(tmp_path / "out"))
    assert_one_line_error(result)
    assert "bodies[0].goods.lines[0].unit_price: amounts must be strings" in result.stderr


def test_validate_table_and_exit_codes(needs_schemas, capsys):
    """Test validate on a good rendered file (exit 0) and on FPR02 (exit 1,
    schema error and 00422 listed)."""
    assert main(["validate", str(SAMPLES / "official" / "IT01234567890_FPR02.xml")]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["FILE", "CODE", "SEVERITY", "PATH", "MESSAGE"]
    assert "00200" in out and "00422" in out


def test_validate_ok_file_exits_zero(tmp_path, needs_schemas, capsys):
    """Test that a clean file prints OK and exits 0."""
    main(["render", _json(tmp_path, "a.json", b.reverse_charge()), "-o", str(tmp_path)])
    capsys.readouterr()
    assert main(["validate", str(tmp_path / "IT12345670017_00001.xml")]) == 0
    assert capsys.readouterr().out.strip().endswith(": OK")


def test_validate_signed_file(needs_schemas, capsys):
    """Test validate on a .p7m (the content is opened first)."""
    code = main(["validate", str(SAMPLES / "signed" / "odoo18_IT01234567890_FPR01.xml.p7m")])
    assert code in (0, 1)
    assert "00200" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "not an XML document"),
        (b"<a><b></a>", "not well-formed XML"),
        (b"<?xml version='1.0' encoding='UTF-8'?><x>\xe0\xe8</x>", "not well-formed XML"),
        (b"<p:FatturaElettronica xmlns:p='http://ivaservizi.agenziaentrate.gov.it/docs/xsd/"
         b"fatture/v1.2' versione='FPR13'/>", "unknown FatturaPA version"),
    ],
)
def test_validate_bad_input_is_a_one_line_error(tmp_path, content, message):
    """Test not XML, broken XML, wrong encoding and unknown version."""
    path = tmp_path / "x.xml"
    path.write_bytes(content)
    result = run_cli("validate", str(path), env_extra={"FATTURAPA_SCHEMA_DIR": str(XSD_DIR)})
    assert_one_line_error(result)
    assert message in result.stderr


def test_unreadable_and_missing_files(tmp_path):
    """Test a missing file and a directory given as a file."""
    result = run_cli("parse", str(tmp_path / "missing.xml"))
    assert_one_line_error(result)
    assert "cannot read" in result.stderr
    result = run_cli("parse", str(tmp_path))
    assert_one_line_error(result)
    assert "is a directory" in result.stderr


def test_missing_schemas_is_a_one_line_error(tmp_path, shared_dir):
    """Test validate without any installed schema."""
    result = run_cli("validate", str(SAMPLES / "official" / "IT01234567890_FPA01.xml"),
                     env_extra={"FATTURAPA_SCHEMA_DIR": str(tmp_path),
                                "XDG_CACHE_HOME": str(tmp_path)})
    assert_one_line_error(result)
    assert "schemas install" in result.stderr


def test_parse_prints_json_that_reads_back_into_the_same_invoice(shared_dir, capsys):
    """Test that parse output is the JSON format render reads, losslessly."""
    from fatturapa_bridge.model import Invoice, from_dict
    from fatturapa_bridge.parse import load

    path = SAMPLES / "official" / "IT01234567890_FPA01.xml"
    assert main(["parse", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["header"]["transmission"]["format"] == "FPA12"
    assert data["bodies"][0]["goods"]["summaries"][0]["taxable"] == "5.00"
    assert from_dict(Invoice, data) == load(path)


def test_receipt_command(shared_dir, capsys):
    """Test receipt JSON output for one and for several files."""
    ns = str(SAMPLES / "notifications" / "IT01234567890_11111_NS_001.xml")
    rc = str(SAMPLES / "notifications" / "IT01234567890_11111_RC_001.xml")
    assert main(["receipt", ns]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["state"] == "rejected" and data["errors"][0]["code"] == "00100"
    assert main(["receipt", ns, rc]) == 0
    assert [d["kind"] for d in json.loads(capsys.readouterr().out)] == ["NS", "RC"]


def test_receipt_on_an_invoice_is_a_one_line_error(shared_dir):
    """Test receipt with an invoice file."""
    result = run_cli("receipt", str(SAMPLES / "official" / "IT01234567890_FPA01.xml"))
    assert_one_line_error(result)


def test_schemas_install_from_dir(tmp_path, shared_dir, capsys, monkeypatch):
    """Test schemas install --from copies into the user cache and that
    'schemas path' then finds it there."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("FATTURAPA_SCHEMA_DIR")
    assert main(["schemas", "install", "--from", str(XSD_DIR)]) == 0
    assert "installed" in capsys.readouterr().out
    assert main(["schemas", "path"]) == 0
    assert capsys.readouterr().out.startswith(str(tmp_path))


def test_schemas_install_without_source_is_a_usage_error(capsys):
    """Test that 'schemas install' needs --from or --download."""
    with pytest.raises(SystemExit) as info:
        main(["schemas", "install"])
    assert info.value.code == 2


def test_schemas_install_from_wrong_dir(tmp_path):
    """Test a directory without schemas: one line, exit 2."""
    result = run_cli("schemas", "install", "--from", str(tmp_path),
                     env_extra={"XDG_CACHE_HOME": str(tmp_path / "c")})
    assert_one_line_error(result)
    assert not (tmp_path / "c" / "fatturapa-bridge" / "schemas").exists() or not list(
        (tmp_path / "c" / "fatturapa-bridge" / "schemas").glob("*.xsd"))


def test_documented_example_json_renders(tmp_path, needs_schemas):
    """Test that the example JSON referenced by fatturapa_bridge/README.md
    renders to a valid file with the progressive filled in."""
    from fpa_paths import DATA

    assert main(["render", str(DATA / "invoice_example.json"), "-o", str(tmp_path)]) == 0
    [written] = tmp_path.glob("IT*.xml")
    assert written.name == "IT12345670017_00001.xml"
    assert main(["validate", str(written)]) == 0


def test_batch_shows_a_progress_bar_when_asked(needs_schemas):
    """Test that --progress draws a tqdm bar on stderr for a batch."""
    files = [str(p) for p in sorted((SAMPLES / "official").glob("*FPA0*.xml"))]
    result = run_cli("--progress", "validate", "-q", *files,
                     env_extra={"FATTURAPA_SCHEMA_DIR": str(XSD_DIR)})
    assert "validate:" in result.stderr and "file" in result.stderr
    quiet = run_cli("validate", "-q", *files, env_extra={"FATTURAPA_SCHEMA_DIR": str(XSD_DIR)})
    assert "validate:" not in quiet.stderr  # not a terminal: no bar by default


# ------------------------------------------------------------ sign / verify


def _rendered(tmp_path):
    assert main(["render", _json(tmp_path, "a.json", b.hosting_invoice()), "-o",
                 str(tmp_path)]) == 0
    return tmp_path / "IT12345670017_00001.xml"


def test_sign_then_verify_round_trip(tmp_path, pki, needs_schemas, capsys):
    """Test sign (password from a file) writing FILE.xml.p7m, then verify
    naming the signer and extracting the exact XML, then validate."""
    xml = _rendered(tmp_path)
    secret = tmp_path / "password"
    secret.write_text(pki.PASSWORD + "\n")
    assert main(["sign", str(xml), "--pkcs12", str(pki.p12_path()), "--password-file",
                 str(secret)]) == 0
    p7m = tmp_path / "IT12345670017_00001.xml.p7m"
    assert p7m.exists()
    out = tmp_path / "out"
    capsys.readouterr()
    assert main(["verify", str(p7m), "-o", str(out)]) == 0
    assert "signed by 2.5.4.5=TINIT-RSSMRA85T10A562S,CN=Mario Rossi rsa at " in \
        capsys.readouterr().out
    assert (out / "IT12345670017_00001.xml").read_bytes() == xml.read_bytes()
    assert main(["validate", "--file-name", str(p7m)]) == 0


def test_sign_reads_the_password_from_the_environment(tmp_path, pki, needs_schemas):
    """Test FATTURAPA_PKCS12_PASSWORD, in a subprocess as a user runs it."""
    xml = _rendered(tmp_path)
    result = run_cli("sign", str(xml), "--pkcs12", str(pki.p12_path("ec")), "-o",
                     str(tmp_path / "signed"),
                     env_extra={"FATTURAPA_PKCS12_PASSWORD": pki.PASSWORD})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "signed" / "IT12345670017_00001.xml.p7m").exists()


@pytest.mark.parametrize("case, message", [
    ("wrong password", "wrong password"),
    ("not an invoice", "not an XML document"),
    ("already signed", "already exists"),
])
def test_sign_bad_input_is_a_one_line_error(case, message, tmp_path, pki, needs_schemas):
    """Test a wrong password, a file that is no invoice and an existing
    .p7m (never overwritten): exit 2, one line."""
    xml = _rendered(tmp_path)
    env = {"FATTURAPA_PKCS12_PASSWORD": pki.PASSWORD, "FATTURAPA_SCHEMA_DIR": str(XSD_DIR)}
    if case == "wrong password":
        env["FATTURAPA_PKCS12_PASSWORD"] = "wrong"
    elif case == "not an invoice":
        xml = tmp_path / "notes.txt"
        xml.write_text("hello")
    else:
        (tmp_path / "IT12345670017_00001.xml.p7m").write_bytes(b"earlier")
    result = run_cli("sign", str(xml), "--pkcs12", str(pki.p12_path()), env_extra=env)
    assert_one_line_error(result)
    assert message in result.stderr
    if case == "already signed":
        assert (tmp_path / "IT12345670017_00001.xml.p7m").read_bytes() == b"earlier"


def test_verify_reports_a_tampered_file_with_exit_1(shared_dir, capsys):
    """Test verify on the good and the altered sample of the same invoice."""
    good = str(SAMPLES / "signed" / "net_IT02182030391_31.xml.p7m")
    bad = str(SAMPLES / "signed" / "odoo18_IT09633951000_NpFwF.xml.p7m")
    assert main(["verify", good]) == 0
    assert main(["verify", good, bad]) == 1
    out = capsys.readouterr().out
    assert "00102" in out and "NpFwF" in out


def test_verify_of_a_plain_xml_is_a_one_line_error(shared_dir):
    """Test verify on a file that is not signed."""
    result = run_cli("verify", str(SAMPLES / "official" / "IT01234567890_FPR01.xml"))
    assert_one_line_error(result)
    assert "not a .p7m envelope" in result.stderr


def test_validate_checks_file_names_when_asked(tmp_path, needs_schemas, capsys):
    """Test --file-name: an SdI name passes, another name is 00001."""
    xml = _rendered(tmp_path)
    renamed = tmp_path / "fattura marzo.xml"
    renamed.write_bytes(xml.read_bytes())
    assert main(["validate", "--file-name", str(xml)]) == 0
    assert main(["validate", str(renamed)]) == 0
    assert main(["validate", "--file-name", str(renamed)]) == 1
    assert "00001" in capsys.readouterr().out
