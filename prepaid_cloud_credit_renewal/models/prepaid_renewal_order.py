# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import hashlib
import logging
import re
import uuid

from psycopg2.errors import UniqueViolation

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.prepaid_cloud_credit.ledger_storage import lock_rows

from ..const import ORDER_LEDGER_KEY, PAYMENT_METHODS, PERIOD_MONTHS

_logger = logging.getLogger(__name__)

# The shape of a portal request key (uuid4().hex); anything else is ignored.
_REQUEST_KEY = re.compile(r"[0-9a-f]{32}")
# At most this many periods in one renewal (ten years by the year).
MAX_PERIODS = 10


class PrepaidRenewalOrder(models.Model):
    """The renewal of one or more services of a customer, paid once.

    Paid by prepaid credit (one ledger debit for the whole order, all or
    nothing), through a payment provider (card, PayPal) or by bank transfer
    (the order waits for the accountant to reconcile the payment of its
    invoice). Its services are extended exactly once, when it is paid.
    """

    _name = "prepaid.renewal.order"
    _description = "Renewal Order"
    _inherit = ["mail.thread", "portal.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default=lambda self: _("New"))
    partner_id = fields.Many2one("res.partner", "Customer", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    payment_method = fields.Selection(PAYMENT_METHODS, required=True, readonly=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("awaiting", "Awaiting payment"),
            ("paid", "Paid"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        default="draft", required=True, readonly=True, tracking=True, index=True,
    )
    is_automatic = fields.Boolean(readonly=True, help="Created by the automatic renewal.")
    line_ids = fields.One2many("prepaid.renewal.order.line", "order_id", readonly=True)
    amount_untaxed = fields.Monetary("Net", compute="_compute_amounts", store=True)
    amount_tax = fields.Monetary("VAT", compute="_compute_amounts", store=True)
    amount_total = fields.Monetary("Total", compute="_compute_amounts", store=True)
    invoice_id = fields.Many2one("account.move", readonly=True, copy=False, check_company=True)
    wallet_transaction_id = fields.Many2one("prepaid.wallet.transaction", "Credit movement", readonly=True, copy=False)
    payment_transaction_ids = fields.One2many(
        "payment.transaction", "prepaid_renewal_order_id", string="Payment transactions", readonly=True
    )
    payment_token_id = fields.Many2one("payment.token", readonly=True)
    terms_accepted_date = fields.Datetime(readonly=True, copy=False)
    paid_date = fields.Datetime(readonly=True, copy=False)
    failure_reason = fields.Char(readonly=True, copy=False)
    refund_due = fields.Boolean(
        readonly=True, copy=False,
        help="A payment arrived after the services of this order had been renewed otherwise: refund it.",
    )
    # The key of the portal form that confirmed the order: the same form sent
    # again finds its order instead of renewing twice.
    portal_request_key = fields.Char(readonly=True, copy=False)

    _sql_constraints = [
        ("portal_request_key_uniq", "UNIQUE(partner_id, portal_request_key)",
         "This renewal was already confirmed."),
    ]

    @api.depends("line_ids.price_unit", "line_ids.quantity", "line_ids.tax_ids", "partner_id")
    def _compute_amounts(self):
        """The totals its invoice will have: Odoo's tax engine, with the
        company's rounding method, as sale orders and invoices compute them
        (an automatic renewal is charged before it is invoiced)."""
        AccountTax = self.env["account.tax"]
        for order in self:
            base_lines = [
                AccountTax._prepare_base_line_for_taxes_computation(
                    line, tax_ids=line.tax_ids, partner_id=order.partner_id, currency_id=order.currency_id)
                for line in order.line_ids
            ]
            AccountTax._add_tax_details_in_base_lines(base_lines, order.company_id)
            AccountTax._round_base_lines_tax_details(base_lines, order.company_id)
            totals = AccountTax._get_tax_totals_summary(
                base_lines=base_lines, currency=order.currency_id, company=order.company_id)
            order.amount_untaxed = totals["base_amount_currency"]
            order.amount_tax = totals["tax_amount_currency"]
            order.amount_total = totals["total_amount_currency"]

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for order in self:
            order.access_url = f"/my/renewals/{order.id}"
        return res

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("prepaid.renewal.order") or _("New")
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Building an order
    # ------------------------------------------------------------------

    @api.model
    def _allowed_payment_methods(self, partner, company):
        """Hook: the payment methods this customer may renew with. Public
        administrations (split payment) pay by bank transfer only: the
        Italian glue module narrows this list.

        :return: list of codes among ``credit``, ``online``, ``bank_transfer``
        """
        return [code for code, _label in PAYMENT_METHODS]

    @api.model
    def _prepare_order_vals(self, partner, company, currency, payment_method, **kwargs):
        """Hook: the values of a new order; extensions take their own keyword
        arguments (a CIG, an office code)."""
        return {
            "partner_id": partner.id,
            "company_id": company.id,
            "currency_id": currency.id,
            "payment_method": payment_method,
        }

    @api.model
    def _prepare_line_vals(self, service, period, quantity):
        """The line renewing ``service`` for ``quantity`` periods of ``period``."""
        new_expiry = service._next_expiry_date(period, quantity)
        return {
            "service_id": service.id,
            "product_id": service.product_id.id,
            "name": _("%(service)s: renewal until %(date)s", service=service.name, date=new_expiry),
            "period": period,
            "quantity": quantity,
            "from_expiry_date": service.expiry_date,
            "to_expiry_date": new_expiry,
            "price_unit": service._get_renewal_price(period),
            "tax_ids": [Command.set(service._get_taxes().ids)],
        }

    @api.model
    def _prepare_fee_line_vals(self, company, partner):
        product = company.prepaid_renewal_fee_product_id
        fpos = self.env["account.fiscal.position"].with_company(company)._get_fiscal_position(partner)
        taxes = fpos.map_tax(product.with_company(company).taxes_id.filtered(
            lambda tax: tax.company_id in company.parent_ids))
        return {
            "product_id": product.id,
            "name": _("Bank transfer handling fee"),
            "quantity": 1,
            "price_unit": company.prepaid_renewal_transfer_fee,
            "tax_ids": [Command.set(taxes.ids)],
            "is_fee": True,
            "sequence": 1000,
        }

    @api.model
    def _check_choices(self, services, choices, payment_method, check_free=True):
        """Validate a whole basket before anything is written.

        :param choices: dict ``{service: (period, quantity)}``
        :param check_free: whether to check here that no other order is
            paying the services (a batch checks all its services at once)
        :raise ValidationError: with a clear reason
        """
        if not services:
            raise ValidationError(_("Choose at least one service to renew."))
        if len(services.partner_id) != 1 or len(services.company_id) != 1 or len(services.currency_id) != 1:
            raise ValidationError(_("Renew together only services of one customer, company and currency."))
        if payment_method not in self._allowed_payment_methods(services.partner_id, services.company_id):
            raise ValidationError(_("This payment method is not available for this customer."))
        services._check_renewable()
        if check_free:
            self._check_services_free(services)
        for service in services:
            period, quantity = choices.get(service, (service.period, 1))
            if period not in service.product_id.product_tmpl_id._prepaid_renewal_periods():
                raise ValidationError(_("%(service)s cannot be renewed by the %(period)s.",
                                        service=service.name, period=period))
            if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_PERIODS:
                raise ValidationError(_("Renew %(service)s for 1 to %(max)s periods.",
                                        service=service.name, max=MAX_PERIODS))
            if payment_method == "bank_transfer" and PERIOD_MONTHS[period] * quantity != 12:
                raise ValidationError(_("A bank transfer renews for one year only."))

    @api.model
    def _check_services_free(self, services):
        """Refuse services that another order is already paying: a bank
        transfer awaited, or an online payment under way."""
        lines = self.env["prepaid.renewal.order.line"].search([
            ("service_id", "in", services.ids), ("order_id.state", "=", "awaiting"),
        ])
        for line in lines:
            order = line.order_id
            if order.payment_method == "bank_transfer" or order._payments_under_way():
                raise ValidationError(_(
                    "%(service)s is already being renewed by %(order)s, awaiting payment.",
                    service=line.service_id.name, order=order.name,
                ))

    @api.model
    def _create_order(self, services, choices=None, payment_method="credit", request_key=None, **kwargs):
        """Create the order renewing ``services``; validated whole first.

        :param choices: dict ``{service: (period, quantity)}``; the service's
            own period, once, by default. A bank transfer renews one year.
        :param request_key: the key of the portal form; the same key again
            (a form sent twice) returns None instead of a second order
        :return: the draft order, or None for a replayed form
        """
        choices = dict(choices or {})
        if payment_method == "bank_transfer":
            for service in services:
                if "year" in service.product_id.product_tmpl_id._prepaid_renewal_periods():
                    choices[service] = ("year", 1)
                else:
                    choices[service] = ("month", 12)
        self._check_choices(services, choices, payment_method)
        partner, company = services.partner_id, services.company_id
        vals = self._prepare_order_vals(partner, company, services.currency_id, payment_method, **kwargs)
        lines = [Command.create(self._prepare_line_vals(s, *choices.get(s, (s.period, 1)))) for s in services]
        if payment_method == "bank_transfer" and company.prepaid_renewal_transfer_fee > 0:
            if not company.prepaid_renewal_fee_product_id:
                raise UserError(_("Configure the bank transfer fee product of %(company)s first.",
                                  company=company.name))
            lines.append(Command.create(self._prepare_fee_line_vals(company, partner)))
        vals["line_ids"] = lines
        if _REQUEST_KEY.fullmatch(request_key or ""):
            vals["portal_request_key"] = request_key
        try:
            with self.env.cr.savepoint():
                order = self.create(vals)
                self.env.flush_all()
        except UniqueViolation:
            return None
        return order

    @api.model
    def _new_portal_request_key(self):
        return uuid.uuid4().hex

    @api.model
    def _find_portal_request(self, partner, request_key):
        if not _REQUEST_KEY.fullmatch(request_key or ""):
            return self.browse()
        return self.search([("partner_id", "=", partner.id), ("portal_request_key", "=", request_key)], limit=1)

    # ------------------------------------------------------------------
    # Payment
    # ------------------------------------------------------------------

    def action_confirm(self):
        """Confirm draft orders: credit orders are paid at once (or fail as a
        whole), the others get their invoice and await their payment."""
        self._check_renewal_manager()
        return self._confirm()

    def _confirm(self):
        for order in self.filtered(lambda o: o.state == "draft"):
            if order.payment_method == "credit":
                order._pay_with_credit()
                continue
            # A bank transfer needs its bill now; a card payment posts its
            # invoice once the transaction is done (Odoo's own flow), so a
            # refused card leaves no unpaid invoice behind.
            order.invoice_id = order._create_invoice(post=order.payment_method == "bank_transfer")
            order.state = "awaiting"
            if order.payment_method == "bank_transfer":
                order._send_transfer_instructions()
        return True

    def _wallet(self):
        self.ensure_one()
        # The ledger's own records: the customer reaches its wallet through the order.
        return self.env["prepaid.wallet"].sudo()._get_or_create(self.partner_id, self.currency_id, self.company_id)

    def _pay_with_credit(self):
        """One ledger debit for the whole order, all or nothing: either the
        credit pays every line or nothing is debited and nothing renewed.
        The key is internal: no caller can type it."""
        self.ensure_one()
        lock_rows(self)
        if self.state == "paid":
            return self.wallet_transaction_id
        wallet = self._wallet()
        tx = wallet._ledger_apply(
            "debit",
            self.amount_untaxed,
            ORDER_LEDGER_KEY.format(order_id=self.id),
            purpose="purchase",
            description=wallet._customer_env()._("Renewal %(order)s", order=self.name),
            source=self,
        )
        self.wallet_transaction_id = tx
        self._mark_paid()
        return tx

    def _prepare_invoice_vals(self):
        self.ensure_one()
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "currency_id": self.currency_id.id,
            "company_id": self.company_id.id,
            "invoice_origin": self.name,
            "prepaid_renewal_order_id": self.id,
            "invoice_line_ids": [
                Command.create({
                    "product_id": line.product_id.id,
                    "name": line.name,
                    "quantity": line.quantity,
                    "price_unit": line.price_unit,
                    "tax_ids": [Command.set(line.tax_ids.ids)],
                })
                for line in self.line_ids
            ],
        }

    def _create_invoice(self, post=True):
        self.ensure_one()
        # The customer confirming the order has no invoicing rights; the invoice is the order's.
        invoice = self.env["account.move"].sudo().with_company(self.company_id).create(self._prepare_invoice_vals())
        if post:
            invoice.action_post()
        return invoice

    def _amount_to_pay(self):
        """What a card payment charges: the invoice's total (its own rounding), else the order's."""
        self.ensure_one()
        return self.invoice_id.amount_total if self.invoice_id else self.amount_total

    def _payments_under_way(self):
        self.ensure_one()
        return self.payment_transaction_ids.filtered(lambda tx: tx.state in ("pending", "authorized", "done"))

    def _check_new_payment(self):
        """Raise unless the customer may start a payment of this order: once
        only, and never while another payment is being processed."""
        self.ensure_one()
        if self.payment_method != "online" or self.state not in ("awaiting", "failed"):
            raise ValidationError(_("This renewal is not waiting for an online payment."))
        if self._payments_under_way():
            raise ValidationError(_("A payment of this renewal is already being processed."))

    def _mark_paid(self):
        """The order is paid: extend its services, once. A service whose
        expiry moved since the order (renewed otherwise) is not extended again:
        the order is flagged for a refund instead."""
        lock_rows(self)
        for order in self.filtered(lambda o: o.state != "paid"):
            order.write({"state": "paid", "paid_date": fields.Datetime.now(), "failure_reason": False})
            not_extended = order.line_ids.filtered("service_id").filtered(
                lambda line: not line.service_id._extend(line.period, line.quantity, line.from_expiry_date)
            )
            if not_extended:
                order.refund_due = True
                order.message_post(body=_(
                    "These services had already been renewed when this order was paid: %(services)s. "
                    "Refund the customer.", services=", ".join(not_extended.service_id.mapped("name")),
                ))
            order._on_paid()
        return True

    def _on_paid(self):
        """Hook: the order has just been paid. Its invoice goes to the customer
        (and, through the e-invoicing modules, to the SdI) by the standard
        sending queue; the customer finds it in the portal invoice history."""
        self.ensure_one()
        self._queue_invoice_sending()

    def _queue_invoice_sending(self):
        """Hand the orders' invoices to Odoo's sending queue (PDF by e-mail,
        plus the electronic formats of the installed e-invoicing modules),
        once each; the queue's cron is woken once."""
        # The payer or the cron has no invoicing rights; the invoices are the orders'.
        invoices = self.invoice_id.sudo().filtered(
            lambda invoice: invoice.state == "posted" and not invoice.is_move_sent and not invoice.sending_data)
        if invoices:
            invoices.sending_data = {
                "author_user_id": self.env.user.id,
                "author_partner_id": self.env.user.partner_id.id,
            }
            self.env.ref("account.ir_cron_account_move_send")._trigger()

    def _payment_failed(self, reason=None):
        """A payment attempt failed: the order is failed unless another attempt
        is under way. The customer may retry a portal order; an automatic
        order is not retried (the next attempt is a new order): it has no
        invoice (charged first, invoiced after), or its draft is cancelled."""
        for order in self.filtered(lambda o: o.state in ("draft", "awaiting")):
            if not order._payments_under_way():
                order.write({"state": "failed", "failure_reason": reason or _("Payment refused.")})
                if order.is_automatic:
                    # The payer or the cron has no invoicing rights; the invoice is the order's.
                    order.invoice_id.sudo().filtered(lambda move: move.state == "draft").button_cancel()

    def _payment_started(self):
        self.filtered(lambda o: o.state == "failed").write({"state": "awaiting"})

    def _send_transfer_instructions(self):
        """E-mail the bill (the invoice, by the sending queue) and the bank
        transfer instructions."""
        self.ensure_one()
        self._queue_invoice_sending()
        template = self.env.ref("prepaid_cloud_credit_renewal.mail_template_renewal_transfer")
        template.send_mail(self.id, email_layout_xmlid="mail.mail_notification_light")

    def action_cancel(self):
        """Cancel orders not paid yet; their invoice is reversed by a credit note."""
        self._check_renewal_manager()
        for order in self:
            if order.state == "paid":
                raise UserError(_("The renewal %(name)s is paid: it cannot be cancelled.", name=order.name))
            invoice = order.invoice_id.sudo()
            if invoice.state == "posted" and invoice.payment_state not in ("reversed", "paid", "in_payment"):
                invoice._reverse_moves([{"ref": _("Cancellation of %(order)s", order=order.name)}], cancel=True)
            order.state = "cancelled"
        return True

    def _check_renewal_manager(self):
        if not self.env.su and not self.env.user.has_group("prepaid_cloud_credit.group_prepaid_manager"):
            raise AccessError(_("Only prepaid managers can confirm or cancel renewals."))

    # ------------------------------------------------------------------
    # Automatic renewal
    # ------------------------------------------------------------------

    @api.model
    def _auto_renew(self, services):
        """Renew ``services`` (one customer, company, currency) now, off-session.

        Prepaid credit first when the customer allows it and it is enough,
        else the saved payment method.

        :return: the order, paid or failed
        """
        first = services[0]
        wallet = self.env["prepaid.wallet"].sudo().search([
            ("partner_id", "=", first.partner_id.id), ("company_id", "=", first.company_id.id),
            ("currency_id", "=", first.currency_id.id),
        ], limit=1)
        if first.auto_renew_use_credit and wallet and wallet.scope == "all":
            try:
                with self.env.cr.savepoint():
                    order = self._create_order(services, payment_method="credit")
                    order.is_automatic = True
                    order._pay_with_credit()
                return order
            except UserError as error:
                # Not enough credit: the card pays the same renewal instead, nothing was written.
                _logger.info("Renewal of %s not paid by credit: %s", services.ids, error)
        token = first._auto_renew_token()
        if not token:
            order = self._create_order(services, payment_method="online")
            order.write({"is_automatic": True, "state": "failed",
                         "failure_reason": _("No saved payment method to charge.")})
            return order
        order = self._create_order(services, payment_method="online")
        order.write({"is_automatic": True, "payment_token_id": token.id, "state": "awaiting"})
        order._charge_token(token)
        return order

    @api.model
    def _auto_renew_batch(self, groups):
        """Renew many customers' ``groups`` of services at once, off-session.

        The same payments as :meth:`_auto_renew`, with the per-order costs
        shared: the credit orders debit each wallet once, locked in wallet id
        order; the card orders, their invoices and their transactions are
        created in one ``create`` each, the invoices posted together. A group
        that :meth:`_auto_renew` would refuse raises here too: the caller then
        renews the groups one by one, so that one bad group never stops the
        others.

        :param groups: list of services recordsets (one customer, company,
            currency, payment choice each)
        :return: the orders, paid or failed
        """
        Wallet = self.env["prepaid.wallet"].sudo()
        wallets = Wallet.search([
            ("partner_id", "in", [group[0].partner_id.id for group in groups]),
            ("company_id", "in", list({group[0].company_id.id for group in groups})),
        ])
        wallet_of = {(w.partner_id, w.company_id, w.currency_id): w for w in wallets}
        orders = self.browse()
        card_groups = []
        by_credit = []
        for group in groups:
            first = group[0]
            wallet = wallet_of.get((first.partner_id, first.company_id, first.currency_id))
            if first.auto_renew_use_credit and wallet and wallet.scope == "all":
                by_credit.append((wallet, group))
            else:
                card_groups.append(group)
        by_credit.sort(key=lambda item: item[0].id)
        if by_credit:
            credit_orders = self._create_orders([group for _wallet, group in by_credit], "credit")
            for order, (_wallet, group) in zip(credit_orders, by_credit, strict=True):
                try:
                    with self.env.cr.savepoint():
                        order._pay_with_credit()
                    orders |= order
                except UserError as error:
                    # Not enough credit: the card pays the same renewal instead.
                    _logger.info("Renewal of %s not paid by credit: %s", group.ids, error)
                    card_groups.append(group)
                    # As in _auto_renew, a renewal the credit cannot pay leaves no order
                    # behind; sudo: the cron's own draft order, which nobody may delete.
                    order.sudo().unlink()
        if not card_groups:
            return orders
        tokens = [group[0]._auto_renew_token() for group in card_groups]
        untokened = [group for group, token in zip(card_groups, tokens, strict=True) if not token]
        if untokened:
            failed = self._create_orders(untokened, "online")
            failed.write({"state": "failed", "failure_reason": _("No saved payment method to charge.")})
            orders |= failed
        charged = [(group, token) for group, token in zip(card_groups, tokens, strict=True) if token]
        if not charged:
            return orders
        card_orders = self._create_orders(
            [group for group, _token in charged], "online",
            [{"payment_token_id": token.id, "state": "awaiting"} for _group, token in charged],
        )
        orders |= card_orders
        # Charged first, invoiced after: a done transaction pays its order at
        # once (see `payment.transaction._set_done`); the invoices, payments
        # and reconciliations follow in the renewal invoicing cron, in batches.
        Transaction = self.env["payment.transaction"].sudo()
        txs = Transaction
        for order, (_group, token) in zip(card_orders, charged, strict=True):
            # One create each: a constraint of `payment` on the token reads one transaction only.
            txs |= Transaction.create(order._prepare_token_transaction_vals(token))
        self.env.flush_all()
        # From here a provider may have charged the customer: an error of one
        # payment fails its order only, never rolls back the others' charges.
        for tx in txs:
            try:
                with self.env.cr.savepoint():
                    tx._send_payment_request()
            except Exception as error:  # noqa: BLE001 - one refused request never stops the others
                _logger.exception("Automatic renewal %s: payment request failed", tx.reference)
                tx._set_error(str(error))
        if txs.filtered(lambda tx: tx.state == "done"):
            self._trigger_renewal_invoicing()
        return orders

    @api.model
    def _create_orders(self, groups, payment_method, extra_vals=None):
        """Create the automatic orders renewing each of ``groups`` by its
        services' own period, once; every group is validated before anything
        is written, the orders are created in one ``create``.

        :param extra_vals: list of dicts, one per group, of further values
        :return: the draft orders, in the order of ``groups``
        """
        every = self.env["prepaid.renewal.service"].union(*groups)
        self._check_services_free(every)
        vals_list = []
        for index, services in enumerate(groups):
            self._check_choices(services, {}, payment_method, check_free=False)
            vals = self._prepare_order_vals(services.partner_id, services.company_id, services.currency_id,
                                            payment_method)
            vals["line_ids"] = [Command.create(self._prepare_line_vals(s, s.period, 1)) for s in services]
            vals["is_automatic"] = True
            if extra_vals:
                vals.update(extra_vals[index])
            vals_list.append(vals)
        return self.create(vals_list)

    def _prepare_token_transaction_vals(self, token):
        """The values of the off-session transaction charging this order's
        total to ``token``."""
        self.ensure_one()
        return {
            "provider_id": token.provider_id.id,
            "payment_method_id": token.payment_method_id.id,
            "reference": self.env["payment.transaction"]._compute_reference(
                token.provider_id.code, prefix=self._auto_renew_reference() if self.is_automatic else self.name),
            "amount": self._amount_to_pay(),
            "currency_id": self.currency_id.id,
            "partner_id": self.partner_id.id,
            "token_id": token.id,
            "operation": "offline",
            "invoice_ids": [Command.set(self.invoice_id.ids)],
            "prepaid_renewal_order_id": self.id,
        }

    def _auto_renew_reference(self):
        """The reference prefix of an automatic renewal's charge, made of the
        services it renews and the expiry each renews from: the idempotency
        key of that renewal.

        Should the cron stop after a provider charged the card but before its
        transaction was committed, the next run charges the same renewal
        under the same reference, which providers take for their idempotency
        key (`payment`'s ``generate_idempotency_key``, used by Stripe, is made
        of it): the customer is not charged twice. A retry after a recorded
        failure gets the next suffix (``-1``, ``-2``), a new charge.
        """
        self.ensure_one()
        renewed = sorted((line.service_id.id, str(line.from_expiry_date)) for line in self.line_ids if line.service_id)
        digest = hashlib.sha256(repr(renewed).encode()).hexdigest()[:16]
        return f"AUTO-{digest}"

    def _charge_token(self, token):
        """Charge the order's total to ``token``, off-session. A done charge
        pays the order at once; its invoice follows in the renewal invoicing
        cron."""
        self.ensure_one()
        tx = self.env["payment.transaction"].sudo().create(self._prepare_token_transaction_vals(token))
        tx._send_payment_request()
        if tx.state == "done":
            self._trigger_renewal_invoicing()
        elif tx.state in ("error", "cancel"):
            self._payment_failed(tx.state_message)
        return tx

    @api.model
    def _trigger_renewal_invoicing(self):
        """Have the renewal invoicing cron run soon (after this transaction commits)."""
        cron = self.env.ref("prepaid_cloud_credit_renewal.ir_cron_prepaid_renewal_invoicing", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()

    # ------------------------------------------------------------------
    # Portal
    # ------------------------------------------------------------------

    @api.model
    def _portal_preview(self, services, choices, payment_method):
        """Price a basket the customer is about to confirm, writing nothing.

        :return: dict with ``lines`` (service, period, quantity, new expiry,
            net, VAT, total), the ``fee`` line or None, ``net``, ``tax``,
            ``total`` and ``currency``
        """
        choices = dict(choices)
        if payment_method == "bank_transfer":
            choices = {s: ("year", 1) if "year" in s.product_id.product_tmpl_id._prepaid_renewal_periods()
                       else ("month", 12) for s in services}
        self._check_choices(services, choices, payment_method)
        currency = services.currency_id
        company = services.company_id
        lines = []
        for service in services:
            period, quantity = choices.get(service, (service.period, 1))
            price = service._get_renewal_price(period)
            result = service._get_taxes().compute_all(price, currency=currency, quantity=quantity,
                                                      product=service.product_id, partner=service.partner_id)
            lines.append({
                "service": service, "period": period, "quantity": quantity,
                "new_expiry": service._next_expiry_date(period, quantity),
                "net": result["total_excluded"], "tax": result["total_included"] - result["total_excluded"],
                "total": result["total_included"],
            })
        fee = None
        if payment_method == "bank_transfer" and company.prepaid_renewal_transfer_fee > 0:
            fee_vals = self._prepare_fee_line_vals(company, services.partner_id)
            taxes = self.env["account.tax"].browse(fee_vals["tax_ids"][0][2])
            result = taxes.compute_all(fee_vals["price_unit"], currency=currency, partner=services.partner_id)
            fee = {"name": fee_vals["name"], "net": result["total_excluded"],
                   "tax": result["total_included"] - result["total_excluded"], "total": result["total_included"]}
        every = lines + ([fee] if fee else [])
        return {
            "lines": lines,
            "fee": fee,
            "net": currency.round(sum(line["net"] for line in every)),
            "tax": currency.round(sum(line["tax"] for line in every)),
            "total": currency.round(sum(line["total"] for line in every)),
            "currency": currency,
        }

    @api.model
    def _portal_order_kwargs(self, form):
        """Hook: the extra values of the order taken from the portal form
        (the Italian glue reads the CIG and the office code here).

        :param form: the other fields of the submitted form
        :return: keyword arguments for :meth:`_prepare_order_vals`
        """
        return {}
