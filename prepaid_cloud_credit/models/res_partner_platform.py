# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import api, fields, models
from odoo.tools import SQL

from ..platform import (
    BULK_CONTEXT,
    check_platform_code,
    create_with_defaults,
    lock_platform,
    result,
    validate_batch,
    validate_ids,
)

CLIENT_SPEC = {
    "id": "id",
    "email": "text",
    "firstname": "text",
    "lastname": "text",
    "companyname": "text",
    "status": "text",
    "currency": "text?",
    "country": "text?",
    "created": "date",
}
# The partner fields a client's record decides, and how.
_PARTNER_KEYS = ("email", "firstname", "lastname", "companyname", "country")


# The hosting platform's integration methods, kept apart from the rest of the model.
class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    prepaid_platform_client_ids = fields.One2many(
        "prepaid.platform.client", "partner_id", string="Hosting platform accounts", readonly=True
    )

    # ------------------------------------------------------------------
    # Public API for the hosting bridge (integration group)
    # ------------------------------------------------------------------

    @api.model
    def platform_upsert_clients(self, platform_code, clients):
        """Create or update the partners and wallets of a platform's clients.

        A client is matched by its platform id; for a first link, by a
        partner of the company with the same e-mail (any case) that no
        other client of this platform holds; else a partner is created.
        Its wallet is its wallet in the client's currency (the company's
        when ``false``), created when missing.

        :param platform_code: the platform installation (``whmcs``)
        :param clients: at most 1,000 dicts with ``id``, ``email``,
            ``firstname``, ``lastname``, ``companyname``, ``status``,
            ``currency``, ``country`` and ``created`` (see CONTRACT.md)
        :return: one dict per client, in order: ``platform_id``, ``status``
            (``created``, ``updated``, ``unchanged`` or ``refused``), ``id``
            (the partner), ``wallet_id``, ``error``
        :raise ValidationError: a malformed batch, listing every problem;
            nothing is written
        """
        self.env["prepaid.wallet"]._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        check_platform_code(self.env, platform_code)
        records = validate_batch(self.env, clients, CLIENT_SPEC)
        company = self.env.company
        lock_platform(self.env, "clients", company, platform_code)
        # The group check above is the access control: the bridge writes its
        # platform's customers of the caller's company, whoever created them.
        env = self.sudo().with_context(**BULK_CONTEXT).env
        Link = env["prepaid.platform.client"]
        links = {
            link.platform_id: link
            for link in Link.search([
                ("company_id", "=", company.id),
                ("platform_code", "=", platform_code),
                ("platform_id", "in", [r["id"] for r in records]),
            ])
        }
        currencies = {
            c.name: c for c in env["res.currency"].with_context(active_test=False).search(
                [("name", "in", [r["currency"].strip().upper() for r in records if r["currency"]])]
            )
        }
        countries = {
            c.code: c for c in env["res.country"].search(
                [("code", "in", [r["country"].strip().upper() for r in records if r["country"]])]
            )
        }
        results = [None] * len(records)
        plans = []  # (index, record, link, partner or None, currency)
        for index, record in enumerate(records):
            link = links.get(record["id"])
            if link and link.payload == record:
                results[index] = result(record["id"], "unchanged", link.partner_id.id, wallet_id=link.wallet_id.id)
                continue
            currency = company.currency_id
            if record["currency"]:
                currency = currencies.get(record["currency"].strip().upper())
                if not currency or not currency.active:
                    results[index] = result(record["id"], "refused", error=self.env._(
                        "Unknown or inactive currency %(code)s.", code=record["currency"]))
                    continue
            plans.append([index, record, link, link.partner_id if link else None, currency])

        # First links by e-mail: a partner of the company (or shared) that no
        # client of this platform holds yet.
        emails = {p[1]["email"].strip().lower() for p in plans if not p[2] and p[1]["email"].strip()}
        by_email = {}
        if emails:
            Link.flush_model()
            rows = env.execute_query(SQL(
                """
                SELECT lower(p.email), p.commercial_partner_id
                  FROM res_partner p
                 WHERE lower(p.email) = ANY(%(emails)s) AND p.active
                   AND (p.company_id IS NULL OR p.company_id = %(company)s)
                   AND NOT EXISTS (SELECT 1 FROM prepaid_platform_client l
                                    WHERE l.partner_id = p.commercial_partner_id
                                      AND l.company_id = %(company)s AND l.platform_code = %(code)s)
              ORDER BY p.id
                """,
                emails=list(emails), company=company.id, code=platform_code,
            ))
            for email, partner_id in rows:
                by_email.setdefault(email, partner_id)
        taken = set()
        for plan in plans:
            if plan[3] is None:
                partner_id = by_email.get(plan[1]["email"].strip().lower())
                if partner_id and partner_id not in taken:
                    taken.add(partner_id)
                    plan[3] = env["res.partner"].browse(partner_id)

        # Wallets of the partners that exist: an archived one refuses the client.
        Wallet = env["prepaid.wallet"].with_context(active_test=False)
        known = [p for p in plans if p[3]]
        wallets = {
            (w.partner_id.id, w.currency_id.id): w
            for w in Wallet.search([
                ("partner_id", "in", list({p[3].commercial_partner_id.id for p in known})),
                ("company_id", "=", company.id),
            ])
        }
        for plan in list(plans):
            partner = plan[3]
            wallet = partner and wallets.get((partner.commercial_partner_id.id, plan[4].id))
            if wallet and not wallet.active:
                results[plan[0]] = result(plan[1]["id"], "refused", partner.id, error=self.env._(
                    "The wallet %(wallet)s is archived.", wallet=wallet.display_name))
                plans.remove(plan)

        # New partners, in one create.
        new = [p for p in plans if not p[3]]
        created = create_with_defaults(env["res.partner"], [
            self._platform_partner_vals(p[1], countries, company) for p in new
        ])
        for plan, partner in zip(new, created, strict=True):
            plan[3] = partner

        # Missing wallets, in one create.
        missing = {}
        for plan in plans:
            key = (plan[3].commercial_partner_id.id, plan[4].id)
            if key not in wallets:
                missing[key] = {"partner_id": key[0], "currency_id": key[1], "company_id": company.id}
        for wallet in create_with_defaults(Wallet, list(missing.values())):
            wallets[(wallet.partner_id.id, wallet.currency_id.id)] = wallet

        link_vals = []
        for index, record, link, partner, currency in plans:
            wallet = wallets[(partner.commercial_partner_id.id, currency.id)]
            if link:
                old = link.payload or {}
                changes = {key: record[key] for key in _PARTNER_KEYS if old.get(key) != record[key]}
                if changes:
                    vals = self._platform_partner_vals(record, countries, company)
                    partner.write({k: v for k, v in vals.items() if k not in ("company_id", "customer_rank")})
                link.write({"payload": record, "wallet_id": wallet.id})
                results[index] = result(record["id"], "updated", partner.id, wallet_id=wallet.id)
            else:
                link_vals.append({
                    "company_id": company.id, "platform_code": platform_code, "platform_id": record["id"],
                    "partner_id": partner.commercial_partner_id.id, "wallet_id": wallet.id, "payload": record,
                })
                results[index] = result(record["id"], "created", partner.commercial_partner_id.id,
                                        wallet_id=wallet.id)
        create_with_defaults(Link, link_vals)
        return results

    @api.model
    def _platform_partner_vals(self, record, countries, company):
        """The values of the partner of a platform client (an extension hook)."""
        person = " ".join(part for part in (record["firstname"].strip(), record["lastname"].strip()) if part)
        return {
            "name": record["companyname"].strip() or person or record["email"].strip(),
            "is_company": bool(record["companyname"].strip()),
            "email": record["email"].strip() or False,
            "country_id": countries[record["country"].strip().upper()].id
            if record["country"] and record["country"].strip().upper() in countries else False,
            "company_id": company.id,
            "customer_rank": 1,
        }

    @api.model
    def platform_read_clients(self, platform_code, platform_ids):
        """The stored side of a platform's clients, for a reconciliation.

        :param platform_ids: at most 1,000 platform client ids
        :return: for each id known: the client as last sent, with ``id`` (the
            platform id), ``partner_id``, ``wallet_id`` and ``balance`` (decimal
            text); unknown ids are left out
        """
        self.env["prepaid.wallet"]._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        check_platform_code(self.env, platform_code)
        ids = validate_ids(self.env, platform_ids)
        # Group checked above; the links of the caller's company only.
        links = self.env["prepaid.platform.client"].sudo().search([
            ("company_id", "=", self.env.company.id),
            ("platform_code", "=", platform_code),
            ("platform_id", "in", ids),
        ])
        return [
            {
                **(link.payload or {}),
                "id": link.platform_id,
                "partner_id": link.partner_id.id,
                "wallet_id": link.wallet_id.id,
                "balance": f"{link.wallet_id.balance:.{link.wallet_id.currency_id.decimal_places}f}",
            }
            for link in links
        ]
