# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.prepaid_cloud_credit.platform import (
    BULK_CONTEXT,
    check_platform_code,
    create_with_defaults,
    lock_platform,
    result,
    validate_batch,
    validate_ids,
)

SERVICE_STATES = ("pending", "active", "suspended", "terminated", "cancelled", "fraud")
SERVICE_SPEC = {
    "id": "id",
    "client_id": "id",
    "product_id": "id",
    "product_name": "text",
    "group_name": "text",
    "status": SERVICE_STATES,
    "domain": "text",
    "billing_cycle": "text",
    "recurring_amount": "amount",
    "registration_date": "date",
    "next_due_date": "date",
    "suspension_reason": "text",
}
# A platform service's status -> the server's state. A service not yet
# provisioned runs nothing (stopped); a cancelled or fraudulent one is gone.
SERVER_STATE_OF = {
    "pending": "stopped",
    "active": "active",
    "suspended": "suspended",
    "terminated": "terminated",
    "cancelled": "terminated",
    "fraud": "terminated",
}


class PrepaidCloudServer(models.Model):
    _inherit = "prepaid.cloud.server"

    platform_code = fields.Char(readonly=True, copy=False, help="The hosting platform the server comes from.")
    platform_id = fields.Integer("Platform service id", readonly=True, copy=False)
    platform_payload = fields.Json(readonly=True, copy=False)

    _sql_constraints = [
        ("platform_id_uniq", "UNIQUE(company_id, platform_code, platform_id)",
         "A platform service is one server per company."),
    ]

    # ------------------------------------------------------------------
    # Public API for the hosting bridge (integration group)
    # ------------------------------------------------------------------

    @api.model
    def platform_upsert_servers(self, platform_code, services):
        """Create or update the cloud servers of a platform's services.

        A server is matched by its platform id, then (first link) by its
        reference ``<platform_code>:<id>``. Its wallet is the client's wallet
        (see ``res.partner.platform_upsert_clients``). A state change is the
        platform's own: it is recorded in the server's history and never
        queues a command back. While a command of Odoo is on its way to the
        platform, the server keeps the state Odoo decided.

        :param platform_code: the platform installation (``whmcs``)
        :param services: at most 1,000 service dicts (see CONTRACT.md)
        :return: one dict per service, in order: ``platform_id``, ``status``,
            ``id`` (the server), ``error``
        :raise ValidationError: a malformed batch; nothing is written
        """
        self.env["prepaid.wallet"]._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        check_platform_code(self.env, platform_code)
        records = validate_batch(self.env, services, SERVICE_SPEC)
        company = self.env.company
        lock_platform(self.env, "servers", company, platform_code)
        # The group check above is the access control; the platform is the
        # source of its services, in the caller's company.
        Server = self.sudo().with_context(**BULK_CONTEXT)
        ids = [r["id"] for r in records]
        refs = {f"{platform_code}:{i}": i for i in ids}
        servers = {}
        for server in Server.search([("company_id", "=", company.id), "|",
                                     "&", ("platform_code", "=", platform_code), ("platform_id", "in", ids),
                                     ("ref", "in", list(refs))]):
            if server.platform_code == platform_code and server.platform_id:
                servers[server.platform_id] = server
            else:
                servers.setdefault(refs[server.ref], server)
        clients = {
            link.platform_id: link for link in self.env["prepaid.platform.client"].sudo().search([
                ("company_id", "=", company.id), ("platform_code", "=", platform_code),
                ("platform_id", "in", list({r["client_id"] for r in records})),
            ])
        }
        busy = set(self.env["prepaid.cloud.command"].sudo().search([
            ("server_id", "in", [s.id for s in servers.values()]), ("state", "in", ("pending", "sent")),
        ]).server_id.ids)
        results, to_create = [None] * len(records), []
        for index, record in enumerate(records):
            server, client = servers.get(record["id"]), clients.get(record["client_id"])
            if not client:
                results[index] = result(record["id"], "refused", server.id if server else False, self.env._(
                    "Unknown client %(id)s of %(platform)s: send the client first.",
                    id=record["client_id"], platform=platform_code))
                continue
            if server and server.platform_payload == record and server.platform_id == record["id"]:
                results[index] = result(record["id"], "unchanged", server.id)
                continue
            vals = self._platform_server_vals(platform_code, record, client)
            if not server:
                to_create.append((index, vals))
                continue
            if server.id in busy:
                vals.pop("state", None)
            if server.state == vals.get("state"):
                vals.pop("state")
            if "state" in vals:
                # The platform's own decision: not one Odoo would undo.
                vals["state_before_suspension"] = False
            if server.wallet_id == client.wallet_id:
                vals.pop("wallet_id")
            try:
                with self.env.cr.savepoint():
                    server.write(vals)
            except (UserError, ValidationError) as error:
                results[index] = result(record["id"], "refused", server.id, str(error))
                continue
            results[index] = result(record["id"], "updated", server.id)
        events = []
        created = create_with_defaults(Server.with_context(prepaid_platform_events=events),
                                       [vals for _index, vals in to_create])
        # The history of the new servers, in one create rather than one each.
        self.env["prepaid.cloud.server.event"].sudo().create(events)
        for (index, _vals), server in zip(to_create, created, strict=True):
            results[index] = result(server.platform_id, "created", server.id)
        return results

    def _cloud_record_event(self, event_type, date):
        """Override: during a platform sync, collect the events of the new
        servers in the list the context holds; they are created together."""
        events = self.env.context.get("prepaid_platform_events")
        if events is None or event_type != "created":
            return super()._cloud_record_event(event_type, date)
        self.ensure_one()
        events.append({
            "server_id": self.id, "date": date, "event_type": event_type, "state": self.state,
            "vcpu": self.vcpu, "ram_gb": self.ram_gb, "disk_gb": self.disk_gb,
            "addon_meter_ids": [Command.set(self.addon_meter_ids.ids)],
        })
        return self.env["prepaid.cloud.server.event"]

    @api.model
    def _platform_server_vals(self, platform_code, record, client):
        """The values of the server of a platform service (an extension hook)."""
        return {
            "name": record["domain"].strip() or record["product_name"].strip() or f"{platform_code}:{record['id']}",
            "ref": f"{platform_code}:{record['id']}",
            "wallet_id": client.wallet_id.id,
            "state": SERVER_STATE_OF[record["status"]],
            "platform_code": platform_code,
            "platform_id": record["id"],
            "platform_payload": record,
        }

    @api.model
    def platform_read_servers(self, platform_code, platform_ids):
        """The stored side of a platform's cloud servers, for a reconciliation.

        :return: for each id known: the service as last sent, with ``id``
            (the platform id), ``server_id``, ``state`` (the server's) and
            ``wallet_id``; unknown ids are left out
        """
        self.env["prepaid.wallet"]._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        check_platform_code(self.env, platform_code)
        ids = validate_ids(self.env, platform_ids)
        # Group checked above; the servers of the caller's company only.
        servers = self.sudo().search([
            ("company_id", "=", self.env.company.id), ("platform_code", "=", platform_code),
            ("platform_id", "in", ids),
        ])
        return [
            {**(s.platform_payload or {}), "id": s.platform_id, "server_id": s.id, "state": s.state,
             "wallet_id": s.wallet_id.id}
            for s in servers
        ]
