# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Who a portal route acts for.

On the portal every user is a customer: a route acts for the commercial
partner of the logged-in user, whatever that user's backend groups. An
internal user with *Prepaid Credit / User* may read every wallet in the
backend; on the portal it reaches its own wallets only, so record rules and
read rights (which ``_document_check_access`` relies on) are not the test
here: the owner of the record is.
"""

from odoo.http import request
from odoo.tools import consteq

from ..parsing import has_forbidden_characters


def own_commercial_partner():
    """The customer the logged-in user acts for (empty for the public user)."""
    user = request.env.user
    if user._is_public():
        return request.env["res.partner"]
    return user.partner_id.commercial_partner_id


def own_search_domain():
    """Domain of the records of the logged-in user's customer (``partner_id``)."""
    return [("partner_id", "child_of", own_commercial_partner().id or 0)]


def readable_count(model, domain, limit=None):
    """How many records of ``model`` (an empty recordset) match ``domain``
    for its environment's user: 0, without a query, for a user without read
    access, so that a portal counter or list never raises for a customer who
    has none.

    :param limit: stop counting there (``1`` tells whether there is any)
    """
    return model.search_count(domain, limit=limit) if model.has_access("read") else 0


def valid_access_token(record_sudo, access_token):
    """Whether ``access_token`` is the record's share token.

    Compared in constant time; text that cannot be a token (not ASCII, or
    holding a NUL) is simply not one, where the comparison would raise.
    """
    token = record_sudo.access_token
    return bool(
        token
        and isinstance(access_token, str)
        and access_token.isascii()
        and not has_forbidden_characters(access_token)
        and consteq(token, access_token)
    )


def own_record(model_name, record_id, access_token=None):
    """The record, in sudo, when it belongs to the logged-in user's customer.

    :param record_id: the id from the URL
    :param access_token: the record's share token, for pages that only show
        the record; routes that write never pass it, so a link shared with
        someone else never lets them act for the customer
    :return: the record in sudo, or None
    """
    # Read in sudo: who may act on it is decided below by its owner, not by read rights.
    record_sudo = request.env[model_name].sudo().browse(record_id).exists()
    if not record_sudo:
        return None
    partner = own_commercial_partner()
    if partner and record_sudo.partner_id.commercial_partner_id == partner:
        return record_sudo
    if access_token is not None and valid_access_token(record_sudo, access_token):
        return record_sudo
    return None
