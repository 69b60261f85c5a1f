# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
# The integration methods of the hosting bridge for renewable services stay
# apart from the renewal engine, as the cloud servers' do in their addon.
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.prepaid_cloud_credit.platform import (
    BULK_CONTEXT,
    check_platform_code,
    lock_platform,
    result,
    validate_batch,
    validate_ids,
)

SERVICE_STATUSES = ("pending", "active", "suspended", "terminated", "cancelled", "fraud")
# The same records as prepaid.cloud.server.platform_upsert_servers takes.
SERVICE_SPEC = {
    "id": "id",
    "client_id": "id",
    "product_id": "id",
    "product_name": "text",
    "group_name": "text",
    "status": SERVICE_STATUSES,
    "domain": "text",
    "billing_cycle": "text",
    "recurring_amount": "amount",
    "registration_date": "date",
    "next_due_date": "date",
    "suspension_reason": "text",
}
# The platform's own word on a service; a running one (active, pending)
# takes the state its dates give, at most "grace": suspending it is Odoo's
# decision, taken by the daily cron, which tells the platform.
PLATFORM_STATE_OF = {"suspended": "suspended", "terminated": "terminated", "cancelled": "terminated",
                     "fraud": "terminated"}


class PrepaidRenewalService(models.Model):
    _inherit = "prepaid.renewal.service"

    platform_payload = fields.Json(readonly=True, copy=False)

    def _refresh_state(self, day=None):
        """Override: a platform sync writes the platform's state itself and
        queues no command back to the platform."""
        if self.env.context.get("prepaid_platform_sync"):
            return self.browse()
        return super()._refresh_state(day)

    # ------------------------------------------------------------------
    # Public API for the hosting bridge (integration group)
    # ------------------------------------------------------------------

    @api.model
    def platform_upsert_services(self, platform_code, services):
        """Create or update the renewable services of a platform's services
        that are not cloud servers (hosting plans, licences).

        A service is matched by its platform id. Its customer is the
        client's (see ``res.partner.platform_upsert_clients``), its product
        the renewable product whose platform product is
        ``<platform_code>:<product_id>`` (created when missing), its expiry
        the platform's next due date. A suspension or termination on the
        platform is written as is and queues no command back; a running
        service takes the state its dates give, at most the grace period.
        While a command of Odoo is on its way to the platform, the service
        keeps the state Odoo decided.

        :param platform_code: the platform installation (``whmcs``)
        :param services: at most 1,000 service dicts (see CONTRACT.md)
        :return: one dict per service, in order: ``platform_id``, ``status``,
            ``id`` (the renewable service), ``error``
        :raise ValidationError: a malformed batch; nothing is written
        """
        self.env["prepaid.wallet"]._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        check_platform_code(self.env, platform_code)
        records = validate_batch(self.env, services, SERVICE_SPEC)
        company = self.env.company
        lock_platform(self.env, "services", company, platform_code)
        # The group check above is the access control; the platform is the
        # source of its services, in the caller's company.
        Service = self.sudo().with_context(prepaid_platform_sync=True, **BULK_CONTEXT)
        found = Service.search([
            ("company_id", "=", company.id), ("platform_code", "=", platform_code),
            ("platform_ref", "in", [str(r["id"]) for r in records]),
        ])
        existing = {int(s.platform_ref): s for s in found}
        clients = {
            link.platform_id: link for link in self.env["prepaid.platform.client"].sudo().search([
                ("company_id", "=", company.id), ("platform_code", "=", platform_code),
                ("platform_id", "in", list({r["client_id"] for r in records})),
            ])
        }
        busy = set(self.env["prepaid.renewal.command"].sudo().search([
            ("service_id", "in", found.ids), ("state", "in", ("pending", "sent")),
        ]).service_id.ids)
        products = self._platform_products(platform_code, records)
        today = fields.Date.context_today(self)
        results = []
        for record in records:
            service, client = existing.get(record["id"]), clients.get(record["client_id"])
            error = self._platform_refusal(platform_code, record, service, client)
            if error:
                results.append(result(record["id"], "refused", service.id if service else False, error))
                continue
            if service and service.platform_payload == record:
                results.append(result(record["id"], "unchanged", service.id))
                continue
            vals = self._platform_service_vals(platform_code, record, client, products[record["product_id"]])
            status = "updated" if service else "created"
            try:
                with self.env.cr.savepoint():
                    if service:
                        service.write(vals)
                    else:
                        service = Service.create(vals)
                    if service.id not in busy:
                        state = PLATFORM_STATE_OF.get(record["status"])
                        if not state:
                            state = service._renewal_state_on(today)
                            state = "grace" if state in ("suspended", "terminated") else state
                        if state != service.state:
                            service.state = state
                    service.flush_recordset()
            except (UserError, ValidationError) as error:
                results.append(result(record["id"], "refused", service.id if status == "updated" else False,
                                      error.args[0] if error.args else str(error)))
                continue
            results.append(result(record["id"], status, service.id))
        return results

    @api.model
    def _platform_refusal(self, platform_code, record, service, client):
        """Why a well-formed platform service is refused, or False."""
        if not client:
            return self.env._("Unknown client %(id)s of %(platform)s: send the client first.",
                              id=record["client_id"], platform=platform_code)
        if not record["next_due_date"]:
            return self.env._("The service %(id)s has no next due date: it is not renewed.", id=record["id"])
        if service and service.state == "terminated" and PLATFORM_STATE_OF.get(record["status"]) != "terminated":
            return self.env._("The service %(id)s is terminated in Odoo: it cannot run again.", id=record["id"])
        return False

    @api.model
    def _platform_products(self, platform_code, records):
        """The renewable product of each platform product of ``records``,
        created when the company has none yet (an operator may instead set
        the platform product on an existing renewable product).

        :return: platform product id -> ``product.product``
        """
        company = self.env.company
        # The products of the platform's catalogue are the company's, whoever syncs them.
        Product = self.env["product.product"].sudo().with_context(**BULK_CONTEXT)
        wanted = {r["product_id"]: r for r in records}
        refs = {f"{platform_code}:{pid}": pid for pid in wanted}
        products = {}
        for product in Product.search([
            ("prepaid_platform_product", "in", list(refs)), ("prepaid_renewable", "=", True),
            ("company_id", "in", (company.id, False)),
        ], order="company_id, id"):
            products.setdefault(refs[product.prepaid_platform_product], product)
        missing = [pid for pid in wanted if pid not in products]
        created = Product.create([self._prepare_platform_product_vals(platform_code, wanted[pid]) for pid in missing])
        products.update(zip(missing, created, strict=True))
        return products

    @api.model
    def _prepare_platform_product_vals(self, platform_code, record):
        """The values of the renewable product of a platform product (an extension hook)."""
        amount = float(record["recurring_amount"])
        monthly = record["billing_cycle"].strip().lower() == "monthly"
        return {
            "name": record["product_name"].strip() or f"{platform_code}:{record['product_id']}",
            "type": "service",
            "company_id": self.env.company.id,
            "prepaid_renewable": True,
            "prepaid_platform_product": f"{platform_code}:{record['product_id']}",
            "prepaid_renewal_period": "both",
            "prepaid_renewal_price_month": amount if monthly else 0.0,
            "prepaid_renewal_price_year": amount * 12 if monthly else amount,
            "list_price": amount,
        }

    @api.model
    def _platform_service_vals(self, platform_code, record, client, product):
        """The values of the renewable service of a platform service (an extension hook)."""
        expiry = fields.Date.to_date(record["next_due_date"])
        start = fields.Date.to_date(record["registration_date"]) or expiry
        return {
            "name": record["domain"].strip() or record["product_name"].strip() or f"{platform_code}:{record['id']}",
            "partner_id": client.partner_id.commercial_partner_id.id,
            "company_id": self.env.company.id,
            "currency_id": client.wallet_id.currency_id.id,
            "product_id": product.id,
            "period": "month" if record["billing_cycle"].strip().lower() == "monthly" else "year",
            "start_date": min(start, expiry),
            "expiry_date": expiry,
            "platform_code": platform_code,
            "platform_ref": str(record["id"]),
            "platform_payload": record,
        }

    @api.model
    def platform_read_services(self, platform_code, platform_ids):
        """The stored side of a platform's renewable services, for a reconciliation.

        :return: for each id known: the service as last sent, with ``id``
            (the platform id), ``service_id``, ``state`` (the service's) and
            ``expiry_date``; unknown ids are left out
        """
        self.env["prepaid.wallet"]._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        check_platform_code(self.env, platform_code)
        ids = validate_ids(self.env, platform_ids)
        # Group checked above; the services of the caller's company only.
        services = self.sudo().search([
            ("company_id", "=", self.env.company.id), ("platform_code", "=", platform_code),
            ("platform_ref", "in", [str(i) for i in ids]),
        ])
        return [
            {**(s.platform_payload or {}), "id": int(s.platform_ref), "service_id": s.id, "state": s.state,
             "expiry_date": fields.Date.to_string(s.expiry_date)}
            for s in services
        ]
