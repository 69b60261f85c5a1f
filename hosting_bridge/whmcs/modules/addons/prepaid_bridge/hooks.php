<?php
// Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.

/**
 * The platform events the bridge needs, by WHMCS hook point. Each event
 * carries only ids; the bridge reads the records back through the API.
 */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

require_once __DIR__ . '/prepaid_bridge.php';

function prepaid_bridge_forward($type, $key, $id)
{
    if ((int) $id > 0) {
        prepaid_bridge_send($type, [$key => (int) $id]);
    }
}

add_hook('ClientAdd', 1, function ($vars) {
    prepaid_bridge_forward('client.added', 'client_id', $vars['client_id'] ?? ($vars['userid'] ?? 0));
});

add_hook('ClientEdit', 1, function ($vars) {
    prepaid_bridge_forward('client.changed', 'client_id', $vars['userid'] ?? 0);
});

foreach ([
    'AfterModuleCreate' => 'service.created',
    'AfterModuleSuspend' => 'service.suspended',
    'AfterModuleUnsuspend' => 'service.unsuspended',
    'AfterModuleTerminate' => 'service.terminated',
] as $hook => $type) {
    add_hook($hook, 1, function ($vars) use ($type) {
        prepaid_bridge_forward($type, 'service_id', $vars['params']['serviceid'] ?? 0);
    });
}

// Only add-funds invoices move prepaid credit: every line of type AddFunds.
add_hook('InvoicePaid', 1, function ($vars) {
    $invoice = localAPI('GetInvoice', ['invoiceid' => (int) $vars['invoiceid']]);
    $items = $invoice['items']['item'] ?? [];
    if (($invoice['result'] ?? '') !== 'success' || !$items) {
        return;
    }
    foreach ($items as $item) {
        if (($item['type'] ?? '') !== 'AddFunds') {
            return;
        }
    }
    prepaid_bridge_forward('invoice.paid', 'invoice_id', $vars['invoiceid']);
});

add_hook('AfterRegistrarRegistration', 1, function ($vars) {
    prepaid_bridge_forward('domain.registered', 'domain_id', $vars['params']['domainid'] ?? 0);
});

add_hook('AfterRegistrarRenewal', 1, function ($vars) {
    prepaid_bridge_forward('domain.renewed', 'domain_id', $vars['params']['domainid'] ?? 0);
});

add_hook('DomainTransferCompleted', 1, function ($vars) {
    prepaid_bridge_forward('domain.transferred', 'domain_id', $vars['domainId'] ?? 0);
});
