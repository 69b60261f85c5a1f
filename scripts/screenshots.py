#!/usr/bin/env python3
# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Take the README's screenshots of the portal, in a real headless browser.

Needs the demo running (``python3 scripts/run_demo.py``), Debian's chromium
and the ``playwright`` Python package (``pip install -e '.[docs]'``; the
system browser is used, nothing is downloaded).

    python3 scripts/screenshots.py [--url http://localhost:8069] [--out docs/screenshots]
"""

import argparse
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
    args = parser.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("screenshots: the playwright package is missing (pip install playwright).", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=args.chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{args.url}/web/login?redirect=/my/wallet")
        page.fill("input[name=login]", args.login)
        page.fill("input[name=password]", args.password)
        page.click("button[type=submit]")
        page.wait_for_url("**/my/wallet**")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(out / "portal-wallet.png"), full_page=True)
        page.click("#prepaid_add_credit")
        page.fill("#prepaid_amount", "50")
        page.click("#prepaid_recharge_form button[type=submit]")
        page.wait_for_selector("#prepaid_recharge_summary")
        page.screenshot(path=str(out / "portal-recharge-summary.png"), full_page=True)
        page.goto(f"{args.url}/my")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(out / "portal-home.png"))
        browser.close()
    for name in ("portal-wallet.png", "portal-recharge-summary.png", "portal-home.png"):
        print(out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
