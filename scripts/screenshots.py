#!/usr/bin/env python3
# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Take the README's screenshots of the portal and the backend, in a real headless browser.

Needs the demo running (``python3 scripts/run_demo.py``), Debian's chromium
and the ``playwright`` Python package (``pip install -e '.[docs]'``; the
system browser is used, nothing is downloaded); ``pdftoppm`` (poppler-utils)
for the picture of the PDF statement.

    python3 scripts/screenshots.py [--url http://localhost:8069] [--out docs/screenshots]
"""

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--login", default="nuvola")
    parser.add_argument("--password", default="nuvola")
    parser.add_argument("--locale", default="it-IT", help="the customer's browser language")
    parser.add_argument("--statement", action="store_true",
                        help="also the first page of the PDF statement (letterhead: wkhtmltopdf on patched Qt)")
    parser.add_argument("--admin-login", default="admin")
    parser.add_argument("--admin-password", default="admin")
    parser.add_argument("--customer", default="Nuvola Hosting", help="whose wallet the backend form shows")
    args = parser.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("screenshots: the playwright package is missing (pip install playwright).", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    shots = ["portal-wallet.png", "portal-recharge-summary.png", "portal-home.png", "backend-wallet-form.png"]
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=args.chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale=args.locale)
        page.goto(f"{args.url}/web/login?redirect=/my/wallet")
        page.fill("input[name=login]", args.login)
        page.fill("input[name=password]", args.password)
        page.click("button[type=submit]")
        page.wait_for_url("**/my/wallet**")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(out / "portal-wallet.png"), full_page=True)
        # The PDF statement, its first page as a picture (needs pdftoppm).
        action = page.get_attribute("#prepaid_statement_form", "action")
        pdf = args.statement and page.context.request.get(f"{args.url}{action}?date_from=2000-01-01&date_to=2099-12-31")
        if pdf and pdf.ok and pdf.body().startswith(b"%PDF") and shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", "-f", "1", "-",
                            str(out / "portal-statement")], input=pdf.body(), check=True)
            shots.append("portal-statement.png")
        page.click("#prepaid_add_credit")
        page.fill("#prepaid_amount", "50")
        page.click("#prepaid_recharge_form button[type=submit]")
        page.wait_for_selector("#prepaid_recharge_summary")
        page.screenshot(path=str(out / "portal-recharge-summary.png"), full_page=True)
        page.goto(f"{args.url}/my")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(out / "portal-home.png"))
        # The renewals addon: the services to renew and the automatic top-up.
        for url, name in (("/my/services", "portal-services.png"), ("/my/wallet/topup", "portal-topup.png")):
            response = page.goto(f"{args.url}{url}")
            if response and response.ok:
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(out / name), full_page=True)
                shots.append(name)
        # The backend: the operator's wallet form of the same customer.
        backend = browser.new_page(viewport={"width": 1440, "height": 1000})
        backend.goto(f"{args.url}/web/login?redirect=/odoo/action-prepaid_cloud_credit.prepaid_wallet_action")
        backend.fill("input[name=login]", args.admin_login)
        backend.fill("input[name=password]", args.admin_password)
        backend.click("button[type=submit]")
        backend.wait_for_selector(".o_list_view")
        backend.click(f".o_data_row:has-text('{args.customer}') >> nth=0")
        backend.wait_for_selector(".o_form_view")
        backend.wait_for_timeout(2000)  # the backend keeps a bus connection: never "networkidle"
        backend.screenshot(path=str(out / "backend-wallet-form.png"), full_page=True)
        browser.close()
    for name in shots:
        print(out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
