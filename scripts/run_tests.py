#!/usr/bin/env python3
# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Run every test of the project and print one pytest-style summary line.

1. The pure-package tests (``tests/``) with pytest, always.
2. The addons' tests, when Odoo 18 is importable, twice: on a fresh database
   without demo data and on another with demo data (as OCA's CI and trial
   databases have it), both with ``odoo -i <every addon of the repository>
   --test-enable`` (with ``payment_demo`` and the Italian and French charts,
   ``l10n_it`` and ``l10n_fr_account``, for the payment and accounting tests).
   The two runs go on at once, in two processes; the results are read back
   from Odoo's logs.
3. When ``ODOO_TEST_PYTEST_ODOO`` names addons, their tests once more through
   pytest-odoo, on the database of the first run (CI does it for the core).

Exits non-zero on any failure. When Odoo is absent it says so plainly and
does not count the Odoo tests as passed.

Environment: ``PGHOST`` (127.0.0.1), ``PGPORT`` (5432), ``PGUSER`` (odoo),
``PGPASSWORD``, ``ODOO_TEST_DB`` (a fresh name per run; the run with demo
data uses ``<name>_demo``), ``ODOO_TEST_HTTP_PORT`` (8169; the run with demo
data uses the next port), ``ODOO_ADDONS_PATH`` (extra addons directories),
``ODOO_TEST_ADDONS`` (comma-separated addons to install and test; defaults to
every addon of the repository), ``ODOO_TEST_TAGS`` (defaults to those addons),
``ODOO_TEST_DEMO`` (``both``, ``0`` without demo data only, ``1`` with demo
data only), ``ODOO_TEST_JOBS`` (2: Odoo runs at once; 1 runs them one after
the other), ``ODOO_TEST_PYTEST_ODOO`` (addons, or test files, whose tests also run
through pytest-odoo), ``KEEP_TEST_DB`` (1 keeps the databases).
"""

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDON = "prepaid_cloud_credit"  # the core
# Installed with the addons: the card-like provider of the payment tests, and the
# Italian and French charts whose companies the accounting tests create.
ODOO_TEST_EXTRA_ADDONS = ["payment_demo", "l10n_it", "l10n_fr_account"]


def repository_addons():
    """Return the names of the Odoo addons at the repository's root, core first."""
    names = sorted(p.parent.name for p in ROOT.glob("*/__manifest__.py"))
    return sorted(names, key=lambda name: name != ADDON)


def selected_addons():
    """Return the addons to install and test (``ODOO_TEST_ADDONS`` or all of them)."""
    chosen = [name.strip() for name in os.environ.get("ODOO_TEST_ADDONS", "").split(",") if name.strip()]
    return chosen or repository_addons()


def pytest_counts(output, returncode):
    """Read pytest's closing line: return the counts of passed, failed, skipped and errors."""
    counts = {"passed": 0, "failed": 0, "skipped": 0, "error": 0}
    summary = [line for line in output.splitlines() if re.search(r"\d+ (passed|failed|skipped|errors?)", line)]
    if summary:
        for number, word in re.findall(r"(\d+) (passed|failed|skipped|errors?)", summary[-1]):
            counts["error" if word.startswith("error") else word] += int(number)
    if returncode not in (0, 5) and not (counts["failed"] or counts["error"]):
        counts["error"] += 1  # pytest itself failed (collection, usage)
    return counts


def run_pure_tests():
    """Run pytest on tests/ and return (counts, exit_code)."""
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
    return pytest_counts(proc.stdout, proc.returncode), proc.returncode


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


def odoo_runs():
    """Return the Odoo runs to make: without demo data, with demo data, or both.

    ``ODOO_TEST_DEMO`` is ``both`` (default), ``0`` (without only) or ``1``
    (with only). Each run has its own database, HTTP port and log.
    """
    base_db = os.environ.get("ODOO_TEST_DB") or f"pcc_test_{int(time.time())}"
    port = int(os.environ.get("ODOO_TEST_HTTP_PORT", "8169"))
    mode = os.environ.get("ODOO_TEST_DEMO", "both").strip().lower()
    if mode not in ("both", "0", "1"):
        raise SystemExit(f"ODOO_TEST_DEMO must be both, 0 or 1, not {mode!r}")
    runs = []
    if mode in ("both", "0"):
        runs.append({"label": "without demo", "db": base_db, "demo": False, "port": port,
                     "log": ROOT / "var" / "odoo-tests.log"})
    if mode in ("both", "1"):
        runs.append({"label": "with demo", "db": f"{base_db}_demo" if mode == "both" else base_db, "demo": True,
                     "port": port + 1 if mode == "both" else port, "log": ROOT / "var" / "odoo-tests-demo.log"})
    return runs


def odoo_test_args(run, addons, tags):
    """Return the command line of one Odoo run (install with tests, then stop)."""
    command, odoo_dir = odoo_bin_command()
    return command + [
        "--addons-path", addons_path(odoo_dir),
        *db_args(),
        "-d", run["db"],
        "-i", ",".join([*addons, *ODOO_TEST_EXTRA_ADDONS]),
        "--test-enable",
        "--test-tags", tags,
        "--stop-after-init",
        *([] if run["demo"] else ["--without-demo", "all"]),
        "--log-level", "test",
        "--http-port", str(run["port"]),
        "--workers", "0",
        "--max-cron-threads", "0",
    ]


def checkout_env():
    """The environment of an Odoo process: the repository's pure packages
    (fatturapa_bridge...) come before any installed copy, so the code under
    test is this checkout's."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}


def follow_odoo_log(run, proc, echo_lock):
    """Copy one Odoo run's output to its log, echo what matters, count the tests.

    Runs in its own thread when two runs go on at once; fills ``run["counts"]``.
    """
    prefix = f"[{run['label']}] "
    ran = failed = errors = 0
    problems = []
    run["log"].parent.mkdir(exist_ok=True)
    with open(run["log"], "w") as log:
        for line in proc.stdout:
            log.write(line)
            shown = False
            if re.search(r" (ERROR|CRITICAL) ", line) or re.search(r"^(FAIL|ERROR):", line) or " FAIL:" in line:
                problems.append(line.rstrip())
                shown = True
            elif "Starting " in line and ".tests." in line:
                shown = True
            if shown:
                with echo_lock:
                    sys.stdout.write(prefix + line)
                    sys.stdout.flush()
            match = re.search(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests", line)
            if match:
                failed, errors, ran = (int(g) for g in match.groups())
            match = re.search(r"Ran (\d+) tests", line)
            if match and not ran:
                ran = int(match.group(1))
    proc.wait()
    if (proc.returncode != 0 or problems) and not (failed or errors):
        # Odoo failed or logged errors outside test cases (install failure,
        # crash); failed tests already explain a non-zero exit.
        errors = 1
    if ran == 0 and errors == 0:
        errors = 1
        with echo_lock:
            print(f"{prefix}No Odoo test ran: the install failed or no test was found.")
    run["returncode"] = proc.returncode
    run["elapsed"] = time.time() - run["started"]
    run["counts"] = {"passed": max(ran - failed - errors, 0), "failed": failed, "error": errors}


def run_odoo_tests():
    """Install the addons with their tests on fresh databases, without and
    with demo data (two processes at once unless ``ODOO_TEST_JOBS=1``), then
    run the pytest-odoo pass if asked; return the counts of every run.
    """
    addons = selected_addons()
    tags = os.environ.get("ODOO_TEST_TAGS") or ",".join(f"/{name}" for name in addons)
    runs = odoo_runs()
    jobs = max(int(os.environ.get("ODOO_TEST_JOBS", "2") or 2), 1)
    echo_lock = threading.Lock()
    for run in runs:
        drop_database(run["db"])
    started = time.time()
    pending = list(runs)
    while pending:
        batch, pending = pending[:jobs], pending[jobs:]
        threads = []
        for run in batch:
            print(f"== Odoo tests {run['label']}: {', '.join(addons)} on fresh database {run['db']}", flush=True)
            run["started"] = time.time()
            proc = subprocess.Popen(odoo_test_args(run, addons, tags), cwd=ROOT, env=checkout_env(),
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            thread = threading.Thread(target=follow_odoo_log, args=(run, proc, echo_lock), daemon=True)
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join()
        for run in batch:
            counts = run["counts"]
            print(f"   [{run['label']}] {counts['passed']} passed, {counts['failed']} failed, {counts['error']} errors "
                  f"({run['elapsed']:.0f}s, exit {run['returncode']}); log {run['log']}", flush=True)
    print(f"   Odoo runs took {time.time() - started:.0f}s in all ({min(jobs, len(runs))} at once)")
    results = [run["counts"] for run in runs]
    pytest_addons = [name.strip() for name in os.environ.get("ODOO_TEST_PYTEST_ODOO", "").split(",") if name.strip()]
    if pytest_addons:
        # The database of the first run still has the addons installed.
        results.append(run_pytest_odoo(runs[0]["db"], pytest_addons))
    if os.environ.get("KEEP_TEST_DB") != "1":
        for run in runs:
            drop_database(run["db"])
    return results


def run_pytest_odoo(db, addons):
    """Run the tests of ``addons`` once more through pytest-odoo on ``db``."""
    _command, odoo_dir = odoo_bin_command()
    # An addon's name stands for its tests; a path (a test file) is taken as it is.
    paths = [name if "/" in name else f"{name}/tests" for name in addons]
    print(f"== pytest-odoo: {', '.join(paths)} on {db}", flush=True)
    args = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "-p", "odoo",
        f"--odoo-database={db}", f"--odoo-addons-path={addons_path(odoo_dir)}", "--odoo-http",
        # The connection options, as Odoo's own flags (--db_host=...).
        *(f"--odoo-extra={pair[0].lstrip('-')}={pair[1]}" for pair in zip(*[iter(db_args())] * 2, strict=True)),
        *paths,
    ]
    log_path = ROOT / "var" / "pytest-odoo.log"
    with open(log_path, "w") as log:
        proc = subprocess.run(args, cwd=ROOT, env=checkout_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
        log.write(proc.stdout)
    counts = pytest_counts(proc.stdout, proc.returncode)
    tail = proc.stdout.strip().splitlines()[-1:] or ["(no output)"]
    print(f"   pytest-odoo: {tail[0]}; log {log_path}")
    return {key: counts[key] for key in ("passed", "failed", "error")}


def main():
    started = time.time()
    pure, _code = run_pure_tests()
    available, why = odoo_available()
    odoo_counts = {"passed": 0, "failed": 0, "error": 0}
    if available:
        for counts in run_odoo_tests():
            for key in odoo_counts:
                odoo_counts[key] += counts[key]
        note = ""
    else:
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
