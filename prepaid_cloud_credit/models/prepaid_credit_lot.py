# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import AccessError


class PrepaidCreditLot(models.Model):
    _name = "prepaid.credit.lot"
    _inherit = ["prepaid.wallet.ledger.mixin"]
    _description = "Prepaid Credit Lot"
    _order = "wallet_id, expiry_date asc nulls last, id"
    _check_company_auto = True

    kind = fields.Selection(
        [("paid", "Paid"), ("bonus", "Bonus"), ("voucher", "Voucher")],
        required=True,
        readonly=True,
    )
    original_amount = fields.Monetary(readonly=True)
    remaining_amount = fields.Monetary(readonly=True)
    # What the lot is worth on the customer prepayments account, fixed when
    # it opens: its consumption takes the same share of these as of the
    # original amount, so the account empties exactly as the credit is used.
    booked_amount = fields.Monetary(
        "Booked value",
        readonly=True,
        help="The lot's value on the customer prepayments account, in the wallet currency: net of VAT under "
        "VAT at recharge, with the VAT still to charge under VAT at consumption.",
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company currency")
    booked_balance = fields.Monetary(
        "Booked value in company currency",
        currency_field="company_currency_id",
        readonly=True,
        help="The booked value at the rate of the document that paid the credit (IFRIC 22: the advance "
        "keeps its rate), or of the day the lot opened when no cash paid it.",
    )
    consumed_amount = fields.Monetary(compute="_compute_consumed_amount")
    expiry_date = fields.Date(
        readonly=True, index=True, help="From this day on the lot can no longer be spent."
    )
    state = fields.Selection(
        [("open", "Open"), ("exhausted", "Used up"), ("expired", "Expired")],
        default="open",
        required=True,
        readonly=True,
        index=True,
    )
    source_transaction_id = fields.Many2one(
        "prepaid.wallet.transaction", readonly=True, string="Opening transaction"
    )
    source_ref = fields.Reference(
        related="source_transaction_id.source_ref", string="Source document"
    )
    replaced_lot_id = fields.Many2one(
        "prepaid.credit.lot",
        readonly=True,
        help="The expired lot whose refunded credit this lot holds.",
    )
    allocation_ids = fields.One2many("prepaid.wallet.allocation", "lot_id", readonly=True)

    @api.depends("original_amount", "remaining_amount")
    def _compute_consumed_amount(self):
        for lot in self:
            lot.consumed_amount = lot.original_amount - lot.remaining_amount

    @api.depends("kind", "original_amount", "currency_id")
    @api.depends_context("lang")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for lot in self:
            lot.display_name = _(
                "%(kind)s lot #%(id)s", kind=kinds.get(lot.kind, ""), id=lot.id or "-"
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_ledger_write()
        return super().create(vals_list)

    def write(self, vals):
        self._check_ledger_write()
        return super().write(vals)

    def unlink(self):
        self._check_ledger_write(unlink=True)
        return super().unlink()

    def action_open_refund(self):
        """Open the refund of this lot's unused credit to the customer."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Refund unused credit"),
            "res_model": "prepaid.credit.lot.refund",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lot_id": self.id, "default_amount": self.remaining_amount},
        }

    def _booked_value(self, position):
        """The booked value of ``position`` (an amount of this lot's credit,
        from zero to the original amount): the same share of the lot's
        booked values, rounded.

        :return: (amount in the wallet currency, balance in the company currency)
        """
        self.ensure_one()
        return self._booked_value_of(
            position, self.original_amount, self.booked_amount, self.booked_balance,
            self.currency_id, self.company_id.currency_id,
        )

    @api.model
    def _booked_value_of(self, position, original, booked_amount, booked_balance, currency, company_currency):
        if not original:
            return 0.0, 0.0
        share = position / original
        return currency.round(booked_amount * share), company_currency.round(booked_balance * share)

    def _check_ledger_write(self, unlink=False):
        # Lots change only through the ledger service, which runs in sudo
        # after checking its caller; a lot is never deleted.
        if unlink or not self.env.su:
            raise AccessError(_("Credit lots change only through wallet movements."))
