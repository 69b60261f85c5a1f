# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import logging
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..const import AUTO_RENEW_RETRY_HOURS, PERIOD_MONTHS, RENEWABLE_STATES, SERVICE_STATES

_logger = logging.getLogger(__name__)


class PrepaidRenewalService(models.Model):
    """A customer's service with a recurring fee: a device, a hosting plan, a
    licence, a domain. It runs until its expiry date, then goes through a
    grace period, a suspension and its termination unless it is renewed."""

    _name = "prepaid.renewal.service"
    _description = "Renewable Service"
    _inherit = ["mail.thread", "portal.mixin"]
    _order = "expiry_date, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, tracking=True,
        domain="[('is_company', '=', True)]",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id,
        help="The currency of its fee and of the wallet that pays it.",
    )
    product_id = fields.Many2one(
        "product.product", required=True, check_company=True, tracking=True,
        domain="[('prepaid_renewable', '=', True)]",
    )
    period = fields.Selection(
        [("month", "Month"), ("year", "Year")], required=True, default="year", tracking=True,
        help="The length of one renewal.",
    )
    price = fields.Monetary(
        compute="_compute_price", help="Price of one period, net of VAT, for this customer."
    )
    start_date = fields.Date(required=True, default=fields.Date.context_today)
    expiry_date = fields.Date(required=True, index=True, tracking=True, help="Last day of the paid period.")
    state = fields.Selection(SERVICE_STATES, required=True, default="active", index=True, tracking=True, readonly=True)
    auto_renew = fields.Boolean("Automatic renewal", tracking=True)
    auto_renew_use_credit = fields.Boolean(
        "Pay from credit first", default=True,
        help="Automatic renewal takes the fee from the prepaid credit when it is enough, else charges the card.",
    )
    payment_token_id = fields.Many2one(
        "payment.token", "Saved payment method", check_company=True,
        domain="[('partner_id', 'child_of', partner_id)]",
    )
    auto_renew_attempts = fields.Integer(readonly=True, copy=False)
    auto_renew_next_try = fields.Datetime(readonly=True, copy=False)
    auto_renew_error = fields.Char("Last automatic renewal error", readonly=True, copy=False)
    platform_code = fields.Char(help="The hosting platform the service lives on, e.g. whmcs.")
    platform_ref = fields.Char("Platform reference", index="btree_not_null")
    order_line_ids = fields.One2many("prepaid.renewal.order.line", "service_id", readonly=True)
    awaiting_payment = fields.Boolean(compute="_compute_awaiting_payment", search="_search_awaiting_payment")
    reminder_ids = fields.One2many("prepaid.renewal.reminder", "service_id", readonly=True)
    command_ids = fields.One2many("prepaid.renewal.command", "service_id", readonly=True)

    _sql_constraints = [
        ("dates_check", "CHECK(expiry_date >= start_date)", "A service expires after it starts."),
        ("platform_ref_uniq", "UNIQUE(company_id, platform_code, platform_ref)",
         "This platform service is already recorded."),
    ]

    @api.depends("product_id", "partner_id", "period", "currency_id")
    def _compute_price(self):
        for service in self:
            try:
                service.price = service._get_renewal_price(service.period) if service.product_id else 0.0
            except UserError:
                # No price configured: shown as zero; an order for it is refused with the reason.
                service.price = 0.0

    def _compute_awaiting_payment(self):
        awaiting = self._awaiting_services()
        for service in self:
            service.awaiting_payment = service in awaiting

    def _search_awaiting_payment(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on services awaiting payment."))
        # sudo: which services an order holds is read whatever the searcher's rights on orders.
        lines = self.env["prepaid.renewal.order.line"].sudo().search([("order_id.state", "=", "awaiting")])
        inside = (operator == "=") == value
        return [("id", "in" if inside else "not in", lines.service_id.ids)]

    def _awaiting_services(self):
        # sudo: as above.
        lines = self.env["prepaid.renewal.order.line"].sudo().search(
            [("service_id", "in", self.ids), ("order_id.state", "=", "awaiting")]
        )
        return lines.service_id.with_env(self.env)

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for service in self:
            service.access_url = "/my/services"
        return res

    @api.constrains("partner_id")
    def _check_partner_is_commercial(self):
        for service in self:
            if service.partner_id != service.partner_id.commercial_partner_id:
                raise ValidationError(_(
                    "A service belongs to the customer %(company)s, not to its contact %(contact)s.",
                    company=service.partner_id.commercial_partner_id.display_name,
                    contact=service.partner_id.display_name,
                ))

    @api.constrains("product_id", "period")
    def _check_period(self):
        for service in self:
            if service.period not in service.product_id.product_tmpl_id._prepaid_renewal_periods():
                raise ValidationError(_(
                    "%(product)s cannot be renewed by the %(period)s.",
                    product=service.product_id.display_name, period=service.period,
                ))

    @api.constrains("payment_token_id", "partner_id")
    def _check_payment_token(self):
        for service in self.filtered("payment_token_id"):
            token = service.payment_token_id.sudo()
            if token.partner_id.commercial_partner_id != service.partner_id:
                raise ValidationError(_("The saved payment method must be the customer's own."))
            if not token.provider_id.allow_tokenization:
                raise ValidationError(_("The provider of this payment method cannot charge a saved card."))

    @api.model_create_multi
    def create(self, vals_list):
        services = super().create(vals_list)
        services._refresh_state()
        return services

    @api.model
    def _prepaid_load_renewal_demo(self):
        """Services of the demo customers, expiring soon, expired in grace
        and active, with VAT at the company's sale tax; a saved demo card of
        the Italian customer, renewing one service automatically and topping
        up its wallet below a threshold (when ``payment_demo`` is there)."""
        ref = self.env.ref
        company = self.env.company
        products = ref("prepaid_cloud_credit_renewal.product_hosting_pro_demo") | ref(
            "prepaid_cloud_credit_renewal.product_cpanel_licence_demo") | ref(
            "prepaid_cloud_credit_renewal.product_firewall_demo")
        if company.account_sale_tax_id:
            products.with_company(company).taxes_id = [Command.set(company.account_sale_tax_id.ids)]
        nuvola = ref("prepaid_cloud_credit.partner_it_demo")
        today = fields.Date.context_today(self)
        eur = ref("base.EUR")
        services = self.create([
            {"name": name, "partner_id": partner.id, "company_id": company.id, "currency_id": eur.id,
             "product_id": ref(f"prepaid_cloud_credit_renewal.{product}").id, "period": period,
             "start_date": today + timedelta(days=days) - (timedelta(days=30) if period == "month"
                                                            else timedelta(days=365)),
             "expiry_date": today + timedelta(days=days)}
            for name, partner, product, period, days in [
                ("www.nuvola.it", nuvola, "product_hosting_pro_demo", "year", 12),
                ("shop.nuvola.it", nuvola, "product_hosting_pro_demo", "year", -5),
                ("cPanel vps-01", nuvola, "product_cpanel_licence_demo", "month", 3),
                ("Firewall edge-mi", nuvola, "product_firewall_demo", "year", 200),
                ("Hosting Pro lyon-01", ref("prepaid_cloud_credit.partner_fr_demo"), "product_hosting_pro_demo",
                 "year", 25),
            ]
        ])
        provider = ref("payment.payment_provider_demo", raise_if_not_found=False)
        method = ref("payment_demo.payment_method_demo", raise_if_not_found=False)
        wallet = self.env["prepaid.wallet"].sudo().search(
            [("partner_id", "=", nuvola.id), ("currency_id", "=", eur.id), ("company_id", "=", company.id)], limit=1)
        if not (provider and method and provider.code == "demo" and provider.company_id == company and wallet):
            return services
        provider.sudo().allow_tokenization = True
        token = self.env["payment.token"].sudo().create({
            "provider_id": provider.id, "payment_method_id": method.id, "partner_id": nuvola.id,
            "payment_details": "4242", "provider_ref": "demo-nuvola-card",
        })
        services.filtered(lambda service: service.name == "cPanel vps-01").write({
            "auto_renew": True, "auto_renew_use_credit": True, "payment_token_id": token.id,
        })
        self.env["prepaid.topup.rule"].create({
            "wallet_id": wallet.id, "trigger": "threshold", "threshold": 20.0, "mode": "fixed", "amount": 50.0,
            "payment_token_id": token.id, "monthly_limit": 200.0,
        })
        return services

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _get_renewal_price(self, period):
        """Hook: the net price of one ``period`` of this service for its
        customer. The product's price; plans and domain price lists override it.

        :param period: ``month`` or ``year``
        :return: amount in the service currency
        """
        self.ensure_one()
        template = self.product_id.product_tmpl_id
        price = template.prepaid_renewal_price_month if period == "month" else template.prepaid_renewal_price_year
        if not price:
            price = self.product_id.lst_price * (12 if period == "year" and template.prepaid_renewal_period == "month"
                                                  else 1)
        company_currency = self.company_id.currency_id
        if self.currency_id and self.currency_id != company_currency:
            price = company_currency._convert(price, self.currency_id, self.company_id, fields.Date.context_today(self))
        return self.currency_id.round(price)

    def _get_taxes(self):
        """Sale taxes of the service product, mapped by the customer's fiscal position."""
        self.ensure_one()
        product = self.product_id.with_company(self.company_id)
        taxes = product.taxes_id.filtered(lambda tax: tax.company_id in self.company_id.parent_ids)
        fpos = self.env["account.fiscal.position"].with_company(self.company_id)._get_fiscal_position(self.partner_id)
        return fpos.map_tax(taxes)

    def _renewal_state_on(self, day):
        """The state the dates give on ``day`` (a terminated service stays so)."""
        self.ensure_one()
        if self.state == "terminated":
            return "terminated"
        template = self.product_id.product_tmpl_id
        expiring_days = self.company_id.prepaid_renewal_expiring_days
        if day <= self.expiry_date - timedelta(days=expiring_days):
            return "active"
        if day <= self.expiry_date:
            return "expiring"
        grace_end = self.expiry_date + timedelta(days=template.prepaid_renewal_grace_days)
        if day <= grace_end:
            return "grace"
        if day <= grace_end + timedelta(days=template.prepaid_renewal_termination_days):
            return "suspended"
        return "terminated"

    def _refresh_state(self, day=None):
        """Move every service to the state its dates give, and tell the
        hosting platform what to suspend, reactivate or terminate."""
        day = day or fields.Date.context_today(self)
        Command = self.env["prepaid.renewal.command"]
        changed = self.browse()
        for service in self:
            new_state = service._renewal_state_on(day)
            if new_state == service.state:
                continue
            old_state = service.state
            service.state = new_state
            changed |= service
            if new_state in ("suspended", "terminated"):
                Command._queue(service, "suspend" if new_state == "suspended" else "terminate",
                               _("Not renewed by %(date)s", date=service.expiry_date))
            elif old_state == "suspended":
                Command._queue(service, "unsuspend", _("Renewed until %(date)s", date=service.expiry_date))
        return changed

    def _check_renewable(self):
        for service in self:
            if service.state not in RENEWABLE_STATES:
                raise UserError(_("The service %(service)s is terminated: it cannot be renewed.",
                                  service=service.display_name))

    def _next_expiry_date(self, period, quantity=1, from_date=None):
        """The expiry after ``quantity`` periods: the new period starts from the
        old expiry date, also for a service renewed after it expired."""
        self.ensure_one()
        start = from_date or self.expiry_date
        return start + relativedelta(months=PERIOD_MONTHS[period] * quantity)

    def _extend(self, period, quantity, from_date):
        """Extend the service by ``quantity`` periods from ``from_date``.

        The service is extended only while its expiry is still ``from_date``:
        an order line paid a second time (two notifications of one payment)
        extends nothing.

        :return: True when it was extended
        """
        self.ensure_one()
        if self.expiry_date != from_date:
            return False
        self.write({
            "expiry_date": self._next_expiry_date(period, quantity, from_date),
            "auto_renew_attempts": 0,
            "auto_renew_next_try": False,
            "auto_renew_error": False,
        })
        self._refresh_state()
        return True

    # ------------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------------

    @api.model
    def _prepaid_can_commit(self):
        return self.env["prepaid.wallet"]._prepaid_can_commit()

    @api.model
    def _cron_update_states(self, batch_size=1000):
        """Move services along expiring, grace, suspended and terminated,
        in batches committed one by one."""
        today = fields.Date.context_today(self)
        domain = [("state", "!=", "terminated"), ("expiry_date", "<", today + timedelta(days=366))]
        last_id = 0
        while True:
            services = self.search(domain + [("id", ">", last_id)], order="id", limit=batch_size)
            if not services:
                break
            last_id = services[-1].id
            for service in services:
                try:
                    with self.env.cr.savepoint():
                        service._refresh_state(today)
                except Exception as error:  # noqa: BLE001 - one bad service never stops the others
                    _logger.exception("Service %s: state not updated", service.id)
                    service.message_post(body=_("State not updated: %(error)s", error=error))
            if self._prepaid_can_commit():
                self.env.cr.commit()  # pylint: disable=invalid-commit

    def _get_auto_renew_domain(self, now=None):
        """Hook: the services the automatic renewal cron charges now."""
        now = now or fields.Datetime.now()
        today = now.date()
        return [
            ("auto_renew", "=", True),
            ("state", "in", ("active", "expiring")),
            ("expiry_date", ">=", today),
            ("expiry_date", "<=", today + timedelta(days=max(
                self.env["res.company"].sudo().search_fetch([], ["prepaid_renewal_auto_days"], limit=1000)
                .mapped("prepaid_renewal_auto_days") or [0]))),
            "|", ("auto_renew_next_try", "=", False), ("auto_renew_next_try", "<=", now),
        ]

    @api.model
    def _cron_auto_renew(self, batch_size=500):
        """Renew the services due soon that the customer renews automatically:
        one order per customer, paid from the credit when allowed and enough,
        else with the saved payment method, off-session.

        Exactly once per service and period: an order that renews a period
        holds it (see :meth:`prepaid.renewal.order._check_services_free`), and
        a paid line extends a service only from the expiry it was sold for.
        """
        # Each renewal is recorded by its order and order lines (old and new
        # expiry): the chatter tracking of thousands of services and orders a
        # night would only repeat it, at a large cost.
        return self.with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True, mail_notrack=True
        )._auto_renew_due(batch_size)

    @api.model
    def _auto_renew_due(self, batch_size):
        now = fields.Datetime.now()
        Order = self.env["prepaid.renewal.order"]
        done = failed = 0
        skip = set()
        while True:
            services = self.search(self._get_auto_renew_domain(now) + [("id", "not in", list(skip))],
                                   order="partner_id, id", limit=batch_size)
            services = services.filtered(
                lambda s: s.expiry_date <= now.date() + timedelta(days=s.company_id.prepaid_renewal_auto_days)
            )
            if not services:
                break
            groups = {}
            for service in services:
                key = (service.partner_id, service.company_id, service.currency_id,
                       service.auto_renew_use_credit, service.payment_token_id)
                groups.setdefault(key, self.browse())
                groups[key] |= service
            groups = list(groups.values())
            skip.update(services.ids)
            try:
                with self.env.cr.savepoint():
                    orders = Order._auto_renew_batch(groups)
                    self.env.flush_all()
            except Exception:  # noqa: BLE001 - one bad group never stops the others
                # Nothing of the batch was written: its groups are renewed one by one.
                _logger.exception("Automatic renewal: batch of %s services renewed one by one", len(services))
            else:
                for order in orders:
                    if order.state == "paid":
                        done += len(order.line_ids)
                    else:
                        failed += len(order.line_ids)
                        order.line_ids.service_id._auto_renew_failed(order.failure_reason or _("Payment refused."))
                groups = []
            for group in groups:
                try:
                    with self.env.cr.savepoint():
                        order = Order._auto_renew(group)
                    done += len(group) if order.state == "paid" else 0
                    if order.state != "paid":
                        failed += len(group)
                        group._auto_renew_failed(order.failure_reason or _("Payment refused."))
                except (UserError, ValidationError) as error:
                    failed += len(group)
                    group._auto_renew_failed(str(error.args[0]))
            if self._prepaid_can_commit():
                self.env.cr.commit()  # pylint: disable=invalid-commit
        _logger.info("Automatic renewal: %s services renewed, %s failed", done, failed)
        return {"renewed": done, "failed": failed}

    def _auto_renew_token(self):
        """The saved card that pays the automatic renewal: the service's own,
        or, when the customer removed it from the portal's payment methods
        page, its newest saved card of a provider that charges off-session.

        :return: a ``payment.token`` (sudo), possibly empty
        """
        self.ensure_one()
        # Tokens are read for the cron; they are the customer's own.
        token = self.with_context(active_test=False).payment_token_id.sudo()
        if token.active:
            return token
        return self.env["payment.token"].sudo().search([
            ("partner_id", "child_of", self.partner_id.id),
            ("provider_id.allow_tokenization", "=", True),
            ("provider_id.state", "in", ("enabled", "test")),
            ("provider_id.company_id", "=", self.company_id.id),
        ], order="id desc", limit=1)

    def _auto_renew_failed(self, reason):
        """Schedule the next attempt (or none: the service then expires
        normally) and tell the customer."""
        now = fields.Datetime.now()
        for service in self:
            attempts = service.auto_renew_attempts + 1
            delay = AUTO_RENEW_RETRY_HOURS[attempts - 1] if attempts <= len(AUTO_RENEW_RETRY_HOURS) else None
            service.write({
                "auto_renew_attempts": attempts,
                "auto_renew_next_try": now + timedelta(hours=delay) if delay else fields.Datetime.to_datetime(
                    service.expiry_date + timedelta(days=1)),
                "auto_renew_error": reason,
            })
        template = self.env.ref("prepaid_cloud_credit_renewal.mail_template_renewal_auto_failed",
                                raise_if_not_found=False)
        for partner_services in self.grouped("partner_id").values():
            if template:
                template.with_context(services=partner_services, reason=reason).send_mail(
                    partner_services[0].id, email_layout_xmlid="mail.mail_notification_light")

    @api.model
    def _cron_send_reminders(self, batch_size=1000):
        """E-mail each customer the services that expire in 30, 7 and 1 days
        and today (the company's offsets), each reminder once."""
        today = fields.Date.context_today(self)
        # The record of reminders sent is the system's, whoever runs the cron.
        Reminder = self.env["prepaid.renewal.reminder"].sudo()
        for company in self.env.user.company_ids:
            offsets = company._prepaid_renewal_reminder_offsets()
            if not offsets:
                continue
            services = self.search([
                ("company_id", "=", company.id),
                ("state", "in", ("active", "expiring")),
                ("expiry_date", ">=", today),
                ("expiry_date", "<=", today + timedelta(days=max(offsets))),
            ])
            due = {}
            for service in services:
                left = (service.expiry_date - today).days
                offset = min(o for o in offsets if o >= left)
                due.setdefault(service.partner_id, []).append((service, offset))
            sent = Reminder._already_sent([(s.id, s.expiry_date, o) for items in due.values() for s, o in items])
            template = self.env.ref("prepaid_cloud_credit_renewal.mail_template_renewal_reminder")
            for _partner, items in due.items():
                fresh = [(s, o) for s, o in items if (s.id, s.expiry_date, o) not in sent]
                if not fresh:
                    continue
                to_remind = self.browse([s.id for s, _o in fresh])
                Reminder.create([{"service_id": s.id, "expiry_date": s.expiry_date, "offset_days": o}
                                 for s, o in fresh])
                template.with_context(services=to_remind).send_mail(
                    to_remind[0].id, email_layout_xmlid="mail.mail_notification_light")
            if self._prepaid_can_commit():
                self.env.cr.commit()  # pylint: disable=invalid-commit
