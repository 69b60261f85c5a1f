# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import api, fields, models
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

from .prepaid_domain_tld import _LABEL

DOMAIN_STATES = ("pending", "active", "expired", "transferred_away", "cancelled", "fraud")
DOMAIN_SPEC = {
    "id": "id",
    "client_id": "id",
    "name": "text",
    "status": DOMAIN_STATES,
    "registrar": "text",
    "registration_period": "int",
    "registration_date": "date",
    "expiry_date": "date",
    "next_due_date": "date",
    "recurring_amount": "amount",
    "auto_renew": "bool",
}
# A platform domain's status -> the domain's state; an expired domain stays
# registered (its expiry date says it is expired).
DOMAIN_STATE_OF = {
    "pending": "draft",
    "active": "active",
    "expired": "active",
    "transferred_away": "cancelled",
    "cancelled": "cancelled",
    "fraud": "cancelled",
}


class PrepaidDomain(models.Model):
    _inherit = "prepaid.domain"

    platform_code = fields.Char(readonly=True, copy=False, help="The hosting platform the domain comes from.")
    platform_id = fields.Integer("Platform domain id", readonly=True, copy=False)
    platform_payload = fields.Json(readonly=True, copy=False)

    _sql_constraints = [
        ("platform_id_uniq", "UNIQUE(company_id, platform_code, platform_id)",
         "A platform domain is one domain per company."),
    ]

    # ------------------------------------------------------------------
    # Public API for the hosting bridge (integration group)
    # ------------------------------------------------------------------

    @api.model
    def platform_upsert_domains(self, platform_code, domains):
        """Create or update the domains a platform's clients hold.

        A domain is matched by its platform id, then (first link) by its
        name, unique per company. The platform is the registrar's word: its
        state and expiry date are taken as they are, without an operation.

        :param platform_code: the platform installation (``whmcs``)
        :param domains: at most 1,000 domain dicts (see CONTRACT.md)
        :return: one dict per domain, in order: ``platform_id``, ``status``,
            ``id`` (the domain), ``error``
        :raise ValidationError: a malformed batch; nothing is written
        """
        self.env["prepaid.wallet"]._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        check_platform_code(self.env, platform_code)
        records = validate_batch(self.env, domains, DOMAIN_SPEC)
        company = self.env.company
        lock_platform(self.env, "domains", company, platform_code)
        # The group check above is the access control; the platform is the
        # source of its domains, in the caller's company. The context lets
        # the platform set what only operations change otherwise.
        Domain = self.sudo().with_context(**BULK_CONTEXT,
                                          prepaid_domain_operation=True)
        names = {r["name"].strip().lower(): r["id"] for r in records}
        found = {}
        for domain in Domain.search([("company_id", "=", company.id), "|",
                                     "&", ("platform_code", "=", platform_code),
                                     ("platform_id", "in", [r["id"] for r in records]),
                                     ("name", "in", list(names))]):
            if domain.platform_code == platform_code and domain.platform_id:
                found[domain.platform_id] = domain
            else:
                found.setdefault(("name", domain.name), domain)
        clients = {
            link.platform_id: link for link in self.env["prepaid.platform.client"].sudo().search([
                ("company_id", "=", company.id), ("platform_code", "=", platform_code),
                ("platform_id", "in", list({r["client_id"] for r in records})),
            ])
        }
        tlds = {
            tld.name: tld.id for tld in self.env["prepaid.domain.tld"].sudo().with_context(active_test=False).search([])
        }
        results, to_create, creating = [None] * len(records), [], set()
        for index, record in enumerate(records):
            name = record["name"].strip().lower()
            domain = found.get(record["id"]) or found.get(("name", name))
            client = clients.get(record["client_id"])
            problem = None
            if not client:
                problem = self.env._("Unknown client %(id)s of %(platform)s: send the client first.",
                                     id=record["client_id"], platform=platform_code)
            elif domain and domain.platform_id and domain.platform_id != record["id"]:
                problem = self.env._("The domain %(name)s is already the domain %(other)s of the platform.",
                                     name=name, other=domain.platform_id)
            elif not all(_LABEL.match(label) for label in name.split(".")):
                problem = self.env._("%(name)s is not a domain name (lowercase, punycode for accents).", name=name)
            elif not any(name.endswith(tld) and name != tld[1:] for tld in tlds):
                problem = self.env._("%(name)s does not end with a known extension.", name=name)
            elif not domain and name in creating:
                problem = self.env._("The domain %(name)s is sent twice.", name=name)
            if problem:
                results[index] = result(record["id"], "refused", domain.id if domain else False, problem)
                continue
            if domain and domain.platform_payload == record and domain.platform_id == record["id"]:
                results[index] = result(record["id"], "unchanged", domain.id)
                continue
            vals = self._platform_domain_vals(platform_code, record, client)
            if not domain:
                # The longest known extension, as _compute_tld_id finds it, without a search per domain.
                labels = name.split(".")
                vals["tld_id"] = next(tlds[tld] for tld in ("." + ".".join(labels[i:]) for i in range(1, len(labels)))
                                      if tld in tlds)
                creating.add(name)
                to_create.append((index, vals))
                continue
            try:
                with self.env.cr.savepoint():
                    domain.write(vals)
            except (UserError, ValidationError) as error:
                results[index] = result(record["id"], "refused", domain.id, str(error))
                continue
            results[index] = result(record["id"], "updated", domain.id)
        created = create_with_defaults(Domain, [vals for _index, vals in to_create])
        for (index, _vals), domain in zip(to_create, created, strict=True):
            results[index] = result(domain.platform_id, "created", domain.id)
        return results

    @api.model
    def _platform_domain_vals(self, platform_code, record, client):
        """The values of the domain of a platform record (an extension hook)."""
        return {
            "name": record["name"].strip().lower(),
            "wallet_id": client.wallet_id.id,
            "state": DOMAIN_STATE_OF[record["status"]],
            "expiry_date": record["expiry_date"] or False,
            "platform_code": platform_code,
            "platform_id": record["id"],
            "platform_payload": record,
        }

    @api.model
    def platform_read_domains(self, platform_code, platform_ids):
        """The stored side of a platform's domains, for a reconciliation.

        :return: for each id known: the domain as last sent, with ``id``
            (the platform id), ``domain_id``, ``state`` and ``wallet_id``;
            unknown ids are left out
        """
        self.env["prepaid.wallet"]._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        check_platform_code(self.env, platform_code)
        ids = validate_ids(self.env, platform_ids)
        # Group checked above; the domains of the caller's company only.
        domains = self.sudo().search([
            ("company_id", "=", self.env.company.id), ("platform_code", "=", platform_code),
            ("platform_id", "in", ids),
        ])
        return [
            {**(d.platform_payload or {}), "id": d.platform_id, "domain_id": d.id, "state": d.state,
             "wallet_id": d.wallet_id.id}
            for d in domains
        ]
