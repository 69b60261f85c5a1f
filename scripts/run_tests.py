#!/usr/bin/env python3
# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Run every test of the project and print one pytest-style summary line.

1. The pure-package tests (``tests/``) with pytest, always.
2. The addons' tests, when Odoo 18 is importable: a fresh database on the
   machine's PostgreSQL, ``odoo -i <every addon of the repository> --test-enable``
   (with ``payment_demo`` and the Italian and French charts, ``l10n_it`` and
   ``l10n_fr_account``, for the payment and accounting tests), and the test
   results read back from Odoo's log.

Exits non-zero on any failure. When Odoo is absent it says so plainly and
does not count the Odoo tests as passed.

Environment: ``PGHOST`` (127.0.0.1), ``PGPORT`` (5432), ``PGUSER`` (odoo),
``PGPASSWORD``, ``ODOO_TEST_DB`` (a fresh name per run), ``ODOO_ADDONS_PATH``
(extra addons directories), ``ODOO_TEST_ADDONS`` (comma-separated addons to
install and test; defaults to every addon of the repository), ``ODOO_TEST_TAGS``
(defaults to those addons).
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDON = "prepaid_cloud_credit"  # the core


def repository_addons():
    """Return the names of the Odoo addons at the repository's root, core first."""
    names = sorted(p.parent.name for p in ROOT.glob("*/__manifest__.py"))
    return sorted(names, key=lambda name: name != ADDON)


def selected_addons():
    """Return the addons to install and test (``ODOO_TEST_ADDONS`` or all of them)."""
    chosen = [name.strip() for name in os.environ.get("ODOO_TEST_ADDONS", "").split(",") if name.strip()]
    return chosen or repository_addons()


def run_pure_tests():
    """Run pytest on tests/ and return (passed, failed, skipped, exit_code)."""
    print("== Pure-package tests (pytest tests/)", flush=True)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider",
         "-o", "addopts=", "-p", "no:odoo"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    sys.stdout.write(proc.stdout)
    counts = {"passed": 0, "failed": 0, "skipped": 0, "error": 0}
    summary = [line for line in proc.stdout.splitlines() if re.search(r"\d+ (passed|failed|skipped|errors?)", line)]
    if summary:
        for number, word in re.findall(r"(\d+) (passed|failed|skipped|errors?)", summary[-1]):
            counts["error" if word.startswith("error") else word] += int(number)
    if proc.returncode not in (0, 5) and not (counts["failed"] or counts["error"]):
        counts["error"] += 1  # pytest itself failed (collection, usage)
    return counts, proc.returncode


def odoo_available():
    try:
        import odoo.release  # noqa: F401
    except ImportError:
        return False, "Odoo is not importable"
    import odoo.release as release

    if release.version_info[0] != 18:
        return False, f"Odoo {release.version} is importable, not 18.0"
    return True, f"Odoo {release.version}"


def odoo_bin_command():
    import odoo

    odoo_dir = Path(odoo.__file__).resolve().parent
    odoo_bin = odoo_dir.parent / "odoo-bin"
    if odoo_bin.exists():
        return [sys.executable, str(odoo_bin)], odoo_dir
    return [sys.executable, "-c", "import odoo.cli; odoo.cli.main()"], odoo_dir


def addons_path(odoo_dir):
    paths = [str(ROOT)]
    extra = os.environ.get("ODOO_ADDONS_PATH")
    if extra:
        paths.extend(p for p in extra.split(",") if p)
    community = odoo_dir.parent / "addons"
    if community.is_dir():
        paths.append(str(community))
    paths.append(str(odoo_dir / "addons"))
    return ",".join(paths)


def db_args():
    return [
        "--db_host", os.environ.get("PGHOST", "127.0.0.1"),
        "--db_port", os.environ.get("PGPORT", "5432"),
        "--db_user", os.environ.get("PGUSER", "odoo"),
        *(["--db_password", os.environ["PGPASSWORD"]] if os.environ.get("PGPASSWORD") else []),
    ]


def drop_database(name):
    subprocess.run(
        ["dropdb", "--if-exists", "-h", os.environ.get("PGHOST", "127.0.0.1"),
         "-p", os.environ.get("PGPORT", "5432"), "-U", os.environ.get("PGUSER", "odoo"), name],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def run_odoo_tests():
    """Install the addon with its tests on a fresh database; parse the log."""
    command, odoo_dir = odoo_bin_command()
    db = os.environ.get("ODOO_TEST_DB") or f"pcc_test_{int(time.time())}"
    drop_database(db)
    addons = selected_addons()
    tags = os.environ.get("ODOO_TEST_TAGS") or ",".join(f"/{name}" for name in addons)
    args = command + [
        "--addons-path", addons_path(odoo_dir),
        *db_args(),
        "-d", db,
        "-i", ",".join([*addons, "payment_demo", "l10n_it", "l10n_fr_account"]),
        "--test-enable",
        "--test-tags", tags,
        "--stop-after-init",
        "--without-demo", "all",
        "--log-level", "test",
        "--http-port", os.environ.get("ODOO_TEST_HTTP_PORT", "8169"),
        "--workers", "0",
        "--max-cron-threads", "0",
    ]
    print(f"== Odoo tests: {', '.join(addons)} on fresh database {db}", flush=True)
    started = time.time()
    # The repository's pure packages (fatturapa_bridge...) before any installed
    # copy: the code under test is this checkout's.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    log_path = ROOT / "var" / "odoo-tests.log"
    log_path.parent.mkdir(exist_ok=True)
    ran = failed = errors = 0
    problems = []
    with open(log_path, "w") as log:
        for line in proc.stdout:
            log.write(line)
            if re.search(r" (ERROR|CRITICAL) ", line) or re.search(r"^(FAIL|ERROR):", line) or " FAIL:" in line:
                problems.append(line.rstrip())
                sys.stdout.write(line)
            elif "Starting " in line and ".tests." in line:
                sys.stdout.write(line)
            match = re.search(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests", line)
            if match:
                failed, errors, ran = (int(g) for g in match.groups())
            match = re.search(r"Ran (\d+) tests", line)
            if match and not ran:
                ran = int(match.group(1))
    proc.wait()
    if os.environ.get("KEEP_TEST_DB") != "1":
        drop_database(db)
    elapsed = time.time() - started
    print(f"   Odoo log: {log_path} ({elapsed:.0f}s, exit {proc.returncode})")
    if proc.returncode != 0 or (problems and not (failed or errors)):
        # Odoo logged errors outside test cases (install failure, crash).
        errors = max(errors, 1)
    if ran == 0 and errors == 0:
        errors = 1
        print("   No Odoo test ran: the install failed or no test was found.")
    return {"passed": max(ran - failed - errors, 0), "failed": failed, "error": errors}


def main():
    started = time.time()
    pure, _code = run_pure_tests()
    available, why = odoo_available()
    if available:
        odoo_counts = run_odoo_tests()
        note = ""
    else:
        odoo_counts = {"passed": 0, "failed": 0, "error": 0}
        note = f"Odoo tests SKIPPED: {why}; they did not run and are not counted as passed."
        print(f"== {note}")
    passed = pure["passed"] + odoo_counts["passed"]
    failed = pure["failed"] + odoo_counts["failed"]
    errors = pure["error"] + odoo_counts["error"]
    print(
        f"== pure: {pure['passed']} passed, {pure['failed']} failed, {pure['skipped']} skipped, "
        f"{pure['error']} errors | odoo: "
        + (f"{odoo_counts['passed']} passed, {odoo_counts['failed']} failed, {odoo_counts['error']} errors"
           if available else "skipped (Odoo not found)")
    )
    if note:
        print(note)
    print(f"== finished in {time.time() - started:.2f}s")
    # Errors count as failures; the last line is the plain summary CI reads.
    summary = f"{passed} passed, {failed + errors} failed"
    if pure["skipped"]:
        summary += f", {pure['skipped']} skipped"
    print(summary)
    return 1 if (failed or errors) else 0


if __name__ == "__main__":
    sys.exit(main())
