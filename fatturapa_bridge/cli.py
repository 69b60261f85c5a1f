# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Command line: ``fatturapa-bridge render|validate|parse|sign|verify|receipt|schemas``.

Exit codes: 0 success, 1 the documents have problems the SdI would reject,
2 bad input or usage (unreadable file, not JSON/XML, unknown version...),
3 an unexpected internal error. Bad input is always one line on stderr,
never a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

from .model import Invoice, ModelError, from_dict, to_dict
from .problems import FatturaPAError, InvoiceRejected, Problem, SchemaNotFound

PROG = "fatturapa-bridge"
#: Environment variable holding the PKCS#12 password of ``sign`` (never an
#: argument: the command line is visible to every user of the machine).
PASSWORD_ENV = "FATTURAPA_PKCS12_PASSWORD"
EXIT_OK, EXIT_PROBLEMS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class InputError(Exception):
    """Bad input: reported as one line, exit code 2."""


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def _read(path: str, limit: int | None = None) -> bytes:
    # The size is looked at first: a huge file is never loaded in memory.
    if limit is not None and _size(path) > limit:
        raise InputError(f"{path}: {_size(path):,} bytes, over {limit:,}: not read")
    try:
        return Path(path).read_bytes()
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def _progress(items, label, enabled):
    if enabled is None:  # default: only when a human watches stderr
        enabled = sys.stderr.isatty()
    if not enabled or len(items) < 2:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=label, unit="file", file=sys.stderr, leave=False)


def _table(rows: list[tuple[str, ...]], out) -> None:
    if not rows:
        return
    headers = ("FILE", "CODE", "SEVERITY", "PATH", "MESSAGE")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers[:-1])]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths) + "  {}"
    print(fmt.format(*headers), file=out)
    for row in rows:
        print(fmt.format(*row), file=out)


def _report(rows: list[tuple[str, ...]], failed_input: list[str], has_errors: bool) -> int:
    """Print the problems' table, then the inputs that could not be read.

    :return: the exit code: input error before problems before success
    """
    _table(rows, sys.stdout)
    for line in failed_input:
        print(f"{PROG}: error: {line}", file=sys.stderr)
    if failed_input:
        return EXIT_INPUT
    return EXIT_PROBLEMS if has_errors else EXIT_OK


def _problem_rows(name: str, problems: list[Problem]) -> list[tuple[str, ...]]:
    return [(name, p.code, p.severity, p.path, p.message) for p in problems]


# ------------------------------------------------------------------ commands


def _load_invoice_json(path: str) -> Invoice:
    raw = _read(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno} "
                         f"column {exc.colno}") from None
    try:
        return from_dict(Invoice, data)
    except ModelError as exc:
        raise InputError(f"{path}: {exc}") from None


def _with_progressive(invoice: Invoice, progressive: str) -> Invoice:
    header = invoice.header
    trans = dataclasses.replace(header.transmission, progressive=progressive)
    return dataclasses.replace(invoice, header=dataclasses.replace(header, transmission=trans))


def cmd_render(args) -> int:
    from .naming import CounterFile, file_name
    from .render import render

    invoices = [(p, _load_invoice_json(p)) for p in args.inputs]
    outdir = Path(args.output)
    if outdir.exists() and not outdir.is_dir():
        raise InputError(f"{outdir}: not a directory")
    counter = CounterFile(Path(args.counter_file) if args.counter_file
                          else outdir / ".fatturapa-counter")
    # The batch is checked whole before any file is written or any
    # progressive is consumed.
    rendered, rows = [], []
    for path, invoice in _progress(invoices, "render", args.progress):
        probe = invoice
        if not invoice.header.transmission.progressive:
            probe = _with_progressive(invoice, "ZZZZZ")  # the real one is not reserved yet
        try:
            render(probe, force=args.force, validate_schema=not args.no_schema)
        except InvoiceRejected as exc:
            rows += _problem_rows(path, exc.problems)
            continue
        rendered.append((path, invoice))
    if rows:
        _table(rows, sys.stdout)
        print(f"{PROG}: {len({r[0] for r in rows})} invoice(s) rejected; nothing written",
              file=sys.stderr)
        return EXIT_PROBLEMS
    outdir.mkdir(parents=True, exist_ok=True)
    values = counter.reserve(len(rendered))
    for (path, invoice), value in zip(rendered, values, strict=True):
        trans = invoice.header.transmission
        name = file_name(trans.transmitter.country, trans.transmitter.code, value)
        if not trans.progressive:
            # ProgressivoInvio repeats the file's progressive when not given.
            invoice = _with_progressive(invoice, name.split("_")[1].split(".")[0])
        xml = render(invoice, force=args.force, validate_schema=not args.no_schema)
        target = outdir / name
        # "x" mode: never overwrite, even if the counter file was reset.
        with open(target, "xb") as handle:
            handle.write(xml)
        print(f"{path} -> {target}")
    return EXIT_OK


def cmd_validate(args) -> int:
    from .parse import MAX_PARSE_SIZE, SDI_MAX_FILE_SIZE
    from .validate import validate_bytes

    rows, failed_input, has_errors = [], [], False
    for path in _progress(args.files, "validate", args.progress):
        try:
            size = _size(path) if Path(path).is_file() else 0
            if size > SDI_MAX_FILE_SIZE:
                # Like the SdI: a file over the limit is not read further.
                problems = [Problem("00003", "", f"the file has {size:,} bytes; the SdI "
                                    f"accepts at most {SDI_MAX_FILE_SIZE:,} (5 MB)")]
            else:
                problems = validate_bytes(_read(path, MAX_PARSE_SIZE),
                                          name=Path(path).name if args.file_name else None)
        except InputError as exc:
            failed_input.append(str(exc))
            continue
        except SchemaNotFound:
            raise  # the same for every file: say it once
        except FatturaPAError as exc:
            failed_input.append(f"{path}: {exc}")
            continue
        if not args.warnings:
            problems = [p for p in problems if p.is_error]
        has_errors |= any(p.is_error for p in problems)
        rows += _problem_rows(path, problems)
        if not problems and not args.quiet:
            print(f"{path}: OK")
    return _report(rows, failed_input, has_errors)


def cmd_parse(args) -> int:
    from .parse import MAX_PARSE_SIZE, parse_invoice

    try:
        invoice = parse_invoice(_read(args.file, MAX_PARSE_SIZE))
    except FatturaPAError as exc:
        raise InputError(f"{args.file}: {exc}") from None
    data = to_dict(invoice)
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return EXIT_OK


def _password(args) -> str | None:
    if args.password_file:
        raw = _read(args.password_file)
        try:
            return raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            raise InputError(f"{args.password_file}: not UTF-8 text") from None
    return os.environ.get(PASSWORD_ENV)


def _target(path: str, outdir: str | None, name: str) -> Path:
    directory = Path(outdir) if outdir else Path(path).parent
    if outdir and directory.exists() and not directory.is_dir():
        raise InputError(f"{outdir}: not a directory")
    return directory / name


def cmd_sign(args) -> int:
    from .parse import MAX_PARSE_SIZE, check_version, read_xml
    from .signing import load_pkcs12, sign_with

    signer = load_pkcs12(_read(args.pkcs12), _password(args))
    # Every file is read and checked before any is signed: a batch is whole.
    batch = []
    for path in args.files:
        data = _read(path, MAX_PARSE_SIZE)
        try:
            check_version(read_xml(data))
        except FatturaPAError as exc:
            raise InputError(f"{path}: {exc}") from None
        batch.append((path, data, _target(path, args.output, Path(path).name + ".p7m")))
    for path, data, target in _progress(batch, "sign", args.progress):
        target.parent.mkdir(parents=True, exist_ok=True)
        signed = sign_with(data, signer)
        with open(target, "xb") as handle:  # never overwrite a signed file
            handle.write(signed)
        print(f"{path} -> {target}")
    return EXIT_OK


def cmd_verify(args) -> int:
    from .parse import MAX_PARSE_SIZE
    from .signing import SignatureError, verify

    rows, failed_input = [], []
    for path in _progress(args.files, "verify", args.progress):
        try:
            verified = verify(_read(path, MAX_PARSE_SIZE))
        except SignatureError as exc:
            rows.append((path, exc.code, "error", "", str(exc)))
            continue
        except (InputError, FatturaPAError) as exc:
            failed_input.append(str(exc) if isinstance(exc, InputError) else f"{path}: {exc}")
            continue
        when = f"{verified.signing_time:%Y-%m-%d %H:%M:%S} UTC" if verified.signing_time else "?"
        print(f"{path}: signed by {verified.signer} at {when}")
        if args.output:
            name = Path(path).name
            name = name[:-4] if name.lower().endswith(".p7m") else name + ".content"
            target = _target(path, args.output, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as handle:
                handle.write(verified.content)
            print(f"{path} -> {target}")
    return _report(rows, failed_input, bool(rows))


def cmd_receipt(args) -> int:
    from .receipts import parse_receipt

    results = []
    for path in _progress(args.files, "receipt", args.progress):
        receipt = parse_receipt(_read(path))
        data = {k: v for k, v in dataclasses.asdict(receipt).items() if v not in (None, [])}
        data["state"] = receipt.state.value
        data["final"] = receipt.is_final
        results.append({"file": path, **data})
    json.dump(results if len(results) > 1 else results[0], sys.stdout, indent=2,
              ensure_ascii=False, default=str)
    sys.stdout.write("\n")
    return EXIT_OK


def cmd_schemas(args) -> int:
    from . import schema

    if args.action == "path":
        print(schema.find_schema())
        return EXIT_OK
    if args.source:
        installed = schema.install_from(Path(args.source))
    else:
        installed = schema.download()
    for path in installed:
        print(f"installed {path}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(prog=PROG, description="FatturaPA 1.2.3 toolkit")
    parser.add_argument("--progress", dest="progress", action="store_true", default=None,
                        help="progress bar on batches (default: when stderr is a terminal)")
    parser.add_argument("--no-progress", dest="progress", action="store_false",
                        help="no progress bar")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("render", help="render invoice JSON files to FatturaPA XML")
    p.add_argument("inputs", nargs="+", metavar="invoice.json")
    p.add_argument("-o", "--output", required=True, metavar="DIR")
    p.add_argument("--counter-file", metavar="FILE",
                   help="persisted progressive counter (default DIR/.fatturapa-counter)")
    p.add_argument("--force", action="store_true",
                   help="write even files the SdI would reject")
    p.add_argument("--no-schema", action="store_true", help="skip XSD validation")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("validate", help="validate FatturaPA files (.xml, .xml.p7m)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("-w", "--warnings", action="store_true", help="also list warnings")
    p.add_argument("-q", "--quiet", action="store_true", help="do not print OK lines")
    p.add_argument("--file-name", action="store_true",
                   help="also check each file's name against the SdI naming rule (00001)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("parse", help="print a FatturaPA file as JSON")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("sign", help="sign FatturaPA files as CAdES-BES (FILE.xml -> FILE.xml.p7m)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--pkcs12", required=True, metavar="P12",
                   help="PKCS#12 file (.p12/.pfx) with the signer's key and certificate")
    p.add_argument("--password-file", metavar="FILE",
                   help=f"file holding the PKCS#12 password (default: ${PASSWORD_ENV})")
    p.add_argument("-o", "--output", metavar="DIR", help="where to write (default: next to FILE)")
    p.set_defaults(func=cmd_sign)

    p = sub.add_parser("verify", help="verify signed files (.p7m) and extract their content")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("-o", "--output", metavar="DIR", help="write the signed content there")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("receipt", help="read SdI receipts (RC, NS, MC, NE, DT, AT, MT, EC, SE)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=cmd_receipt)

    p = sub.add_parser("schemas", help="install or locate the official XSD files")
    p.add_argument("action", choices=["install", "path"])
    group = p.add_mutually_exclusive_group()
    group.add_argument("--from", dest="source", metavar="DIR",
                       help="copy the schemas from a directory")
    group.add_argument("--download", action="store_true",
                       help="download them from fatturapa.gov.it")
    p.set_defaults(func=cmd_schemas)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``fatturapa-bridge`` console script.

    :param argv: arguments without the program name (``sys.argv[1:]`` when
        ``None``).
    :return: the exit code.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "schemas" and args.action == "install" and not (
        args.source or args.download
    ):
        parser.error("schemas install needs --from DIR or --download")
    try:
        return args.func(args)
    except (InputError, FatturaPAError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except FileExistsError as exc:
        print(f"{PROG}: error: {exc.filename} already exists; not overwritten", file=sys.stderr)
        return EXIT_INPUT
    except (OSError, ValueError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: still one line, but say so
        print(f"{PROG}: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
