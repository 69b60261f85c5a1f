# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import api, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..parsing import check_text, parse_whole
from ..platform import check_platform_code, client_links, result, validate_batch

INVOICE_SPEC = {"id": "id", "client_id": "id", "amount": "amount+", "currency": "text?", "date_paid": "datetime"}
MAX_MOVEMENTS = 1000


# The hosting platform's integration methods, kept apart from the rest of the model.
class PrepaidWallet(models.Model):
    _inherit = "prepaid.wallet"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Public API for the hosting bridge (integration group)
    # ------------------------------------------------------------------

    @api.model
    def _platform_invoice_key(self, platform_code, invoice_id):
        """The ledger key of a platform's add-funds invoice: an internal key
        (no caller's key can take it, see ``_prepaid_caller_key``), per company
        since two companies may run platforms of the same name."""
        return f"platform:{platform_code}:{self.env.company.id}:invoice:{invoice_id}"

    @api.model
    def platform_credit_invoices(self, platform_code, invoices):
        """Credit the add-funds invoices paid on a platform, once each.

        Each invoice becomes one paid credit lot in its client's wallet, under
        a key made of the platform invoice id: the same invoice again is
        ``replayed``, with another amount or client it is ``refused``.

        :param platform_code: the platform installation (``whmcs``)
        :param invoices: at most 1,000 dicts with ``id``, ``client_id``,
            ``amount`` (net of VAT, decimal text), ``currency`` and ``date_paid``
        :return: one dict per invoice, in order: ``platform_id``, ``status``
            (``done``, ``replayed`` or ``refused``), ``transaction_id``,
            ``wallet_id``, ``error``
        :raise ValidationError: a malformed batch; nothing is written
        """
        self._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        check_platform_code(self.env, platform_code)
        records = validate_batch(self.env, invoices, INVOICE_SPEC)
        # The group check above is the access control; money moves through the ledger alone.
        links = client_links(self.env, platform_code, [r["client_id"] for r in records])
        keys = {r["id"]: self._platform_invoice_key(platform_code, r["id"]) for r in records}
        Transaction = self.env["prepaid.wallet.transaction"].sudo()
        existing = {
            tx.idempotency_key: tx for tx in Transaction.search([("idempotency_key", "in", list(keys.values()))])
        }
        results = [None] * len(records)
        todo = []
        for index, record in enumerate(records):
            link = links.get(record["client_id"])
            if not link:
                results[index] = self._platform_refused(record, self.env._(
                    "Unknown client %(id)s of %(platform)s: send the client first.",
                    id=record["client_id"], platform=platform_code))
                continue
            wallet = link.wallet_id
            if record["currency"] and record["currency"].strip().upper() != wallet.currency_id.name:
                results[index] = self._platform_refused(record, self.env._(
                    "The wallet %(wallet)s is in %(currency)s, not %(code)s.",
                    wallet=wallet.display_name, currency=wallet.currency_id.name, code=record["currency"]))
                continue
            todo.append((wallet.id, index, record, wallet.sudo()))
        # Wallets in id order: two batches never wait on each other in a cycle.
        for _wallet_id, index, record, wallet in sorted(todo, key=lambda item: (item[0], item[1])):
            key = keys[record["id"]]
            tx = existing.get(key)
            if tx:
                try:
                    tx._check_same_movement(wallet, "credit", wallet._prepaid_parse_amount(record["amount"]))
                except (UserError, ValidationError) as error:
                    results[index] = self._platform_refused(record, str(error), wallet)
                else:
                    results[index] = result(record["id"], "replayed", transaction_id=tx.id, wallet_id=wallet.id)
                continue
            try:
                with self.env.cr.savepoint():
                    tx = wallet._ledger_apply(
                        "credit", record["amount"], key, kind="paid",
                        description=wallet._customer_env()._(
                            "Add-funds invoice %(id)s paid on %(platform)s", id=record["id"], platform=platform_code
                        ),
                    )
            except (UserError, ValidationError) as error:
                results[index] = self._platform_refused(record, str(error), wallet)
                continue
            existing[key] = tx
            results[index] = result(record["id"], "done", transaction_id=tx.id, wallet_id=wallet.id)
        return results

    @api.model
    def _platform_refused(self, record, error, wallet=None):
        return result(record["id"], "refused", transaction_id=False, wallet_id=wallet.id if wallet else False,
                      error=error)

    @api.model
    def platform_movements(self, platform_code, after=0, limit=500):
        """The ledger movements of a platform's clients' wallets, for the credit mirror.

        :param after: only movements with an id above this one
        :param limit: at most this many (1 to 1,000)
        :return: ``{"movements": [...], "cursor": <last id>, "more": bool}``,
            each movement with ``id``, ``reference``, ``client_id``,
            ``wallet_id``, ``currency``, ``amount`` (signed decimal text),
            ``balance`` (after it), ``date`` and ``origin`` (the platform
            invoice key of a credit that came from the platform, else false)
        """
        self._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        check_platform_code(self.env, platform_code)
        after = parse_whole(after, self.env._("The cursor"))
        if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= MAX_MOVEMENTS:
            raise ValidationError(self.env._("The limit must be a whole number between 1 and %(max)s.",
                                             max=MAX_MOVEMENTS))
        self.env["prepaid.wallet.transaction"].flush_model()
        self.env["prepaid.platform.client"].flush_model()
        rows = self.env.execute_query(SQL(
            """
            SELECT t.id, l.platform_id, t.wallet_id, c.name, c.decimal_places, t.amount, t.balance_after,
                   to_char(t.date, 'YYYY-MM-DD HH24:MI:SS'), t.idempotency_key
              FROM prepaid_wallet_transaction t
              JOIN prepaid_platform_client l ON l.wallet_id = t.wallet_id
              JOIN res_currency c ON c.id = t.currency_id
             WHERE l.company_id = %(company)s AND l.platform_code = %(code)s AND t.id > %(after)s
          ORDER BY t.id
             LIMIT %(limit)s
            """,
            company=self.env.company.id, code=platform_code, after=after, limit=limit + 1,
        ))
        own = f"platform:{platform_code}:"
        movements = [
            {
                "id": tx_id,
                "reference": f"PCC-{tx_id}",
                "client_id": client_id,
                "wallet_id": wallet_id,
                "currency": currency,
                "amount": f"{amount:.{digits}f}",
                "balance": f"{balance:.{digits}f}",
                "date": date,
                "origin": key if key.startswith(own) else False,
            }
            for tx_id, client_id, wallet_id, currency, digits, amount, balance, date, key in rows[:limit]
        ]
        return {
            "movements": movements,
            "cursor": movements[-1]["id"] if movements else after,
            "more": len(rows) > limit,
        }

    @api.model
    def _platform_cursor_name(self, platform_code, name):
        check_platform_code(self.env, platform_code)
        if not isinstance(name, str) or not name.strip() or len(name) > 64:
            raise ValidationError(self.env._("A cursor name is text of 1 to 64 characters."))
        check_text(name, self.env._("The cursor name"))
        return name.strip()

    @api.model
    def platform_models(self, models):
        """Which of the prepaid models ``models`` this database has: a bridge
        asks once which integration methods and command queues exist (the
        features are addons, installed or not).

        :param models: at most 50 model names, each starting with ``prepaid.``
        :return: the names among them that are installed, in the order given
        """
        self._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        if not isinstance(models, (list, tuple)) or len(models) > 50 or not all(
            isinstance(name, str) and name.startswith("prepaid.") for name in models
        ):
            raise ValidationError(self.env._("Send a list of at most 50 model names starting with prepaid."))
        return [name for name in models if name in self.env]

    @api.model
    def platform_get_cursor(self, platform_code, name):
        """How far the flow ``name`` of a platform's bridge got (``0`` at first)."""
        self._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        name = self._platform_cursor_name(platform_code, name)
        # Group checked above; the cursors of the caller's company only.
        cursor = self.env["prepaid.platform.cursor"].sudo().search([
            ("company_id", "=", self.env.company.id), ("platform_code", "=", platform_code), ("name", "=", name),
        ])
        return cursor.value or 0

    @api.model
    def platform_set_cursor(self, platform_code, name, value):
        """Move the cursor ``name`` forward to ``value``; never back.

        :return: the cursor after the call (``value`` or a later one that
            another bridge already set)
        """
        self._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        name = self._platform_cursor_name(platform_code, name)
        value = parse_whole(value, self.env._("The cursor"))
        if value > 2**31 - 1:
            raise ValidationError(self.env._("The cursor %(value)s is too large.", value=value))
        Cursor = self.env["prepaid.platform.cursor"]
        Cursor.flush_model()
        # One statement: two bridges moving it at once keep the larger value.
        rows = self.env.execute_query(SQL(
            """
            INSERT INTO prepaid_platform_cursor
                   (company_id, platform_code, name, value, create_uid, write_uid, create_date, write_date)
            VALUES (%(company)s, %(code)s, %(name)s, %(value)s, %(uid)s, %(uid)s,
                    now() at time zone 'UTC', now() at time zone 'UTC')
            ON CONFLICT (company_id, platform_code, name) DO UPDATE
               SET value = GREATEST(prepaid_platform_cursor.value, EXCLUDED.value),
                   write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
         RETURNING value
            """,
            company=self.env.company.id, code=platform_code, name=name, value=value, uid=self.env.uid,
        ))
        Cursor.invalidate_model(["value"])
        return rows[0][0]
