<?php
// Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.

/**
 * Prepaid Cloud Credit bridge: a WHMCS addon module that forwards the
 * platform's events to the hosting bridge's webhook, signed with the shared
 * secret. It holds no state and changes nothing in WHMCS: the bridge reads
 * what each event names back through the API. Hooks are in hooks.php.
 *
 * Each request carries X-Prepaid-Timestamp (Unix seconds) and
 * X-Prepaid-Signature, the hex HMAC-SHA256 of "<timestamp>.<body>".
 */

use WHMCS\Database\Capsule;

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

function prepaid_bridge_config()
{
    return [
        'name' => 'Prepaid Cloud Credit bridge',
        'description' => 'Sends client, service, domain and add-funds events to the hosting bridge'
            . ' of the Odoo prepaid wallets.',
        'version' => '1.0',
        'author' => 'Prepaid Cloud Credit contributors',
        'fields' => [
            'bridge_url' => [
                'FriendlyName' => 'Bridge webhook URL',
                'Type' => 'text',
                'Size' => '60',
                'Description' => 'For example https://bridge.example.com/webhook',
            ],
            'shared_secret' => [
                'FriendlyName' => 'Shared secret',
                'Type' => 'password',
                'Size' => '60',
                'Description' => 'The bridge\'s HOSTING_BRIDGE_WEBHOOK_SECRET (16 characters or more)',
            ],
            'timeout' => [
                'FriendlyName' => 'Timeout',
                'Type' => 'text',
                'Size' => '4',
                'Default' => '5',
                'Description' => 'Seconds to wait for the bridge',
            ],
        ],
    ];
}

function prepaid_bridge_activate()
{
    return ['status' => 'success', 'description' => 'Set the bridge webhook URL and the shared secret.'];
}

function prepaid_bridge_deactivate()
{
    return ['status' => 'success', 'description' => 'Events are no longer sent to the bridge.'];
}

function prepaid_bridge_settings()
{
    $settings = [];
    $rows = Capsule::table('tbladdonmodules')->where('module', 'prepaid_bridge')->get(['setting', 'value']);
    foreach ($rows as $row) {
        $settings[$row->setting] = $row->value;
    }
    return $settings;
}

function prepaid_bridge_sign($secret, $timestamp, $body)
{
    return hash_hmac('sha256', $timestamp . '.' . $body, $secret);
}

/**
 * Send one event; true when the bridge took it (202, or 200 for a duplicate).
 * A failure is written to the activity log and never interrupts WHMCS: the
 * bridge's periodic reconciliation applies what a lost event said.
 */
function prepaid_bridge_send($type, array $data)
{
    try {
        $settings = prepaid_bridge_settings();
        $url = trim((string) ($settings['bridge_url'] ?? ''));
        $secret = (string) ($settings['shared_secret'] ?? '');
        if ($url === '' || strlen($secret) < 16) {
            logActivity('Prepaid bridge: not configured (URL and a secret of 16 characters or more);'
                . ' event ' . $type . ' not sent');
            return false;
        }
        $timeout = max(1, (int) ($settings['timeout'] ?? 5));
        $body = json_encode([
            'id' => bin2hex(random_bytes(16)),
            'type' => $type,
            'occurred_at' => gmdate('Y-m-d\TH:i:s\Z'),
            'data' => $data,
        ], JSON_UNESCAPED_SLASHES);
        $timestamp = (string) time();
        $headers = [
            'Content-Type: application/json',
            'X-Prepaid-Timestamp: ' . $timestamp,
            'X-Prepaid-Signature: ' . prepaid_bridge_sign($secret, $timestamp, $body),
        ];
        list($status, $answer) = prepaid_bridge_post($url, $headers, $body, $timeout);
        if ($status === 202 || $status === 200) {
            return true;
        }
        logActivity(sprintf(
            'Prepaid bridge: event %s not taken (HTTP %s): %s',
            $type,
            $status ?: 'no answer',
            substr((string) $answer, 0, 200)
        ));
    } catch (\Throwable $e) {
        logActivity('Prepaid bridge: event ' . $type . ' not sent: ' . $e->getMessage());
    }
    return false;
}

function prepaid_bridge_post($url, array $headers, $body, $timeout)
{
    if (function_exists('curl_init')) {
        $curl = curl_init($url);
        curl_setopt_array($curl, [
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => $body,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_CONNECTTIMEOUT => $timeout,
            CURLOPT_TIMEOUT => $timeout,
        ]);
        $answer = curl_exec($curl);
        $status = (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        curl_close($curl);
        return [$status, $answer === false ? '' : $answer];
    }
    // Without the curl extension: PHP's own HTTP stream.
    $context = stream_context_create(['http' => [
        'method' => 'POST',
        'header' => implode("\r\n", $headers),
        'content' => $body,
        'timeout' => $timeout,
        'ignore_errors' => true,
    ]]);
    $answer = @file_get_contents($url, false, $context);
    $status = 0;
    foreach (isset($http_response_header) ? $http_response_header : [] as $line) {
        if (preg_match('#^HTTP/\S+\s+(\d{3})#', $line, $match)) {
            $status = (int) $match[1];
        }
    }
    return [$status, $answer === false ? '' : $answer];
}
