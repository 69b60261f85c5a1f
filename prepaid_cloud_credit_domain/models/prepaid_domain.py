# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.prepaid_cloud_credit.ledger_storage import lock_rows
from odoo.addons.prepaid_cloud_credit.parsing import check_text

from .prepaid_domain_price import DOMAIN_OPERATIONS
from .prepaid_domain_tld import _LABEL


class PrepaidDomain(models.Model):
    """A customer's domain name, paid for from its prepaid wallet."""

    _name = "prepaid.domain"
    _description = "Prepaid Domain"
    _inherit = ["mail.thread", "portal.mixin"]
    _order = "expiry_date, name"
    _check_company_auto = True

    name = fields.Char("Domain", required=True, index=True, tracking=True)
    tld_id = fields.Many2one(
        "prepaid.domain.tld", string="TLD", compute="_compute_tld_id", store=True, index=True, ondelete="restrict"
    )
    wallet_id = fields.Many2one(
        "prepaid.wallet", required=True, index=True, check_company=True, ondelete="restrict",
        help="The wallet that pays the operations of this domain.",
    )
    partner_id = fields.Many2one(related="wallet_id.partner_id", store=True, index=True, string="Customer")
    company_id = fields.Many2one(related="wallet_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="wallet_id.currency_id")
    expiry_date = fields.Date(tracking=True, help="For a transfer, the expiry date at the current registrar.")
    state = fields.Selection(
        [("draft", "Not registered"), ("active", "Registered"), ("cancelled", "Cancelled")],
        default="draft",
        required=True,
        tracking=True,
        index=True,
    )
    is_expired = fields.Boolean(compute="_compute_is_expired", search="_search_is_expired")
    operation_ids = fields.One2many("prepaid.domain.operation", "domain_id", string="Operations", readonly=True)
    service_id = fields.Many2one(
        "prepaid.renewal.service", compute="_compute_service_id", string="Renewal service",
        help="The renewable service of the domain, listed with the customer's other services.",
    )

    _sql_constraints = [
        ("name_company_uniq", "UNIQUE(name, company_id)", "This domain is already recorded."),
    ]

    @api.depends("name")
    def _compute_tld_id(self):
        Tld = self.env["prepaid.domain.tld"]
        for domain in self:
            domain.tld_id = Tld._find_for_domain_name(domain.name)

    def _compute_is_expired(self):
        today = fields.Date.context_today(self)
        for domain in self:
            domain.is_expired = domain.state == "active" and bool(domain.expiry_date) and domain.expiry_date < today

    def _search_is_expired(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on expired domains."))
        today = fields.Date.context_today(self)
        expired = [("state", "=", "active"), ("expiry_date", "<", today)]
        return expired if (operator == "=") == value else ["!", "&", *expired]

    def _compute_service_id(self):
        # sudo: the service of a domain is read by whoever reads the domain.
        services = self.env["prepaid.renewal.service"].sudo().search([("domain_id", "in", self.ids)])
        by_domain = {service.domain_id.id: service.id for service in services}
        for domain in self:
            domain.service_id = by_domain.get(domain.id, False)

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for domain in self:
            domain.access_url = f"/my/domains/{domain.id}"
        return result

    @api.constrains("name", "tld_id")
    def _check_name(self):
        for domain in self:
            labels = (domain.name or "").split(".")
            if domain.name != (domain.name or "").strip().lower() or not all(_LABEL.match(label) for label in labels):
                raise ValidationError(
                    _("%(name)s is not a domain name (lowercase, punycode for accents).", name=domain.name)
                )
            if not domain.tld_id or domain.name == domain.tld_id.name[1:]:
                raise ValidationError(
                    _("%(name)s does not end with a known extension, or is only an extension.", name=domain.name)
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if isinstance(vals.get("name"), str):
                vals["name"] = vals["name"].strip().lower()
        domains = super().create(vals_list)
        domains._sync_renewal_service()
        return domains

    def write(self, vals):
        if isinstance(vals.get("name"), str):
            vals["name"] = vals["name"].strip().lower()
        # Only operations move a registered domain's name, wallet and expiry.
        guarded = {"name", "wallet_id", "expiry_date", "state"} & set(vals)
        if guarded and not self.env.context.get("prepaid_domain_operation"):
            if any(domain.state != "draft" for domain in self):
                raise UserError(
                    _("The name, wallet, expiry and state of a registered domain change through its operations.")
                )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_operation(self):
        self.ensure_one()
        operation = self.env.context.get("prepaid_operation", "renew")
        return {
            "type": "ir.actions.act_window",
            "name": dict(self.env["prepaid.domain.operate"]._fields["operation"]._description_selection(self.env))[
                operation
            ],
            "res_model": "prepaid.domain.operate",
            "view_mode": "form",
            "target": "new",
            "context": {"default_domain_id": self.id, "default_operation": operation},
        }

    def execute_operation(self, operation, years, idempotency_key=None):
        """Register, transfer, renew or restore this domain, paid from its wallet.

        Callable over XML-RPC by prepaid managers and integration users.

        :param operation: register, transfer, renew or restore
        :param years: 1 to 10
        :param idempotency_key: optional; the same key again returns the
            first operation. Keys of callers live in a namespace of their own
            (see :meth:`prepaid.wallet._prepaid_caller_key`). Without a key,
            one key per operation and expiry date, so a repeated request is
            applied once
        :return: dict with the operation id, the transaction id, the new
            expiry date and the remaining credit
        """
        self.ensure_one()
        Wallet = self.env["prepaid.wallet"]
        Wallet._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        self.check_access("read")
        check_text(operation, _("The operation"))
        key = Wallet._prepaid_caller_key(idempotency_key) if idempotency_key else None
        # Rights checked above: the ledger and the domain dates are written by the service.
        op = self.sudo()._execute_operation(operation, years, key)
        return {
            "operation_id": op.id,
            "transaction_id": op.transaction_id.id,
            "expiry_date": fields.Date.to_string(op.new_expiry_date),
            "balance": op.wallet_id.balance,
            "amount": op.amount,
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _get_operation_key(self, operation, expiry_date=None):
        """The idempotency key of an operation: one operation of a kind per expiry date.

        :param expiry_date: the expiry date the requester saw (a form shown
            before a double click); the current one by default
        """
        self.ensure_one()
        expiry_date = expiry_date or self.expiry_date
        return f"domain:{self.id}:{operation}:{fields.Date.to_string(expiry_date) or 'none'}"

    def _check_operation_allowed(self, operation, years):
        """Raise unless ``operation`` can be applied to the domain today."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        if operation not in dict(DOMAIN_OPERATIONS):
            raise UserError(_("Unknown domain operation %(operation)s.", operation=operation))
        if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 10:
            raise UserError(_("A domain operation covers 1 to 10 years, not %(years)s.", years=years))
        if operation in ("register", "transfer") and self.state != "draft":
            raise UserError(_("%(domain)s is already registered with us.", domain=self.name))
        if operation in ("renew", "restore") and self.state != "active":
            raise UserError(_("%(domain)s is not registered with us.", domain=self.name))
        if operation == "renew" and self.expiry_date + relativedelta(days=self.tld_id.grace_days) < today:
            raise UserError(
                _("%(domain)s expired on %(date)s, after its grace period: restore it instead.",
                  domain=self.name, date=self.expiry_date)
            )
        if operation == "restore" and self.expiry_date >= today:
            raise UserError(_("%(domain)s has not expired: renew it instead.", domain=self.name))

    def _get_new_expiry_date(self, operation, years):
        """Where the expiry date goes: a registration or a restore starts
        today, a transfer and a renewal extend the current expiry date."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        period = relativedelta(years=years)
        if operation in ("register", "restore"):
            return today + period
        if operation == "transfer":
            return max(self.expiry_date or today, today) + period
        return self.expiry_date + period

    def _prepare_operation_vals(self, operation, years, price, price_line, key):
        """Hook: the values of the operation record."""
        self.ensure_one()
        return {
            "domain_id": self.id,
            "wallet_id": self.wallet_id.id,
            "operation": operation,
            "years": years,
            "amount": price,
            "plan_id": price_line.plan_id.id,
            "old_expiry_date": self.expiry_date,
            "new_expiry_date": self._get_new_expiry_date(operation, years),
            "idempotency_key": key,
        }

    def _execute_operation(self, operation, years, idempotency_key=None):
        """Apply an operation: debit the wallet at the customer's price, then
        move the expiry date. Called in sudo after the caller's checks.

        Nothing is written when the credit is short or the operation is not
        allowed. The same key again returns the first operation.

        :return: the ``prepaid.domain.operation``
        """
        self.ensure_one()
        lock_rows(self)
        key = (idempotency_key or "").strip() or self._get_operation_key(operation)
        Operation = self.env["prepaid.domain.operation"]
        existing = Operation.search([("idempotency_key", "=", key)], limit=1)
        if existing:
            if existing.domain_id != self or existing.operation != operation or existing.years != years:
                raise UserError(
                    _("The request %(key)s was already used for another domain operation.", key=key)
                )
            return existing
        self._check_operation_allowed(operation, years)
        wallet = self.wallet_id
        price, price_line = self.env["prepaid.domain.price"]._get_domain_price(wallet, self.tld_id, operation, years)
        vals = self._prepare_operation_vals(operation, years, price, price_line, key)
        # A refused debit must take the operation record with it.
        with self.env.cr.savepoint():
            op = Operation.create(vals)
            if not wallet.currency_id.is_zero(price):
                op.transaction_id = wallet._ledger_apply(
                    "debit",
                    price,
                    f"domain-op:{key}",
                    purpose="purchase",
                    description=op.with_env(wallet._customer_env()).display_name,
                    source=op,
                )
            self.with_context(prepaid_domain_operation=True).write(
                {"expiry_date": vals["new_expiry_date"], "state": "active"}
            )
            self._sync_renewal_service()
        return op

    def _sync_renewal_service(self):
        """Create the renewal service of each registered domain, or move it to
        the domain's expiry (an operation changed it): domains are renewed
        from the same page and orders as every other service."""
        # The service is the system's mirror of the domain, whoever operated it.
        Service = self.env["prepaid.renewal.service"].sudo()
        product = self.env.ref("prepaid_cloud_credit_domain.product_domain_renewal").sudo()
        for domain in self.sudo().filtered(lambda d: d.state == "active" and d.expiry_date):
            service = Service.search([("domain_id", "=", domain.id)], limit=1)
            if not service:
                Service.create({
                    "name": domain.name,
                    "domain_id": domain.id,
                    "partner_id": domain.partner_id.commercial_partner_id.id,
                    "company_id": domain.company_id.id,
                    "currency_id": domain.currency_id.id,
                    "product_id": product.id,
                    "period": "year",
                    "start_date": min(fields.Date.context_today(domain), domain.expiry_date - timedelta(days=1)),
                    "expiry_date": domain.expiry_date,
                })
            elif service.expiry_date != domain.expiry_date:
                service.expiry_date = domain.expiry_date
                service._refresh_state()
