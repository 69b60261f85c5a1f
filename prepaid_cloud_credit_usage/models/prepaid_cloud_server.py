# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

SERVER_STATES = [
    ("active", "Active"),
    ("stopped", "Stopped"),
    ("suspended", "Suspended"),
    ("terminated", "Terminated"),
]
# Fields whose change is a new configuration: every change writes an event.
CONFIG_FIELDS = ("vcpu", "ram_gb", "disk_gb", "addon_meter_ids", "state")


class PrepaidCloudServer(models.Model):
    """A cloud server of a customer, billed by the hour from its history."""

    _name = "prepaid.cloud.server"
    _description = "Cloud Server"
    _inherit = ["mail.thread"]
    _order = "partner_id, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    ref = fields.Char(
        "Platform reference", required=True, index=True, copy=False,
        help="The identifier of the server on the hosting platform; samples are pushed with it.",
    )
    wallet_id = fields.Many2one(
        "prepaid.wallet", required=True, index=True, ondelete="restrict", check_company=True, tracking=True
    )
    partner_id = fields.Many2one(related="wallet_id.partner_id", store=True, index=True, string="Customer")
    company_id = fields.Many2one(related="wallet_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="wallet_id.currency_id")
    vcpu = fields.Integer("vCPU", default=1, tracking=True)
    ram_gb = fields.Float("RAM (GB)", default=1.0, tracking=True)
    disk_gb = fields.Float("Disk (GB)", default=20.0, tracking=True)
    addon_meter_ids = fields.Many2many(
        "prepaid.cloud.meter",
        "prepaid_cloud_server_meter_rel",
        "server_id",
        "meter_id",
        string="Add-ons",
        domain=[("resource", "=", "addon")],
    )
    state = fields.Selection(SERVER_STATES, required=True, default="active", tracking=True, index=True)
    state_before_suspension = fields.Selection(
        [("active", "Active"), ("stopped", "Stopped")],
        readonly=True,
        copy=False,
        help="Set while the balance policy keeps the server suspended: the state it returns to.",
    )
    event_ids = fields.One2many("prepaid.cloud.server.event", "server_id", string="History", readonly=True)
    command_ids = fields.One2many("prepaid.cloud.command", "server_id", string="Commands", readonly=True)
    usage_derived_until = fields.Datetime(
        readonly=True, copy=False,
        help="Usage records from the configuration history exist up to this hour (UTC, excluded).",
    )

    _sql_constraints = [
        ("ref_company_uniq", "UNIQUE(ref, company_id)", "The platform reference of a server is unique per company."),
    ]

    @api.constrains("vcpu", "ram_gb", "disk_gb")
    def _check_resources(self):
        # Each hour of a resource is a usage record: the meter's maximum per
        # hour bounds the configuration as it bounds pushed samples.
        maxima = {}
        # sudo: the bound holds whoever configures the server (a bridge, a manager).
        for meter in self.env["prepaid.cloud.meter"].sudo().search([("resource", "in", ("vcpu", "ram", "disk"))]):
            if meter.resource not in maxima or meter.max_hourly_quantity < maxima[meter.resource].max_hourly_quantity:
                maxima[meter.resource] = meter
        for server in self:
            if server.vcpu < 0 or server.ram_gb < 0 or server.disk_gb < 0:
                raise ValidationError(_("The resources of a server cannot be negative."))
            for resource, value in (("vcpu", server.vcpu), ("ram", server.ram_gb), ("disk", server.disk_gb)):
                meter = maxima.get(resource)
                if meter and value > meter.max_hourly_quantity:
                    raise ValidationError(
                        _(
                            "%(server)s: %(value)s is above the maximum of %(max)s of the meter %(meter)s.",
                            server=server.display_name,
                            value=value,
                            max=meter.max_hourly_quantity,
                            meter=meter.display_name,
                        )
                    )

    @api.constrains("ref")
    def _check_ref(self):
        for server in self:
            # The platform pushes samples with this reference as text.
            if not server.ref.strip() or not server.ref.isprintable():
                raise ValidationError(
                    _("The platform reference %(ref)r is empty or holds a control character.", ref=server.ref)
                )

    @api.constrains("wallet_id")
    def _check_wallet_active(self):
        # Any wallet pays cloud usage: 'cloud' and 'all' scopes both include it.
        for server in self:
            if not server.wallet_id.active:
                raise ValidationError(_("The wallet %(wallet)s is archived.", wallet=server.wallet_id.display_name))

    @api.model_create_multi
    def create(self, vals_list):
        servers = super().create(vals_list)
        date = self._cloud_event_date()
        for server in servers:
            server.usage_derived_until = date.replace(minute=0, second=0, microsecond=0)
            server._cloud_record_event("created", date)
        return servers

    def write(self, vals):
        if "wallet_id" in vals:
            moving = self.filtered(lambda s: s.wallet_id.id != vals["wallet_id"])
            # sudo: a manager moving a server may not read the usage records.
            Usage = self.env["prepaid.cloud.usage"].sudo()
            if moving and Usage.search_count([("server_id", "in", moving.ids)], limit=1):
                # Usage records carry the wallet that pays them; moving a
                # server would bill its past hours to the wrong customer.
                raise UserError(
                    _("A server with usage cannot move to another wallet; terminate it and create a new one.")
                )
        changing = set(CONFIG_FIELDS) & set(vals)
        before = {}
        if changing:
            if any(s.state == "terminated" for s in self):
                raise UserError(_("A terminated server cannot change."))
            before = {s.id: s._cloud_snapshot() for s in self}
            # Checked before writing: a refused date must leave nothing changed.
            date = self._cloud_event_date()
        res = super().write(vals)
        if changing:
            for server in self:
                old, new = before[server.id], server._cloud_snapshot()
                if old != new:
                    server._cloud_record_event(server._cloud_event_type(old, new), date)
        return res

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_stop(self):
        self.filtered(lambda s: s.state == "active").state = "stopped"

    def action_start(self):
        self.filtered(lambda s: s.state == "stopped").state = "active"

    def action_terminate(self):
        self.filtered(lambda s: s.state != "terminated").write(
            {"state": "terminated", "state_before_suspension": False}
        )

    # ------------------------------------------------------------------
    # History
    # ------------------------------------------------------------------

    def _cloud_event_date(self):
        """When the change happened: now, or the platform's time given by a
        bridge in the context (never before hours already derived)."""
        date = self.env.context.get("prepaid_cloud_event_date")
        date = fields.Datetime.to_datetime(date) if date else fields.Datetime.now()
        for server in self:
            if server.usage_derived_until and date < server.usage_derived_until:
                raise UserError(
                    _(
                        "The server %(server)s is already billed until %(date)s; a change cannot be dated before.",
                        server=server.display_name,
                        date=server.usage_derived_until,
                    )
                )
        return date

    def _cloud_snapshot(self):
        self.ensure_one()
        return (self.state, self.vcpu, self.ram_gb, self.disk_gb, frozenset(self.addon_meter_ids.ids))

    @api.model
    def _cloud_event_type(self, old, new):
        if old[0] != new[0]:
            return {
                ("stopped", "active"): "started",
                ("suspended", "active"): "unsuspended",
                ("suspended", "stopped"): "unsuspended",
            }.get((old[0], new[0]), new[0])
        if old[1:4] != new[1:4]:
            return "resized"
        return "addons"

    def _cloud_record_event(self, event_type, date):
        self.ensure_one()
        # The history is written by the server itself, whoever changes it.
        return self.env["prepaid.cloud.server.event"].sudo().create({
            "server_id": self.id,
            "date": date,
            "event_type": event_type,
            "state": self.state,
            "vcpu": self.vcpu,
            "ram_gb": self.ram_gb,
            "disk_gb": self.disk_gb,
            "addon_meter_ids": [(6, 0, self.addon_meter_ids.ids)],
        })

    # ------------------------------------------------------------------
    # Usage derived from the history
    # ------------------------------------------------------------------

    def _cloud_derive_usage(self, cutoff, tz, statements):
        """Write the hourly usage records of these servers from their history,
        from ``usage_derived_until`` up to ``cutoff`` (UTC, excluded), each in
        the statement of its wallet and day (time zone ``tz``) among
        ``statements``: derived records are rated as they are written.
        Records already there (samples pushed by the platform) win:
        ``ON CONFLICT DO NOTHING``.

        :return: the number of records written
        """
        if not self:
            return 0
        self.flush_recordset()
        self.env["prepaid.cloud.server.event"].flush_model()
        self.env.cr.execute(SQL(
            """
            INSERT INTO prepaid_cloud_usage
                   (server_id, meter_id, wallet_id, hour, quantity, source, statement_id)
            SELECT d.server_id, d.meter_id, d.wallet_id, d.hour, d.quantity, 'config', st.id
              FROM (%(derived)s) d
              JOIN prepaid_cloud_statement st
                ON st.id = ANY(%(statements)s) AND st.wallet_id = d.wallet_id
               AND st.date = (d.hour AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date
            ON CONFLICT (server_id, meter_id, hour) DO NOTHING
            """,
            derived=self._cloud_derived_usage_query(self.ids, cutoff),
            tz=tz,
            statements=statements.ids,
        ))
        count = self.env.cr.rowcount
        self.env.cr.execute(SQL(
            """
            UPDATE prepaid_cloud_server
               SET usage_derived_until = GREATEST(usage_derived_until, %(cutoff)s)
             WHERE id = ANY(%(servers)s)
            """,
            cutoff=cutoff,
            servers=self.ids,
        ))
        self.invalidate_recordset(["usage_derived_until"])
        return count

    @api.model
    def _cloud_derived_usage_query(self, server_ids, until):
        """The hourly usage the configuration history gives, as a query: rows
        ``(server_id, wallet_id, meter_id, hour, quantity)`` of the servers
        ``server_ids`` from their ``usage_derived_until`` up to ``until``
        (UTC, excluded). The daily rating writes them as usage records; the
        hourly provisional rating prices them without writing them.

        An hour is billed in full at the highest configuration it had: a
        server resized at 14:30 pays hour 14 at its larger size, a server
        started at 16:10 pays hour 16 (and an hour started before ``until``
        counts in full). Meters without ``bill_when_stopped`` count only the
        hours the server was active.

        :param server_ids: list of ids
        :return: ``SQL``
        """
        return SQL(
            """
            WITH ev AS (
                SELECT e.id, e.server_id, e.state, e.vcpu, e.ram_gb, e.disk_gb,
                       GREATEST(e.date, s.usage_derived_until) AS span_start,
                       LEAST(COALESCE(LEAD(e.date) OVER w, 'infinity'::timestamp), %(until)s) AS span_end,
                       s.wallet_id
                  FROM prepaid_cloud_server_event e
                  JOIN prepaid_cloud_server s ON s.id = e.server_id
                 WHERE e.server_id = ANY(%(servers)s)
                WINDOW w AS (PARTITION BY e.server_id ORDER BY e.date, e.id)
            ), spans AS (
                SELECT * FROM ev
                 WHERE span_start < span_end AND state != 'terminated'
            ), hours AS (
                SELECT spans.*, h.hour
                  FROM spans,
                       generate_series(date_trunc('hour', span_start),
                                       span_end - interval '1 microsecond',
                                       interval '1 hour') AS h(hour)
            )
            SELECT h.server_id, h.wallet_id, m.id AS meter_id, h.hour,
                   MAX(CASE m.resource WHEN 'vcpu' THEN h.vcpu
                                       WHEN 'ram' THEN h.ram_gb
                                       WHEN 'disk' THEN h.disk_gb
                                       ELSE 1 END) AS quantity
              FROM hours h
              JOIN prepaid_cloud_meter m
                ON m.active AND m.resource != 'metered'
               AND (h.state = 'active' OR m.bill_when_stopped)
               AND (m.resource != 'addon' OR EXISTS (
                        SELECT 1 FROM prepaid_cloud_server_event_meter_rel r
                         WHERE r.event_id = h.id AND r.meter_id = m.id))
          GROUP BY h.server_id, h.wallet_id, m.id, h.hour
            HAVING MAX(CASE m.resource WHEN 'vcpu' THEN h.vcpu
                                       WHEN 'ram' THEN h.ram_gb
                                       WHEN 'disk' THEN h.disk_gb
                                       ELSE 1 END) > 0
            """,
            until=until,
            servers=server_ids,
        )
