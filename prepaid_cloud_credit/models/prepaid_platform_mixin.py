# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..platform import (
    BULK_CONTEXT,
    check_platform_code,
    client_links,
    create_with_defaults,
    lock_platform,
    result,
    validate_batch,
    validate_ids,
)


class PrepaidPlatformMixin(models.AbstractModel):
    """Records a hosting platform is the source of, synced by its bridge.

    Holds what every ``platform_upsert_*`` and ``platform_read_*`` method of
    the features does the same way: the group check, the whole-batch
    validation, the lock of the platform's records of a kind, the lookup of
    the stored records by (company, platform, platform id), the client's
    partner and wallet, the split between records to create and to write,
    and the answer of each record (see ``hosting_bridge/CONTRACT.md``).

    A model that inherits it gives what is its own:

    - :attr:`_platform_kind` and :attr:`_platform_spec`: the name of its
      records in the platform lock and the spec of a record (see
      :func:`~odoo.addons.prepaid_cloud_credit.platform.validate_batch`);
    - :attr:`_platform_command_model`: its command queue, if any;
    - :attr:`_platform_id_field`: the field that keeps the platform id,
      and :meth:`_platform_stored_id` when it keeps it otherwise than as is;
    - :attr:`_platform_link_field` and :meth:`_platform_link_value`: how a
      record not linked yet is found on its first sync, if it can be;
    - :meth:`_prepare_platform_vals` (the values of a record) and
      :meth:`_platform_read_vals` (what a reconciliation reads of it);
    - and, where it needs them, the hooks :meth:`_platform_context`,
      :meth:`_platform_batch`, :meth:`_platform_refusal`,
      :meth:`_platform_write` and :meth:`_platform_create`.
    """

    _name = "prepaid.platform.mixin"
    _description = "Hosting Platform Record"

    #: The kind of records in the platform lock (``servers``, ``domains``...).
    _platform_kind = None
    #: The spec of a record of the platform (key -> kind).
    _platform_spec = None
    #: The field that keeps the record's platform id (with ``platform_code``).
    _platform_id_field = "platform_id"
    #: A field that finds a record not linked yet, on its first sync (or None).
    _platform_link_field = None
    #: The command queue (a ``prepaid.platform.command.mixin``) of the
    #: records, if they have one: a record with a command on its way to the
    #: platform is in the ``busy`` recordset of :meth:`_platform_batch`.
    _platform_command_model = None

    platform_payload = fields.Json(readonly=True, copy=False)

    # ------------------------------------------------------------------
    # Hooks of the features
    # ------------------------------------------------------------------

    @api.model
    def _platform_stored_id(self, platform_id):
        """The value :attr:`_platform_id_field` keeps for ``platform_id``."""
        return platform_id

    @api.model
    def _platform_link_value(self, platform_code, record):
        """The value of :attr:`_platform_link_field` that a platform record
        not linked yet matches, on its first sync."""
        raise NotImplementedError

    @api.model
    def _platform_context(self):
        """The context the records are written with (an extension hook)."""
        return dict(BULK_CONTEXT)

    @api.model
    def _platform_batch(self, platform_code, records, existing):
        """What the model reads once for a whole batch, handed to the other
        hooks (an extension hook).

        :param records: the validated records
        :param existing: platform id -> the stored record, for the ids stored
        :return: a dict; with ``busy``, the stored records that have a
            command on its way, when the model has a command queue
        """
        if not self._platform_command_model:
            return {}
        stored = self.browse([target.id for target in existing.values()])
        return {"busy": self.env[self._platform_command_model]._busy_targets(stored)}

    @api.model
    def _platform_refusal(self, platform_code, record, target, client, batch):
        """Why a well-formed platform record is refused, or False (an extension hook).

        :param target: the stored record, or an empty recordset
        :param client: its client's ``prepaid.platform.client``, or None
        """
        if not client:
            return self.env._("Unknown client %(id)s of %(platform)s: send the client first.",
                              id=record["client_id"], platform=platform_code)
        return False

    @api.model
    def _prepare_platform_vals(self, platform_code, record, target, client, batch):
        """The values to write of a platform record (an extension hook)."""
        raise NotImplementedError

    def _platform_write(self, record, vals, batch):
        """Write ``vals`` on the stored record of a platform record (an extension hook)."""
        return self.write(vals)

    @api.model
    def _platform_create(self, items, batch):
        """Create the records of a batch not stored yet (an extension hook).

        :param items: ``(record, vals)`` pairs
        :return: for each pair, in order, the new record or the error text
            of its refusal
        """
        return list(create_with_defaults(self, [vals for _record, vals in items]))

    def _platform_read_vals(self):
        """What a reconciliation reads of one record, besides the platform's
        record as last sent and its ``id`` (an extension hook)."""
        raise NotImplementedError

    # ------------------------------------------------------------------
    # The shared bodies of the public methods
    # ------------------------------------------------------------------

    @api.model
    def _platform_upsert(self, platform_code, records):
        """Create or update the records a platform sends, as the public
        ``platform_upsert_*`` method of the model does.

        :param platform_code: the platform installation (``whmcs``)
        :param records: at most 1,000 dicts, each with ``id`` and ``client_id``
        :return: one dict per record, in order: ``platform_id``, ``status``
            (``created``, ``updated``, ``unchanged`` or ``refused``), ``id``
            (the record) and ``error``
        :raise ValidationError: a malformed batch; nothing is written
        """
        self.env["prepaid.wallet"]._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        check_platform_code(self.env, platform_code)
        records = validate_batch(self.env, records, self._platform_spec)
        lock_platform(self.env, self._platform_kind, self.env.company, platform_code)
        # The group check above is the access control; the platform is the
        # source of its records, in the caller's company.
        model = self.sudo().with_context(**self._platform_context())
        existing = model._platform_existing(platform_code, records)
        clients = client_links(self.env, platform_code, [r["client_id"] for r in records])
        batch = model._platform_batch(platform_code, records, existing)
        results, to_create = [None] * len(records), []
        for index, record in enumerate(records):
            target, client = existing.get(record["id"], model.browse()), clients.get(record["client_id"])
            problem = model._platform_refusal(platform_code, record, target, client, batch)
            if problem:
                results[index] = result(record["id"], "refused", target.id, problem)
                continue
            if target and target.platform_payload == record \
                    and target[self._platform_id_field] == self._platform_stored_id(record["id"]):
                results[index] = result(record["id"], "unchanged", target.id)
                continue
            vals = model._prepare_platform_vals(platform_code, record, target, client, batch)
            if not target:
                to_create.append((index, record, vals))
                continue
            try:
                with self.env.cr.savepoint():
                    target._platform_write(record, vals, batch)
            except (UserError, ValidationError) as error:
                results[index] = result(record["id"], "refused", target.id, str(error))
                continue
            results[index] = result(record["id"], "updated", target.id)
        created = model._platform_create([(record, vals) for _index, record, vals in to_create], batch)
        for (index, record, _vals), new in zip(to_create, created, strict=True):
            results[index] = result(record["id"], "refused", False, new) if isinstance(new, str) \
                else result(record["id"], "created", new.id)
        return results

    @api.model
    def _platform_existing(self, platform_code, records):
        """The stored records of a batch in the caller's company.

        A record is found by its platform id, else, on its first sync, by
        :attr:`_platform_link_field` when the model has one.

        :return: platform id -> record, for the records found
        """
        stored = {self._platform_stored_id(r["id"]): r["id"] for r in records}
        id_field, link_field = self._platform_id_field, self._platform_link_field
        domain = [("platform_code", "=", platform_code), (id_field, "in", list(stored))]
        links = {}
        if link_field:
            links = {r["id"]: self._platform_link_value(platform_code, r) for r in records}
            domain = ["|", "&", *domain, (link_field, "in", list(set(links.values())))]
        by_id, by_link = {}, {}
        for target in self.search([("company_id", "=", self.env.company.id), *domain]):
            if target.platform_code == platform_code and target[id_field]:
                by_id[target[id_field]] = target
            elif link_field:
                by_link.setdefault(target[link_field], target)
        found = {pid: by_id.get(value) or by_link.get(links.get(pid)) for value, pid in stored.items()}
        return {pid: target for pid, target in found.items() if target}

    @api.model
    def _platform_read(self, platform_code, platform_ids):
        """The stored side of a platform's records, for a reconciliation, as
        the public ``platform_read_*`` method of the model does.

        :param platform_ids: at most 1,000 platform ids
        :return: for each id known: the record as last sent, with ``id`` (the
            platform id) and what :meth:`_platform_read_vals` gives; unknown
            ids are left out
        """
        self.env["prepaid.wallet"]._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        check_platform_code(self.env, platform_code)
        stored = {self._platform_stored_id(i): i for i in validate_ids(self.env, platform_ids)}
        # Group checked above; the records of the caller's company only.
        targets = self.sudo().search([
            ("company_id", "=", self.env.company.id), ("platform_code", "=", platform_code),
            (self._platform_id_field, "in", list(stored)),
        ])
        return [
            {**(target.platform_payload or {}), "id": stored[target[self._platform_id_field]],
             **target._platform_read_vals()}
            for target in targets
        ]
