# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import secrets

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.prepaid_cloud_credit.models.prepaid_expiry_mixin import expiry_from_policy

# No 0/O, 1/I/L or U/V look-alikes: customers copy codes from paper and screens.
VOUCHER_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
VOUCHER_CODE_PREFIX = "PCC"
VOUCHER_CODE_GROUPS = 3
VOUCHER_CODE_GROUP_SIZE = 4
# A batch is generated in one transaction: keep it reasonable.
MAX_CODES_PER_BATCH = 100000


class PrepaidVoucherBatch(models.Model):
    """A set of voucher codes worth the same credit, sold or given away together."""

    _name = "prepaid.voucher.batch"
    _description = "Prepaid Voucher Batch"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id, tracking=True
    )
    amount = fields.Monetary(
        "Credit per code", required=True, tracking=True, help="Voucher credit given by one use of a code, net of VAT."
    )
    redeem_until = fields.Date(
        "Redeemable until",
        tracking=True,
        help="Last day on which the codes can be activated (inclusive). Empty: no limit.",
    )
    expiry_policy = fields.Selection(
        [
            ("company", "Company policy"),
            ("never", "Never"),
            ("months", "Months after activation"),
            ("date", "Fixed date"),
        ],
        string="Credit expiry",
        required=True,
        default="company",
        tracking=True,
        help="When the voucher credit of an activated code expires.",
    )
    expiry_months = fields.Integer("Expires after (months)", default=12)
    expiry_date = fields.Date("Credit expires on")
    max_uses = fields.Integer(
        "Uses per code", required=True, default=1, help="How many activations one code allows in total."
    )
    max_uses_per_customer = fields.Integer(
        "Uses per customer", required=True, default=1, help="How many times one customer may activate the same code."
    )
    code_count = fields.Integer("Number of codes", required=True, default=10)
    state = fields.Selection(
        [("draft", "Draft"), ("active", "Active"), ("archived", "Archived")],
        required=True,
        default="draft",
        tracking=True,
        index=True,
    )
    voucher_ids = fields.One2many("prepaid.voucher", "batch_id", string="Codes")
    generated_count = fields.Integer("Codes generated", compute="_compute_counts")
    redemption_count = fields.Integer("Activations", compute="_compute_counts")
    redeemed_amount = fields.Monetary("Credit given", compute="_compute_counts")

    def _compute_counts(self):
        vouchers = dict(
            self.env["prepaid.voucher"].with_context(active_test=False)._read_group(
                [("batch_id", "in", self.ids)], ["batch_id"], ["__count"]
            )
        )
        redemptions = {
            batch: (count, total)
            for batch, count, total in self.env["prepaid.voucher.redemption"]._read_group(
                [("batch_id", "in", self.ids)], ["batch_id"], ["__count", "amount:sum"]
            )
        }
        for batch in self:
            batch.generated_count = vouchers.get(batch, 0)
            batch.redemption_count, batch.redeemed_amount = redemptions.get(batch, (0, 0.0))

    @api.constrains("amount", "max_uses", "max_uses_per_customer", "code_count", "expiry_policy",
                    "expiry_months", "expiry_date", "redeem_until")
    def _check_values(self):
        for batch in self:
            if batch.currency_id.compare_amounts(batch.amount, 0) <= 0:
                raise ValidationError(_("The credit per code must be greater than zero."))
            if batch.max_uses < 1 or batch.max_uses_per_customer < 1:
                raise ValidationError(_("A code allows at least one use in total and per customer."))
            if batch.max_uses_per_customer > batch.max_uses:
                raise ValidationError(_("The uses per customer cannot exceed the uses per code."))
            if not 0 < batch.code_count <= MAX_CODES_PER_BATCH:
                raise ValidationError(
                    _("A batch has between 1 and %(max)s codes.", max=MAX_CODES_PER_BATCH)
                )
            if batch.expiry_policy == "months" and batch.expiry_months <= 0:
                raise ValidationError(_("An expiry in months needs a positive number of months."))
            if batch.expiry_policy == "date":
                if not batch.expiry_date:
                    raise ValidationError(_("Set the date on which the voucher credit expires."))
                # Otherwise a code activated on its last day would give credit already expired.
                if batch.redeem_until and batch.expiry_date <= batch.redeem_until:
                    raise ValidationError(
                        _("The credit must expire after the last day on which the codes can be activated.")
                    )

    def write(self, vals):
        # What a customer was promised by an activated code must not change behind its back.
        frozen = {"amount", "currency_id", "company_id"} & set(vals)
        if frozen and self._has_activated_codes():
            raise UserError(
                _("The credit, currency and company of a batch with activated codes cannot change.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        if self._has_activated_codes():
            raise UserError(_("A batch with activated codes cannot be deleted; archive it instead."))

    def _has_activated_codes(self):
        # Archived codes count too; the manager may not see every code.
        return bool(
            self.env["prepaid.voucher"].sudo().with_context(active_test=False).search_count(
                [("batch_id", "in", self.ids), ("use_count", ">", 0)], limit=1
            )
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_generate_codes(self):
        """Generate the codes still missing to reach the number of codes."""
        for batch in self:
            if batch.state == "archived":
                raise UserError(_("The batch %(name)s is archived.", name=batch.name))
            missing = batch.code_count - self.env["prepaid.voucher"].with_context(active_test=False).search_count(
                [("batch_id", "=", batch.id)]
            )
            if missing > 0:
                self.env["prepaid.voucher"].create(
                    [batch._prepare_voucher_vals(code) for code in batch._new_codes(missing)]
                )
        return True

    def action_activate(self):
        for batch in self:
            if not batch.with_context(active_test=False).voucher_ids:
                raise UserError(_("Generate the codes of %(name)s before activating it.", name=batch.name))
        self.state = "active"
        return True

    def action_archive_batch(self):
        self.state = "archived"
        return True

    def action_reset_to_draft(self):
        self.state = "draft"
        return True

    def action_view_codes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("prepaid_cloud_credit_voucher.prepaid_voucher_action")
        action["domain"] = [("batch_id", "=", self.id)]
        action["context"] = {"default_batch_id": self.id, "active_test": False}
        return action

    def action_view_redemptions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prepaid_cloud_credit_voucher.prepaid_voucher_redemption_action"
        )
        action["domain"] = [("batch_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _prepare_voucher_vals(self, code):
        """Hook: the values of one new code of this batch."""
        self.ensure_one()
        return {"batch_id": self.id, "code": code}

    def _new_codes(self, count):
        """Return ``count`` random codes that no voucher uses yet.

        With 29^12 (about 3.5e17) possible codes a collision is rare; the
        unique index stays the guarantee, this only avoids tripping over it.
        """
        Voucher = self.env["prepaid.voucher"].sudo().with_context(active_test=False)
        codes = set()
        while len(codes) < count:
            wanted = count - len(codes)
            candidates = {self._random_code() for _i in range(wanted)} - codes
            taken = set(Voucher.search([("code", "in", list(candidates))]).mapped("code"))
            codes |= candidates - taken
        return sorted(codes)

    @api.model
    def _random_code(self):
        groups = [
            "".join(secrets.choice(VOUCHER_CODE_ALPHABET) for _i in range(VOUCHER_CODE_GROUP_SIZE))
            for _g in range(VOUCHER_CODE_GROUPS)
        ]
        return "-".join([VOUCHER_CODE_PREFIX, *groups])

    def _lot_expiry_date(self, activation_date):
        """The expiry date of the voucher lot of a code activated on ``activation_date``.

        :return: a date, False (never), or None for the company policy
        """
        self.ensure_one()
        return expiry_from_policy(self.expiry_policy, self.expiry_months, self.expiry_date, activation_date)
