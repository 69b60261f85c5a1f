# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import Command, api, fields, models

from odoo.addons.prepaid_cloud_credit.platform import SERVICE_SPEC, service_name

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
    _name = "prepaid.cloud.server"
    _inherit = ["prepaid.cloud.server", "prepaid.platform.mixin"]
    _platform_kind = "servers"
    _platform_spec = SERVICE_SPEC
    _platform_link_field = "ref"
    _platform_command_model = "prepaid.cloud.command"

    platform_code = fields.Char(readonly=True, copy=False, help="The hosting platform the server comes from.")
    platform_id = fields.Integer("Platform service id", readonly=True, copy=False)

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
        return self._platform_upsert(platform_code, services)

    @api.model
    def platform_read_servers(self, platform_code, platform_ids):
        """The stored side of a platform's cloud servers, for a reconciliation.

        :return: for each id known: the service as last sent, with ``id``
            (the platform id), ``server_id``, ``state`` (the server's) and
            ``wallet_id``; unknown ids are left out
        """
        return self._platform_read(platform_code, platform_ids)

    @api.model
    def _platform_link_value(self, platform_code, record):
        return f"{platform_code}:{record['id']}"

    @api.model
    def _prepare_platform_vals(self, platform_code, record, target, client, batch):
        """The values of the server of a platform service (an extension hook)."""
        return {
            "name": service_name(platform_code, record),
            "ref": f"{platform_code}:{record['id']}",
            "wallet_id": client.wallet_id.id,
            "state": SERVER_STATE_OF[record["status"]],
            "platform_code": platform_code,
            "platform_id": record["id"],
            "platform_payload": record,
        }

    def _platform_write(self, record, vals, batch):
        """Override: the state Odoo decided stays while its command is on its
        way; a state the platform changed is its own decision."""
        if self in batch["busy"]:
            vals.pop("state", None)
        if self.state == vals.get("state"):
            vals.pop("state")
        if "state" in vals:
            # The platform's own decision: not one Odoo would undo.
            vals["state_before_suspension"] = False
        if self.wallet_id.id == vals["wallet_id"]:
            vals.pop("wallet_id")
        return super()._platform_write(record, vals, batch)

    @api.model
    def _platform_create(self, items, batch):
        """Override: the history of the new servers, in one create rather than one each."""
        events = []
        created = super(PrepaidCloudServer, self.with_context(prepaid_platform_events=events))._platform_create(
            items, batch)
        self.env["prepaid.cloud.server.event"].sudo().create(events)
        return created

    def _platform_read_vals(self):
        return {"server_id": self.id, "state": self.state, "wallet_id": self.wallet_id.id}

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
