# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import base64
import binascii
import csv
import io
import re
from decimal import Decimal

from odoo import _, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.prepaid_cloud_credit.const import MAX_MOVEMENT_AMOUNT
from odoo.addons.prepaid_cloud_credit.parsing import has_forbidden_characters, parse_decimal, shown

from ..models.prepaid_domain_price import DOMAIN_OPERATIONS, MAX_DOMAIN_YEARS
from ..models.prepaid_domain_tld import tld_format_error

REQUIRED_COLUMNS = ("tld", "operation", "years", "price")
OPTIONAL_COLUMNS = ("plan", "currency")
_WHOLE = re.compile(r"[0-9]+", re.ASCII)


class PrepaidDomainPriceImport(models.TransientModel):
    """Import a CSV domain price list: validated whole, then upserted.

    Columns (header on the first line, ``,`` or ``;`` separated): ``tld``,
    ``operation``, ``years``, ``price`` and optionally ``plan`` (a plan code;
    empty for the list price) and ``currency`` (must be the wizard's).
    """

    _name = "prepaid.domain.price.import"
    _description = "Import Domain Prices"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    # Not required at the database level: an empty upload gets a clear error.
    file = fields.Binary("CSV file", attachment=False)
    filename = fields.Char()

    def action_import(self):
        self.ensure_one()
        self.env["prepaid.wallet"]._check_prepaid_group("group_prepaid_manager")
        rows = self._parse_rows(self._read_csv_text())
        stats = self._apply_rows(rows)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _(
                    "%(created)s prices created, %(updated)s updated, %(unchanged)s unchanged.",
                    **stats,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _read_csv_text(self):
        self.ensure_one()
        if not self.file:
            raise UserError(_("Choose a CSV file to import."))
        try:
            data = base64.b64decode(self.file or b"", validate=True)
            text = data.decode("utf-8-sig")
        except (binascii.Error, ValueError):
            raise UserError(_("The file is not a UTF-8 CSV file.")) from None
        bad_lines = [
            str(number) for number, line in enumerate(text.splitlines(), 1) if has_forbidden_characters(line)
        ]
        if bad_lines:
            raise UserError(
                _(
                    "The price list was not imported; nothing was changed.\n"
                    "Line %(lines)s: a NUL character is not allowed in a CSV file.",
                    lines=", ".join(bad_lines),
                )
            )
        return text

    def _parse_rows(self, text):
        """Check every row and return them as dicts ready to write.

        :param text: the CSV text
        :return: list of dicts with ``plan``, ``tld`` (name), ``operation``,
            ``years``, ``price``
        :raise UserError: listing every error with its line number; nothing
            is written
        """
        self.ensure_one()
        if not text.strip():
            raise UserError(_("The file is empty."))
        first_line = text.splitlines()[0]
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = [column.strip().lower() for column in next(reader)]
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        unknown = [column for column in header if column not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
        if missing or unknown or len(set(header)) != len(header):
            raise UserError(
                _(
                    "Line 1: the header must name the columns %(required)s (and optionally %(optional)s) "
                    "once each; missing: %(missing)s; unknown: %(unknown)s.",
                    required=", ".join(REQUIRED_COLUMNS),
                    optional=", ".join(OPTIONAL_COLUMNS),
                    missing=", ".join(missing) or "-",
                    unknown=", ".join(unknown) or "-",
                )
            )
        plans = self.env["prepaid.plan"].search([])  # pylint: disable=no-search-all
        plan_by_code = {plan.code: plan for plan in plans}
        operations = dict(DOMAIN_OPERATIONS)
        currency = self.currency_id
        errors, rows, seen = [], [], {}
        for values in reader:
            line = reader.line_num
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                errors.append(_("Line %(line)s: %(count)s columns instead of %(expected)s.",
                                line=line, count=len(values), expected=len(header)))
                continue
            row = dict(zip(header, (value.strip() for value in values), strict=True))
            line_errors = []
            tld_error = tld_format_error(self.env, row["tld"])
            if tld_error:
                line_errors.append(_("%(tld)s is not a TLD: %(error)s", tld=row["tld"], error=tld_error))
            if row["operation"] not in operations:
                line_errors.append(_("unknown operation %(operation)s (one of %(operations)s)",
                                     operation=row["operation"], operations=", ".join(operations)))
            # Only the digits 0-9: "²" or "١" pass isdigit() but are no number of years.
            years = int(row["years"]) if _WHOLE.fullmatch(row["years"]) else None
            if years is None or not 1 <= years <= MAX_DOMAIN_YEARS:
                line_errors.append(_("years must be a whole number from 1 to 10, not %(years)s", years=row["years"]))
            price = self._parse_price(row["price"], currency, line_errors)
            if row.get("currency") and row["currency"].upper() != currency.name:
                line_errors.append(_("currency %(found)s instead of %(expected)s",
                                     found=row["currency"], expected=currency.name))
            plan = plan_by_code.get(row.get("plan", "").lower()) if row.get("plan") else None
            if row.get("plan") and not plan:
                line_errors.append(_("unknown plan %(plan)s", plan=row["plan"]))
            key = (row.get("plan", "").lower(), row["tld"], row["operation"], years)
            if not line_errors:
                if key in seen:
                    line_errors.append(_("same plan, TLD, operation and years as line %(first)s", first=seen[key]))
                else:
                    seen[key] = line
            if line_errors:
                for error in line_errors:
                    errors.append(_("Line %(line)s: %(error)s.", line=line, error=error))
                continue
            rows.append(
                {"plan": plan, "tld": row["tld"], "operation": row["operation"], "years": years, "price": price}
            )
        if errors:
            raise UserError(
                _("The price list was not imported; nothing was changed.\n%(errors)s", errors="\n".join(errors))
            )
        if not rows:
            raise UserError(_("The file has no price."))
        return rows

    def _parse_price(self, text, currency, line_errors):
        try:
            price = parse_decimal(text)
        except ValidationError:
            line_errors.append(
                _("price %(price)s is not a number written with the digits 0-9 and a dot", price=shown(text) or "''")
            )
            return None
        if price < 0:
            line_errors.append(_("price %(price)s is negative", price=text))
        elif price > MAX_MOVEMENT_AMOUNT:
            line_errors.append(_("price %(price)s is too large", price=text))
        elif price != price.quantize(Decimal(1).scaleb(-currency.decimal_places)):
            line_errors.append(_("price %(price)s has more decimals than %(currency)s allows",
                                 price=text, currency=currency.name))
        else:
            return float(price)
        return None

    def _apply_rows(self, rows):
        """Create the missing TLDs and upsert the prices.

        :return: dict with the ``created``, ``updated`` and ``unchanged`` counts
        """
        self.ensure_one()
        Tld = self.env["prepaid.domain.tld"].with_context(active_test=False)
        tld_names = sorted({row["tld"] for row in rows})
        tlds = {tld.name: tld for tld in Tld.search([("name", "in", tld_names)])}
        missing = [name for name in tld_names if name not in tlds]
        if missing:
            tlds.update({tld.name: tld for tld in Tld.create([{"name": name} for name in missing])})
        Price = self.env["prepaid.domain.price"].with_context(active_test=False)
        existing = {
            (line.plan_id.id, line.tld_id.id, line.operation, line.years): line
            for line in Price.search([
                ("company_id", "=", self.company_id.id),
                ("currency_id", "=", self.currency_id.id),
                ("tld_id", "in", [tld.id for tld in tlds.values()]),
            ])
        }
        stats = {"created": 0, "updated": 0, "unchanged": 0}
        to_create = []
        for row in rows:
            plan_id = row["plan"].id if row["plan"] else False
            line = existing.get((plan_id, tlds[row["tld"]].id, row["operation"], row["years"]))
            if not line:
                to_create.append({
                    "company_id": self.company_id.id,
                    "currency_id": self.currency_id.id,
                    "plan_id": plan_id,
                    "tld_id": tlds[row["tld"]].id,
                    "operation": row["operation"],
                    "years": row["years"],
                    "price": row["price"],
                })
            elif self.currency_id.compare_amounts(line.price, row["price"]):
                line.price = row["price"]
                stats["updated"] += 1
            else:
                stats["unchanged"] += 1
        Price.create(to_create)
        stats["created"] = len(to_create)
        return stats
