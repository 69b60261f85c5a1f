#!/usr/bin/env python3
# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Export each addon's translation template and bring its translations up to date.

For every addon asked for (default: every addon at the repository's root):

1. ``<addon>/i18n/<addon>.pot`` is exported by Odoo from a database where the
   addon is installed (``odoo --i18n-export=<addon>.pot --modules=<addon>``,
   no language: a template).
2. ``it.po``, ``fr.po`` and ``ru.po`` next to it are merged with the new
   template by ``msgmerge`` (created when missing, with the language's header
   and plural forms). The compendium is every ``<lang>.po`` of the repository
   as it was before this run, plus, with ``--compendium-rev``, those of a git
   revision: a string that moved from one addon to another (as the feature
   addons left the core) keeps its translation. Entries no longer in the
   template are dropped.
3. Every ``.po`` is checked with ``msgfmt -c --check-format``, and the entries
   still untranslated or fuzzy are counted, so that a translator knows what is
   left.

The database is given with ``-d``; ``--install`` first creates it fresh with
the addons installed (without demo data) and drops it at the end.

Examples::

    python3 scripts/i18n_export.py -d pcc_i18n --install
    python3 scripts/i18n_export.py -d mydb prepaid_cloud_credit_plan
    python3 scripts/i18n_export.py -d pcc_i18n --install --compendium-rev 32a2e73

Environment: ``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGPASSWORD`` and
``ODOO_ADDONS_PATH`` as for ``scripts/run_tests.py``.
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run_tests import ROOT, addons_path, db_args, drop_database, odoo_bin_command, repository_addons  # noqa: E402

LANGUAGES = {
    "it": ("Italian", "nplurals=2; plural=(n != 1);"),
    "fr": ("French", "nplurals=2; plural=(n > 1);"),
    "ru": (
        "Russian",
        "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    ),
}


def run(args, **kwargs):
    """Run a command, stop the script with its output when it fails."""
    proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
    if proc.returncode:
        sys.stdout.write(proc.stdout)
        sys.exit(f"failed ({proc.returncode}): {' '.join(str(a) for a in args[:4])} ...")
    return proc.stdout


def odoo_command(database, *extra):
    command, odoo_dir = odoo_bin_command()
    return command + [
        "--addons-path", addons_path(odoo_dir),
        *db_args(),
        "-d", database,
        "--workers", "0",
        "--max-cron-threads", "0",
        "--log-level", "warn",
        *extra,
    ]


def install(database, addons):
    drop_database(database)
    print(f"== Installing {', '.join(addons)} on fresh database {database}", flush=True)
    run(odoo_command(database, "-i", ",".join(addons), "--without-demo", "all", "--stop-after-init",
                     "--http-port", "0"), cwd=ROOT)


def export_pot(database, addon):
    """Export the addon's template to ``<addon>/i18n/<addon>.pot`` and return its path."""
    i18n = ROOT / addon / "i18n"
    i18n.mkdir(exist_ok=True)
    pot = i18n / f"{addon}.pot"
    run(odoo_command(database, f"--i18n-export={pot}", f"--modules={addon}", "--stop-after-init"), cwd=ROOT)
    return pot


def header(lang, addon):
    name, plural = LANGUAGES[lang]
    return (
        f"# {name} translation of {addon}.\n"
        "msgid \"\"\n"
        "msgstr \"\"\n"
        "\"Project-Id-Version: Odoo Server 18.0\\n\"\n"
        "\"Report-Msgid-Bugs-To: \\n\"\n"
        "\"Last-Translator: \\n\"\n"
        "\"Language-Team: \\n\"\n"
        f"\"Language: {lang}\\n\"\n"
        "\"MIME-Version: 1.0\\n\"\n"
        "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
        "\"Content-Transfer-Encoding: \\n\"\n"
        f"\"Plural-Forms: {plural}\\n\"\n"
    )


def fix_header(po, lang):
    """Make the header name the language, its plural forms and a revision date, whatever the file had."""
    text = po.read_text()
    _name, plural = LANGUAGES[lang]
    head, _sep, rest = text.rstrip("\n").partition("\n\n")
    fields = {
        "Language": lang,
        "Plural-Forms": plural,
        "PO-Revision-Date": time.strftime("%Y-%m-%d %H:%M+0000", time.gmtime()),
    }
    for name, value in fields.items():
        line = f'"{name}: {value}\\n"'
        if f'"{name}:' in head:
            if name != "PO-Revision-Date":  # an existing revision date stays
                head = re.sub(rf'"{name}: [^"]*\\n"', lambda _match, line=line: line, head, count=1)
        else:
            head = f"{head}\n{line}"
    po.write_text(f"{head}\n\n{rest}\n" if rest else f"{head}\n")


def build_compendia(workdir, rev):
    """Concatenate, per language, every po file of the repository (and of ``rev``)."""
    compendia = {}
    for lang in LANGUAGES:
        sources = sorted(ROOT.glob(f"*/i18n/{lang}.po"))
        if rev:
            listed = run(["git", "ls-tree", "-r", "--name-only", rev], cwd=ROOT).split()
            for number, path in enumerate(p for p in listed if re.fullmatch(rf"[^/]+/i18n/{lang}\.po", p)):
                copy = workdir / f"rev-{lang}-{number}.po"
                copy.write_text(run(["git", "show", f"{rev}:{path}"], cwd=ROOT))
                sources.append(copy)
        if not sources:
            continue
        compendium = workdir / f"compendium-{lang}.po"
        # --use-first: a string translated in several files keeps the first translation found
        run(["msgcat", "--use-first", "--no-wrap", "-o", str(compendium), *map(str, sources)])
        compendia[lang] = compendium
    return compendia


def merge(addon, pot, compendia):
    """Update the addon's po files from its template; return (lang, untranslated, fuzzy) tuples."""
    counts = []
    for lang in LANGUAGES:
        po = pot.parent / f"{lang}.po"
        if not po.exists():
            po.write_text(header(lang, addon) + "\n")
        args = ["msgmerge", "--quiet", "--no-wrap", "--previous", "--update", "--backup=off"]
        if lang in compendia:
            args.append(f"--compendium={compendia[lang]}")
        run([*args, str(po), str(pot)])
        run(["msgattrib", "--no-obsolete", "--no-wrap", "-o", str(po), str(po)])
        fix_header(po, lang)
        run(["msgfmt", "-c", "--check-format", "-o", "/dev/null", str(po)])
        untranslated = run(["msgattrib", "--untranslated", "--no-wrap", str(po)]).count("\nmsgid ")
        fuzzy = run(["msgattrib", "--only-fuzzy", "--no-wrap", str(po)]).count("\nmsgid ")
        counts.append((lang, untranslated, fuzzy))
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("addons", nargs="*", help="addons to export (default: every addon of the repository)")
    parser.add_argument("-d", "--database", required=True, help="database where the addons are installed")
    parser.add_argument("--install", action="store_true", help="create the database fresh with the addons first")
    parser.add_argument("--compendium-rev", help="also take translations from the po files of this git revision")
    options = parser.parse_args()
    addons = options.addons or repository_addons()
    for addon in addons:
        if not (ROOT / addon / "__manifest__.py").exists():
            sys.exit(f"{addon} is not an addon of this repository")
    for tool in ("msgmerge", "msgcat", "msgattrib", "msgfmt"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: install GNU gettext")
    if options.install:
        install(options.database, addons)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            # read every po file before any is rewritten, so moved strings keep their translations
            compendia = build_compendia(Path(tmp), options.compendium_rev)
            for addon in addons:
                pot = export_pot(options.database, addon)
                counts = merge(addon, pot, compendia)
                left = ", ".join(f"{lang}: {u} untranslated, {f} fuzzy" for lang, u, f in counts)
                print(f"{addon}: {pot.relative_to(ROOT)} ({left})", flush=True)
    finally:
        if options.install:
            drop_database(options.database)


if __name__ == "__main__":
    main()
