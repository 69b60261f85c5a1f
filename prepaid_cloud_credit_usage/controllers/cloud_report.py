# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import csv
import io
from datetime import date, timedelta

from odoo import _, fields, http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.prepaid_cloud_credit.controllers.ownership import readable_count

# Longest period one report (or one CSV export) covers.
MAX_REPORT_DAYS = 366
DEFAULT_REPORT_DAYS = 30
CHART_HEIGHT = 160
CHART_BAR_WIDTH = 18


class CloudReportPortal(CustomerPortal):

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "cloud_server_count" in counters:
            values["cloud_server_count"] = readable_count(
                request.env["prepaid.cloud.server"], self._get_cloud_report_domain(), limit=1
            )
        return values

    def _get_cloud_report_domain(self):
        """Hook: the records of the logged-in customer (the record rules
        already restrict portal users; internal users see their own too)."""
        return [("partner_id", "child_of", request.env.user.commercial_partner_id.id)]

    def _cloud_report_period(self, date_from, date_to):
        """:return: (first day, last day, error message or None)"""
        today = fields.Date.context_today(request.env.user)
        default = (today - timedelta(days=DEFAULT_REPORT_DAYS), today - timedelta(days=1))
        try:
            start = date.fromisoformat(date_from) if date_from else default[0]
            end = date.fromisoformat(date_to) if date_to else default[1]
        except ValueError:
            return default + (_("The dates must be written as YYYY-MM-DD."),)
        if start > end:
            return default + (_("The period must start before it ends."),)
        if (end - start).days >= MAX_REPORT_DAYS:
            return default + (_("A report covers at most %(days)s days.", days=MAX_REPORT_DAYS),)
        return start, end, None

    def _prepare_cloud_report_data(self, date_from=None, date_to=None, server_id=None):
        """Usage and cost per day, server and meter of the logged-in customer.

        :return: dict of values, or None when ``server_id`` is not one of the
            customer's servers
        """
        start, end, error = self._cloud_report_period(date_from, date_to)
        Server = request.env["prepaid.cloud.server"]
        servers = Server.search(self._get_cloud_report_domain())
        server = Server
        if server_id:
            try:
                server = servers.filtered(lambda s: s.id == int(server_id))
            except ValueError:
                return None
            if not server:
                return None
        domain = self._get_cloud_report_domain() + [("date", ">=", start), ("date", "<=", end)]
        if server:
            domain.append(("server_id", "=", server.id))
        groups = request.env["prepaid.cloud.statement.line"]._read_group(
            domain,
            ["date:day", "server_id", "meter_id", "currency_id"],
            ["quantity:sum", "amount:sum"],
            order="date:day, server_id, meter_id",
        )
        rows = [
            {"date": day, "server": srv, "meter": meter, "currency": currency, "quantity": quantity, "amount": amount}
            for day, srv, meter, currency, quantity, amount in groups
        ]
        return {
            "rows": rows,
            "wallets": self._cloud_report_wallets(),
            "charts": self._cloud_report_charts(rows, start, end),
            "server_totals": self._cloud_report_server_totals(rows),
            "servers": servers,
            "server": server,
            "date_from": start,
            "date_to": end,
            "error": error,
        }

    def _cloud_report_wallets(self):
        """The logged-in customer's wallets, with their ongoing balance and
        an *Add credit* button on the report."""
        Wallet = request.env["prepaid.wallet"]
        if not Wallet.has_access("read"):
            return Wallet
        # Record rules keep a portal user to its own commercial partner.
        return Wallet.search([("partner_id", "=", request.env.user.commercial_partner_id.id)])

    def _cloud_report_server_totals(self, rows):
        totals = {}
        for row in rows:
            key = (row["server"], row["currency"])
            totals[key] = totals.get(key, 0.0) + row["amount"]
        return [
            {"server": srv, "currency": currency, "amount": amount}
            for (srv, currency), amount in sorted(
                totals.items(), key=lambda item: (item[0][0].name or "", item[0][0].id)
            )
        ]

    def _cloud_report_charts(self, rows, start, end):
        """Bars of the cost per day, one chart per currency, sized here so the
        template draws plain SVG rectangles (no JavaScript)."""
        charts = []
        for currency in {row["currency"] for row in rows}:
            per_day = {}
            for row in rows:
                if row["currency"] == currency:
                    per_day[row["date"]] = per_day.get(row["date"], 0.0) + row["amount"]
            days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
            peak = max(per_day.values()) or 1.0
            bars = []
            for index, day in enumerate(days):
                amount = per_day.get(day, 0.0)
                height = round(CHART_HEIGHT * amount / peak, 1) if peak > 0 else 0
                bars.append({
                    "day": day,
                    "amount": amount,
                    "x": index * (CHART_BAR_WIDTH + 4),
                    "y": CHART_HEIGHT - height,
                    "height": height,
                })
            charts.append({
                "currency": currency,
                "bars": bars,
                "width": len(days) * (CHART_BAR_WIDTH + 4),
                "height": CHART_HEIGHT,
                "bar_width": CHART_BAR_WIDTH,
                "peak": peak,
            })
        return charts

    @http.route(["/my/cloud-report"], type="http", auth="user", website=True)
    def portal_cloud_report(self, date_from=None, date_to=None, server_id=None, **kw):
        data = self._prepare_cloud_report_data(date_from, date_to, server_id)
        if data is None:
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        values.update(data, page_name="cloud_report")
        return request.render("prepaid_cloud_credit_usage.portal_cloud_report", values)

    @http.route(["/my/cloud-report/csv"], type="http", auth="user")
    def portal_cloud_report_csv(self, date_from=None, date_to=None, server_id=None, **kw):
        data = self._prepare_cloud_report_data(date_from, date_to, server_id)
        if data is None:
            return request.redirect("/my")
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([_("Day"), _("Server"), _("Reference"), _("Meter"), _("Unit"), _("Quantity"),
                         _("Amount"), _("Currency")])
        for row in data["rows"]:
            writer.writerow([
                row["date"].isoformat(), row["server"].name, row["server"].ref, row["meter"].name,
                row["meter"].unit, round(row["quantity"], 6), row["currency"].round(row["amount"]),
                row["currency"].name,
            ])
        filename = f"cloud-report-{data['date_from']}-{data['date_to']}.csv"
        return request.make_response(
            out.getvalue().encode(),
            headers=[
                ("Content-Type", "text/csv; charset=utf-8"),
                ("Content-Disposition", f'attachment; filename="{filename}"'),
            ],
        )
