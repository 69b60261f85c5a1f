# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
# The integration methods of the hosting bridge for renewable services stay
# apart from the renewal engine, as the cloud servers' do in their addon.
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.prepaid_cloud_credit.platform import BULK_CONTEXT, SERVICE_SPEC, service_name

# The platform's own word on a service; a running one (active, pending)
# takes the state its dates give, at most "grace": suspending it is Odoo's
# decision, taken by the daily cron, which tells the platform.
PLATFORM_STATE_OF = {"suspended": "suspended", "terminated": "terminated", "cancelled": "terminated",
                     "fraud": "terminated"}


class PrepaidRenewalService(models.Model):
    _name = "prepaid.renewal.service"
    _inherit = ["prepaid.renewal.service", "prepaid.platform.mixin"]
    _platform_kind = "services"
    _platform_spec = SERVICE_SPEC
    _platform_id_field = "platform_ref"
    _platform_command_model = "prepaid.renewal.command"

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
    def platform_read_services(self, platform_code, platform_ids):
        """The renewable services of a platform as Odoo holds them, for a reconciliation: for each id known,
        the service as last sent, with ``id`` (the platform id), ``service_id``, ``state`` (the service's)
        and ``expiry_date``; unknown ids are left out."""
        return self._platform_read(platform_code, platform_ids)

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
        return self._platform_upsert(platform_code, services)

    @api.model
    def _platform_stored_id(self, platform_id):
        """Override: the platform id is kept as text, in ``platform_ref``."""
        return str(platform_id)

    @api.model
    def _platform_context(self):
        """Override: the sync writes the platform's state itself (see ``_refresh_state``)."""
        return {**super()._platform_context(), "prepaid_platform_sync": True}

    @api.model
    def _platform_batch(self, platform_code, records, existing):
        batch = super()._platform_batch(platform_code, records, existing)
        batch["products"] = self._platform_products(platform_code, records)
        batch["today"] = fields.Date.context_today(self)
        return batch

    @api.model
    def _platform_refusal(self, platform_code, record, target, client, batch):
        """Override: no due date, or a service terminated in Odoo sent as running."""
        problem = super()._platform_refusal(platform_code, record, target, client, batch)
        if problem:
            return problem
        if not record["next_due_date"]:
            return self.env._("The service %(id)s has no next due date: it is not renewed.", id=record["id"])
        if target and target.state == "terminated" and PLATFORM_STATE_OF.get(record["status"]) != "terminated":
            return self.env._("The service %(id)s is terminated in Odoo: it cannot run again.", id=record["id"])
        return False

    @api.model
    def _prepare_platform_vals(self, platform_code, record, target, client, batch):
        """The values of the renewable service of a platform service (an extension hook)."""
        expiry = fields.Date.to_date(record["next_due_date"])
        start = fields.Date.to_date(record["registration_date"]) or expiry
        return {
            "name": service_name(platform_code, record),
            "partner_id": client.partner_id.commercial_partner_id.id,
            "company_id": self.env.company.id,
            "currency_id": client.wallet_id.currency_id.id,
            "product_id": batch["products"][record["product_id"]].id,
            "period": "month" if record["billing_cycle"].strip().lower() == "monthly" else "year",
            "start_date": min(start, expiry),
            "expiry_date": expiry,
            "platform_code": platform_code,
            "platform_ref": str(record["id"]),
            "platform_payload": record,
        }

    def _platform_write(self, record, vals, batch):
        """Override: then the platform's state (see :meth:`_platform_apply_state`)."""
        res = super()._platform_write(record, vals, batch)
        self._platform_apply_state(record, batch)
        return res

    @api.model
    def _platform_create(self, items, batch):
        """Override: one service at a time, each with its state; a service
        the values are refused for is refused alone."""
        created = []
        for record, vals in items:
            try:
                with self.env.cr.savepoint():
                    service = self.create(vals)
                    service._platform_apply_state(record, batch)
            except (UserError, ValidationError) as error:
                created.append(str(error))
                continue
            created.append(service)
        return created

    def _platform_apply_state(self, record, batch):
        """The state the platform gives the service: its suspension or
        termination as sent, else the state its dates give, at most grace;
        none while a command of Odoo is on its way."""
        self.ensure_one()
        if self not in batch["busy"]:
            state = PLATFORM_STATE_OF.get(record["status"])
            if not state:
                state = self._renewal_state_on(batch["today"])
                state = "grace" if state in ("suspended", "terminated") else state
            if state != self.state:
                self.state = state
        self.flush_recordset()

    def _platform_read_vals(self):
        return {"service_id": self.id, "state": self.state, "expiry_date": fields.Date.to_string(self.expiry_date)}

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
