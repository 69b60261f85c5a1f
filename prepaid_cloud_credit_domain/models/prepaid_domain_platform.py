# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import api, fields, models

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
    _name = "prepaid.domain"
    _inherit = ["prepaid.domain", "prepaid.platform.mixin"]
    _platform_kind = "domains"
    _platform_spec = DOMAIN_SPEC
    _platform_link_field = "name"

    platform_code = fields.Char(readonly=True, copy=False, help="The hosting platform the domain comes from.")
    platform_id = fields.Integer("Platform domain id", readonly=True, copy=False)

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
        return self._platform_upsert(platform_code, domains)

    @api.model
    def platform_read_domains(self, platform_code, platform_ids):
        """The stored side of a platform's domains, for a reconciliation.

        :return: for each id known: the domain as last sent, with ``id``
            (the platform id), ``domain_id``, ``state`` and ``wallet_id``;
            unknown ids are left out
        """
        return self._platform_read(platform_code, platform_ids)

    @api.model
    def _platform_context(self):
        """Override: the platform sets what only operations change otherwise."""
        return {**super()._platform_context(), "prepaid_domain_operation": True}

    @api.model
    def _platform_link_value(self, platform_code, record):
        return record["name"].strip().lower()

    @api.model
    def _platform_batch(self, platform_code, records, existing):
        batch = super()._platform_batch(platform_code, records, existing)
        batch["tlds"] = {
            tld.name: tld.id for tld in self.env["prepaid.domain.tld"].sudo().with_context(active_test=False).search([])
        }
        batch["creating"] = set()
        return batch

    @api.model
    def _platform_refusal(self, platform_code, record, target, client, batch):
        """Override: a name held by another platform domain, a name that is
        not a domain or whose extension is unknown, a new name sent twice."""
        problem = super()._platform_refusal(platform_code, record, target, client, batch)
        name = record["name"].strip().lower()
        if problem:
            return problem
        if target and target.platform_id and target.platform_id != record["id"]:
            return self.env._("The domain %(name)s is already the domain %(other)s of the platform.",
                              name=name, other=target.platform_id)
        if not all(_LABEL.match(label) for label in name.split(".")):
            return self.env._("%(name)s is not a domain name (lowercase, punycode for accents).", name=name)
        if not any(name.endswith(tld) and name != tld[1:] for tld in batch["tlds"]):
            return self.env._("%(name)s does not end with a known extension.", name=name)
        if not target:
            if name in batch["creating"]:
                return self.env._("The domain %(name)s is sent twice.", name=name)
            # The first record of a new name is created: a second one is refused.
            batch["creating"].add(name)
        return False

    @api.model
    def _prepare_platform_vals(self, platform_code, record, target, client, batch):
        """The values of the domain of a platform record (an extension hook)."""
        name = record["name"].strip().lower()
        vals = {
            "name": name,
            "wallet_id": client.wallet_id.id,
            "state": DOMAIN_STATE_OF[record["status"]],
            "expiry_date": record["expiry_date"] or False,
            "platform_code": platform_code,
            "platform_id": record["id"],
            "platform_payload": record,
        }
        if not target:
            # The longest known extension, as _compute_tld_id finds it, without a search per domain.
            labels = name.split(".")
            vals["tld_id"] = next(batch["tlds"][tld] for tld in ("." + ".".join(labels[i:])
                                                                 for i in range(1, len(labels)))
                                  if tld in batch["tlds"])
        return vals

    def _platform_read_vals(self):
        return {"domain_id": self.id, "state": self.state, "wallet_id": self.wallet_id.id}
