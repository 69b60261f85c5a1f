# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import re
import uuid

from psycopg2.errors import UniqueViolation

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_amount
from odoo.tools.misc import clean_context

from ..ledger_storage import lock_rows

# The shape of a portal request key (uuid4().hex); anything else is ignored.
_REQUEST_KEY = re.compile(r"[0-9a-f]{32}")


class PrepaidRecharge(models.Model):
    """A customer's request to add paid credit: an order to pay first.

    Confirmed, it is a payment request (net, VAT, total; a PDF for a bank
    transfer), not a fiscal document. Under VAT at recharge the invoice is
    issued when the payment arrives, the tax point of a service, and is paid
    by it at once; under VAT at consumption the payment is an advance. It
    becomes a paid lot exactly once, when the invoice is paid or the advance
    posted. An abandoned or failed payment leaves no invoice behind.
    """

    _name = "prepaid.recharge"
    _description = "Prepaid Recharge"
    _inherit = ["mail.thread", "portal.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default=lambda self: _("New"))
    wallet_id = fields.Many2one(
        "prepaid.wallet", required=True, readonly=True, index=True, check_company=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(related="wallet_id.partner_id", store=True, index=True)
    company_id = fields.Many2one(related="wallet_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="wallet_id.currency_id", store=True)
    amount = fields.Monetary("Credit (net)", required=True, readonly=True)
    tax_amount = fields.Monetary("VAT", compute="_compute_totals", store=True)
    total_amount = fields.Monetary("Total", compute="_compute_totals", store=True)
    payment_method = fields.Selection(
        [("online", "Online payment"), ("bank_transfer", "Bank transfer")],
        default="online",
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("awaiting", "Awaiting payment"),
            ("paid", "Paid"),
            ("cancelled", "Cancelled"),
            ("failed", "Failed"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    invoice_id = fields.Many2one("account.move", readonly=True, copy=False, check_company=True)
    payment_id = fields.Many2one("account.payment", readonly=True, copy=False, check_company=True)
    transaction_id = fields.Many2one(
        "prepaid.wallet.transaction", string="Credit movement", readonly=True, copy=False
    )
    lot_id = fields.Many2one(
        "prepaid.credit.lot", compute="_compute_lot_id", string="Credit lot"
    )
    payment_ids = fields.One2many("account.payment", "prepaid_recharge_id", string="Payments", readonly=True)
    refund_due = fields.Boolean(
        compute="_compute_refund_due",
        store=True,
        help="A payment arrived after the recharge was paid or cancelled: it was not credited; refund it.",
    )
    # The key of the portal form that confirmed the recharge: the same form
    # sent again finds its recharge instead of creating a second one.
    portal_request_key = fields.Char(readonly=True, copy=False)

    _sql_constraints = [
        (
            "portal_request_key_uniq",
            "UNIQUE(wallet_id, portal_request_key)",
            "This recharge request was already confirmed.",
        ),
    ]

    @api.depends("amount", "wallet_id")
    def _compute_totals(self):
        for recharge in self:
            if not recharge.wallet_id:
                recharge.tax_amount = recharge.total_amount = 0.0
                continue
            taxes = recharge.wallet_id._prepaid_taxes()
            result = taxes.compute_all(recharge.amount, currency=recharge.currency_id, partner=recharge.partner_id)
            recharge.total_amount = result["total_included"]
            recharge.tax_amount = result["total_included"] - result["total_excluded"]

    @api.depends("payment_ids.prepaid_refund_due")
    def _compute_refund_due(self):
        for recharge in self:
            recharge.refund_due = any(recharge.payment_ids.mapped("prepaid_refund_due"))

    def _compute_lot_id(self):
        for recharge in self:
            recharge.lot_id = recharge.transaction_id.allocation_ids.filtered("is_creation").lot_id[:1]

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for recharge in self:
            recharge.access_url = f"/my/recharges/{recharge.id}"
        return result

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("prepaid.recharge") or _("New")
        recharges = super().create(vals_list)
        for recharge in recharges:
            # Same validation as every movement: positive, finite, currency decimals.
            recharge.wallet_id._prepaid_parse_amount(recharge.amount)
        return recharges

    @api.model
    def _prepare_recharge_vals(self, wallet, amount, payment_method="online", **kwargs):
        """Hook: the values of a new recharge; extensions take their own
        keyword arguments (the portal form's options, a plan...)."""
        return {"wallet_id": wallet.id, "amount": amount, "payment_method": payment_method}

    def action_confirm(self):
        """Issue the order to pay: a payment request, not an invoice yet."""
        for recharge in self.filtered(lambda r: r.state == "draft"):
            if recharge.company_id.prepaid_vat_policy == "recharge" and not recharge.company_id.prepaid_product_id:
                raise UserError(_("Configure the prepaid credit product of %(company)s first.",
                                  company=recharge.company_id.name))
            recharge.state = "awaiting"
        return True

    def action_register_payment(self):
        """Open a new incoming payment of this recharge (a bank transfer
        received): once posted it issues the invoice, pays it and grants the
        credit."""
        self.ensure_one()
        if self.state not in ("awaiting", "failed"):
            raise UserError(_("The recharge %(name)s is not waiting for a payment.", name=self.name))
        return {
            "type": "ir.actions.act_window",
            "name": _("Register payment"),
            "res_model": "account.payment",
            "view_mode": "form",
            "target": "current",
            "context": {
                "default_" + key: value for key, value in self._prepare_payment_vals().items()
            },
        }

    def _prepare_payment_vals(self, amount=None, journal=None, date=None):
        """Hook: the values of an incoming payment of this recharge.

        :param amount: the amount received, the recharge's total by default
        :param journal: the bank journal, the company's first one by default
        :param date: the value date, today by default
        """
        self.ensure_one()
        journal = journal or self.env["account.journal"].search([
            *self.env["account.journal"]._check_company_domain(self.company_id),
            ("type", "=", "bank"),
        ], limit=1)
        vals = {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": self.partner_id.id,
            "amount": self.total_amount if amount is None else amount,
            "currency_id": self.currency_id.id,
            "journal_id": journal.id,
            "memo": self.name,
            "prepaid_recharge_id": self.id,
        }
        if date:
            vals["date"] = date
        if self.company_id.prepaid_vat_policy == "consumption":
            vals["prepaid_wallet_id"] = self.wallet_id.id
        return vals

    def _prepaid_register_payment(self, amount=None, journal=None, date=None):
        """Register and post an incoming payment of this recharge (a bank
        transfer received), as the accountant does from the recharge.

        :return: the posted ``account.payment``
        """
        self.ensure_one()
        self.env["account.payment"].check_access("create")
        payment = self.env["account.payment"].create(self._prepare_payment_vals(amount, journal, date))
        payment.action_post()
        return payment

    def _prepaid_settle_payment(self, payment):
        """Settle this recharge with ``payment``, just posted (VAT at recharge).

        The invoice is issued at the payment's date (the tax point), posted,
        and reconciled with the payment: paid, it grants the credit once. A
        payment arriving once the recharge is paid or cancelled is flagged for
        a refund instead.

        :param payment: an incoming ``account.payment`` of the recharge
        :return: the invoice, or an empty recordset
        """
        self.ensure_one()
        # The payer (customer, provider notification, accountant) may have no
        # right on recharges or invoices; two payments are settled in turn. The
        # defaults of the payment form (journal, date...) are not the invoice's.
        recharge = self.sudo().with_context(clean_context(self.env.context))  # pylint: disable=context-overridden
        lock_rows(recharge)
        if recharge._prepaid_is_settled():
            recharge._prepaid_flag_extra_payment(payment)
            return self.env["account.move"]
        invoice = recharge.invoice_id
        if not invoice:
            invoice = recharge.invoice_id = recharge._create_invoice(payment.date)
        payment = payment.sudo()
        lines = (payment.move_id.line_ids | invoice.line_ids).filtered(
            lambda line: line.account_id == payment.destination_account_id and not line.reconciled
        )
        if len(lines.move_id) == 2:
            lines.reconcile()
        return invoice

    def _prepare_invoice_vals(self):
        """The recharge invoice. When the customer owes usage already
        supplied, it shows first what part of the recharge pays it: that part
        never becomes credit (the ledger repays the debt first)."""
        self.ensure_one()
        company = self.company_id
        currency = self.currency_id
        # sudo: the debt is the ledger's, read for whoever confirms the recharge.
        debt = currency.round(min(self.wallet_id.sudo().debt_amount, self.amount))
        lines = []
        if currency.compare_amounts(debt, 0) > 0:
            lines.append(Command.create({
                "product_id": company.prepaid_product_id.id,
                "name": _("Services already supplied, paid by recharge %(recharge)s", recharge=self.name),
                "quantity": 1,
                "price_unit": debt,
            }))
        if currency.compare_amounts(self.amount, debt) > 0:
            lines.append(Command.create({
                "product_id": company.prepaid_product_id.id,
                "name": _("Prepaid credit %(recharge)s", recharge=self.name),
                "quantity": 1,
                "price_unit": currency.round(self.amount - debt),
            }))
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "currency_id": currency.id,
            "company_id": company.id,
            "invoice_origin": self.name,
            "invoice_line_ids": lines,
        }

    def _create_invoice(self, date=None):
        """Issue and post the invoice of this recharge, dated ``date`` (the
        payment's), and let extensions act on it once posted."""
        self.ensure_one()
        if not self.company_id.prepaid_product_id:
            raise UserError(
                _("Configure the prepaid credit product of %(company)s first.", company=self.company_id.name)
            )
        vals = self._prepare_invoice_vals()
        if date:
            vals["invoice_date"] = date
        invoice = self.env["account.move"].sudo().with_company(self.company_id).create(vals)
        invoice.prepaid_recharge_id = self
        invoice.action_post()
        self._on_invoice_posted(invoice)
        return invoice

    def _on_invoice_posted(self, invoice):
        """Hook: the invoice of this recharge was just posted (sending it to
        the tax authority...). Never raise: the credit must not wait for it."""
        self.ensure_one()

    def action_cancel(self):
        """Cancel recharges not paid yet. A posted invoice is cancelled by a
        credit note, never by a reset to draft (which an invoice sent to the
        SdI, or one in a period with a tax lock date, cannot take)."""
        self._check_prepaid_manager()
        for recharge in self:
            if recharge.state == "paid":
                raise UserError(_("The recharge %(name)s is paid; refund its unused credit instead.",
                                  name=recharge.name))
            # sudo: a prepaid manager need not have invoicing rights; the credit note is the recharge's.
            invoice = recharge.invoice_id.sudo()
            if invoice.state == "posted" and invoice.payment_state not in ("reversed", "paid", "in_payment"):
                invoice._reverse_moves(
                    [{"invoice_date": fields.Date.context_today(self),
                      "ref": _("Cancellation of recharge %(recharge)s", recharge=recharge.name)}],
                    cancel=True,
                )
            elif invoice.state == "draft":
                invoice.button_cancel()
            recharge.state = "cancelled"
        return True

    def action_refund(self):
        """Open the refund of the unused credit of this paid recharge."""
        self.ensure_one()
        self._check_prepaid_manager()
        if self.state != "paid" or not self.lot_id:
            raise UserError(_("Only a paid recharge has credit to refund."))
        return self.lot_id.action_open_refund()

    def _check_prepaid_manager(self):
        if not self.env.su and not self.env.user.has_group("prepaid_cloud_credit.group_prepaid_manager"):
            raise AccessError(_("Only prepaid managers can cancel or refund recharges."))

    payment_transaction_ids = fields.One2many(
        "payment.transaction", "prepaid_recharge_id", string="Payment transactions", readonly=True
    )

    def _prepaid_payment_failed(self):
        """A payment attempt failed or was cancelled: the recharge is failed
        unless another attempt is still under way; the customer may retry."""
        for recharge in self.filtered(lambda r: r.state in ("draft", "awaiting")):
            if not recharge._prepaid_payments_under_way():
                recharge.state = "failed"

    def _prepaid_payment_started(self):
        """A payment transaction of the recharge was just created: it awaits
        that payment again after a failed attempt."""
        # The customer paying has no write right on its recharge.
        self.filtered(lambda r: r.state == "failed").sudo().state = "awaiting"

    def _prepaid_payments_under_way(self):
        """The payment transactions of the recharge that hold or took the
        customer's money: pending, authorized or done."""
        self.ensure_one()
        return self.payment_transaction_ids.filtered(lambda tx: tx.state in ("pending", "authorized", "done"))

    def _prepaid_check_new_payment(self):
        """Raise unless the customer may start a new payment of this recharge.

        A recharge is paid once: a new payment is refused once it is paid or
        cancelled, and while another payment is pending, authorized or done
        (its confirmation may still be on its way). A payment that arrives
        anyway is not credited but flagged for a refund (see
        :meth:`_prepaid_flag_extra_payment`).

        :raise ValidationError: with the reason, for the payment form
        """
        self.ensure_one()
        if self.state not in ("awaiting", "failed"):
            raise ValidationError(_("This recharge is not waiting for a payment."))
        if self._prepaid_payments_under_way():
            raise ValidationError(
                _("A payment of this recharge is already being processed: wait for its confirmation.")
            )

    def _prepaid_is_settled(self):
        """Whether a payment arriving now must not pay this recharge: it is
        paid (its credit granted) or cancelled."""
        self.ensure_one()
        return self.state in ("paid", "cancelled")

    def _prepaid_flag_extra_payment(self, payment):
        """Flag ``payment``, which arrived for this recharge once it was
        settled, for the accountant to refund it: it credits nothing.

        :param payment: the ``account.payment`` (posted, reconciled with nothing)
        """
        self.ensure_one()
        # The payer (customer, provider notification) has no rights on payments or recharges.
        payment = payment.sudo()
        payment.prepaid_extra_payment = True
        message = _(
            "Payment %(payment)s of %(amount)s arrived for the recharge %(recharge)s, which was already "
            "%(state)s. It was not credited to the wallet: refund it to the customer.",
            payment=payment.name,
            amount=format_amount(self.env, payment.amount, payment.currency_id),
            recharge=self.name,
            state=dict(self._fields["state"]._description_selection(self.env))[self.state],
        )
        self.sudo().message_post(body=message)
        payment.message_post(body=message)
        payment.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=_("Refund a second payment of %(recharge)s", recharge=self.name),
            note=message,
            user_id=self._prepaid_refund_responsible().id,
        )

    def _prepaid_refund_responsible(self):
        """Who refunds an extra payment: an accounting administrator of the
        recharge's company, else a prepaid manager, else the administrator."""
        self.ensure_one()
        # Looking up users and groups is no right of the payer.
        Users = self.env["res.users"].sudo()
        for xmlid in ("account.group_account_manager", "prepaid_cloud_credit.group_prepaid_manager"):
            group = self.env.ref(xmlid, raise_if_not_found=False)
            user = group and Users.search([
                ("groups_id", "in", group.id),
                ("share", "=", False),
                ("company_ids", "in", self.company_id.id),
            ], order="id", limit=1)
            if user:
                return user
        return self.env.ref("base.user_admin")

    # ------------------------------------------------------------------
    # Portal service
    # ------------------------------------------------------------------

    @api.model
    def _prepaid_portal_preview(self, wallet, amount, payment_method="online", throttle=None, extra=None,
                                **options):
        """Check a recharge the customer is about to confirm and price it.

        :param throttle: dict with the ``user`` and ``ip`` whose failed
            attempts extensions count and limit (the portal's)
        :param extra: the extra recharge fields of the form (see
            :meth:`_prepaid_check_portal_extra`)
        :param options: the recharge form's options that extensions read
            (see :meth:`_prepaid_preview_bonus`)
        :return: dict with ``amount`` (net), ``tax``, ``total``, ``bonus`` and
            ``currency``; raises a translated error on bad input
        """
        value = wallet._prepaid_parse_amount(amount)
        limits = wallet._prepaid_recharge_limits()
        currency = wallet.currency_id
        if limits["min"] and value < limits["min"]:
            raise ValidationError(_(
                "The minimum recharge is %(amount)s.", amount=format_amount(self.env, limits["min"], currency)
            ))
        if limits["max"] and value > limits["max"]:
            raise ValidationError(_(
                "The maximum recharge is %(amount)s.", amount=format_amount(self.env, limits["max"], currency)
            ))
        if payment_method not in ("online", "bank_transfer"):
            raise ValidationError(_("Choose a payment method."))
        self._prepaid_check_portal_extra(wallet, payment_method, extra or {})
        taxes = wallet._prepaid_taxes()
        result = taxes.compute_all(value, currency=currency, partner=wallet.partner_id)
        return {
            "amount": value,
            "tax": currency.round(result["total_included"] - result["total_excluded"]),
            "total": currency.round(result["total_included"]),
            "bonus": self._prepaid_preview_bonus(wallet, value, throttle=throttle, **options),
            "currency": currency,
        }

    @api.model
    def _prepaid_preview_bonus(self, wallet, amount, throttle=None, **options):
        """Hook: the bonus credit the recharge's options give (none here).

        :return: the bonus amount; raises a translated error when an option
            does not apply
        """
        return 0.0

    @api.model
    def _prepaid_check_portal_extra(self, wallet, payment_method, extra):
        """Hook: check the extra fields of the portal form (raise a
        translated error); extensions that add fields check them here."""
        unknown = set(extra) - set(self._prepaid_portal_extra_fields(wallet))
        if unknown:
            raise ValidationError(_("Unexpected fields in the recharge form."))

    @api.model
    def _prepaid_portal_extra_fields(self, wallet):
        """Hook: the names of the extra portal form fields this wallet's
        customer fills in (recharge fields, passed to
        :meth:`_prepare_recharge_vals`)."""
        return []

    @api.model
    def _prepaid_new_portal_request_key(self):
        """A fresh key for a recharge form about to be confirmed."""
        return uuid.uuid4().hex

    @api.model
    def _prepaid_find_portal_request(self, wallet, request_key):
        """The recharge already confirmed from the form of ``request_key``, if any."""
        if not _REQUEST_KEY.fullmatch(request_key or ""):
            return self.browse()
        return self.search([("wallet_id", "=", wallet.id), ("portal_request_key", "=", request_key)], limit=1)

    @api.model
    def _prepaid_portal_create(self, wallet, amount, payment_method="online", request_key=None, extra=None,
                               **options):
        """Create and confirm the recharge the customer asked for.

        :param request_key: the key of the form (see
            :meth:`_prepaid_new_portal_request_key`); text of another shape is
            ignored
        :return: the recharge, or None when a parallel submission of the
            same form created it first
        """
        extra = dict(extra or {})
        self._prepaid_portal_preview(wallet, amount, payment_method, extra=extra, **options)
        value = wallet._prepaid_parse_amount(amount)
        extra.update({name: value for name, value in options.items() if value})
        vals = self._prepare_recharge_vals(wallet, value, payment_method, **extra)
        if _REQUEST_KEY.fullmatch(request_key or ""):
            vals["portal_request_key"] = request_key
        try:
            with self.env.cr.savepoint():
                recharge = self.create(vals)
                self.env.flush_all()
        except UniqueViolation:
            return None
        recharge.action_confirm()
        return recharge

    def _prepaid_lot_expiry_date(self, wallet, product=None):
        """The expiry of the paid lot that this recharge gives, or, on an
        empty recordset, that a sale of ``product`` gives (an invoice made
        by hand).

        Set by the source of the credit: the recharge product's policy
        (``product``, else the company's prepaid credit product), else the
        company default for paid credit. Extensions put their own source
        first (a plan).

        :return: a date, False (never) or None (the company default)
        """
        product = product or wallet.company_id.prepaid_product_id
        if product:
            return product.product_tmpl_id._prepaid_expiry_date(wallet._prepaid_today())
        return None

    def _mark_paid(self, credit_tx):
        """Record the credit movement; ``_on_paid`` runs once per recharge."""
        for recharge in self:
            if recharge.state == "paid":
                continue
            recharge.write({"state": "paid", "transaction_id": credit_tx.id})
            recharge._on_paid()

    def _on_paid(self):
        """Hook: the recharge has just become credit (extensions grant what it bought)."""
        self.ensure_one()
