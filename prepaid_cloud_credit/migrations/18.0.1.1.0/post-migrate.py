# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Give existing databases what the accounting of 18.0.1.1.0 needs.

- The new accounts (usage to invoice, discount) for every company with a chart.
- The booked value of every lot: what its document booked on the prepayments
  account (the recharge invoice, the advance payment), else its amount (with
  VAT under VAT at consumption) at the rate of the day it opened; and of every
  allocation to a lot, its share of that value.

Entries booked before stay as they are (debt on the prepayments account,
bonus use on the promotion account, foreign-currency usage booked unconverted):
the liability check shows what differs, and an entry the accountant reverses
or cancels is booked again, the new way, by the next run.
"""

from odoo import SUPERUSER_ID, api


def _lot_value(lot):
    wallet = lot.wallet_id
    credit = lot.source_transaction_id
    liability = lot.company_id.prepaid_liability_account_id
    if lot.replaced_lot_id:
        return lot.replaced_lot_id._booked_value(lot.original_amount)
    document = credit.move_id
    lines = document.line_ids.filtered(lambda line: line.account_id == liability)
    if lot.kind == "paid" and document and lines:
        if document.is_invoice():
            product = lot.company_id.prepaid_product_id
            lines = lines.filtered(lambda line: line.product_id == product) or lines
        return -sum(lines.mapped("amount_currency")), -sum(lines.mapped("balance"))
    return wallet._prepaid_lot_value(lot.kind, lot.original_amount, lot.create_date.date())


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["res.company"].search([("chart_template", "!=", False)])._prepaid_setup_accounting()
    Lot = env["prepaid.credit.lot"]
    cr.execute("SELECT id FROM prepaid_credit_lot WHERE booked_amount IS NULL ORDER BY id")
    for lot in Lot.browse([row[0] for row in cr.fetchall()]):
        amount, balance = _lot_value(lot)
        cr.execute(
            "UPDATE prepaid_credit_lot SET booked_amount = %s, booked_balance = %s WHERE id = %s",
            (amount, balance, lot.id),
        )
        lot.invalidate_recordset(["booked_amount", "booked_balance"])
        position = 0.0
        for alloc in lot.allocation_ids.sorted("id"):
            before = lot._booked_value(position)
            position = lot.currency_id.round(position + alloc.amount)
            after = lot._booked_value(position)
            cr.execute(
                "UPDATE prepaid_wallet_allocation SET booked_amount = %s, booked_balance = %s WHERE id = %s",
                (lot.currency_id.round(after[0] - before[0]),
                 lot.company_id.currency_id.round(after[1] - before[1]), alloc.id),
            )
    env["prepaid.wallet.allocation"].invalidate_model(["booked_amount", "booked_balance"])
