# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# One DNS label: letters, digits and inner hyphens, at most 63 characters.
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def tld_format_error(env, name):
    """Return why ``name`` is not a TLD such as ``.com`` or ``.co.uk``, or None.

    Lowercase ASCII only: an internationalised TLD is written in punycode
    (``.xn--p1ai``), and must decode.

    :param env: the environment whose language the message is in
    :param name: the candidate TLD
    """
    _ = env._
    if not isinstance(name, str) or not name.startswith(".") or len(name) < 3 or len(name) > 64:
        return _("a TLD starts with a dot, like .com or .co.uk")
    if name != name.lower():
        return _("a TLD is written in lowercase")
    labels = name[1:].split(".")
    for label in labels:
        if not _LABEL.match(label):
            return _("%(label)s is not a valid DNS label", label=label or "''")
        if label[2:4] == "--":
            if not label.startswith("xn--"):
                return _("%(label)s: only punycode labels (xn--) may have -- in third position", label=label)
            try:
                label.encode("ascii").decode("idna")
            except UnicodeError:
                return _("%(label)s is not valid punycode", label=label)
    if labels[-1].isdigit():
        return _("the last label of a TLD cannot be numeric")
    return None


class PrepaidDomainTld(models.Model):
    _name = "prepaid.domain.tld"
    _description = "Domain Extension (TLD)"
    _order = "sequence, name"

    name = fields.Char("Extension", required=True, help="With its leading dot: .com, .co.uk, .xn--p1ai")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    grace_days = fields.Integer(
        "Renewal grace period (days)",
        default=30,
        help="After the expiry date a domain can still be renewed for this many days; "
        "after it, only restored.",
    )
    display_label = fields.Char(compute="_compute_display_label", string="Unicode")

    _sql_constraints = [("name_uniq", "UNIQUE(name)", "This extension already exists.")]

    @api.depends("name")
    def _compute_display_label(self):
        for tld in self:
            try:
                tld.display_label = ".".join(
                    label.encode("ascii").decode("idna") for label in (tld.name or "").split(".")
                )
            except UnicodeError:
                tld.display_label = tld.name

    @api.constrains("name")
    def _check_name(self):
        for tld in self:
            error = tld_format_error(self.env, tld.name)
            if error:
                raise ValidationError(_("%(tld)s is not a TLD: %(error)s.", tld=tld.name, error=error))

    @api.constrains("grace_days")
    def _check_grace_days(self):
        for tld in self:
            if tld.grace_days < 0:
                raise ValidationError(_("The grace period cannot be negative."))

    @api.model
    def _find_for_domain_name(self, domain_name):
        """The longest known extension that ends ``domain_name`` (``.co.uk``
        before ``.uk``), or an empty recordset."""
        labels = (domain_name or "").lower().split(".")
        candidates = ["." + ".".join(labels[i:]) for i in range(1, len(labels))]
        tlds = self.with_context(active_test=False).search([("name", "in", candidates)])
        return tlds.sorted(lambda t: -len(t.name))[:1]
