# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import base64
import csv
import io

from odoo import _, fields, models
from odoo.tools import float_repr


class PrepaidDomainPriceExport(models.TransientModel):
    """Export a domain price list as CSV, in the format the import reads."""

    _name = "prepaid.domain.price.export"
    _description = "Export Domain Prices"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    plan_ids = fields.Many2many("prepaid.plan", string="Plans", help="Leave empty to export every plan.")
    include_list_prices = fields.Boolean("Include list prices", default=True)
    file = fields.Binary("CSV file", readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    def action_export(self):
        self.ensure_one()
        self.file = base64.b64encode(self._get_csv_text().encode("utf-8"))
        self.filename = f"domain-prices-{self.currency_id.name}.csv"
        return {
            "type": "ir.actions.act_window",
            "name": _("Export domain prices"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _get_csv_text(self):
        self.ensure_one()
        domain = [("company_id", "=", self.company_id.id), ("currency_id", "=", self.currency_id.id)]
        plan_domain = [("plan_id", "in", self.plan_ids.ids)] if self.plan_ids else [("plan_id", "!=", False)]
        if self.include_list_prices:
            plan_domain = ["|", ("plan_id", "=", False)] + plan_domain
        lines = self.env["prepaid.domain.price"].search(domain + plan_domain)
        lines = lines.sorted(
            lambda p: (p.tld_id.name, p.plan_id.level if p.plan_id else -1, p.operation, p.years)
        )
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["tld", "operation", "years", "price", "plan", "currency"])
        digits = self.currency_id.decimal_places
        for line in lines:
            writer.writerow([
                line.tld_id.name, line.operation, line.years, float_repr(line.price, digits),
                line.plan_id.code or "", self.currency_id.name,
            ])
        return out.getvalue()
