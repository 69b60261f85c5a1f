<?php
// Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.

/**
 * Load the plugin's hooks.php under the WHMCS stub and run one hook point.
 * Usage: php fire_hook.php <hooks.php> < spec.json, where the spec is
 * {"settings": {...}, "localapi": {...}, "hook": "ClientAdd", "vars": {...}}.
 * Prints what happened as JSON: registered hook points, activity log lines,
 * local API calls.
 */

require __DIR__ . '/whmcs_stub.php';

$spec = json_decode(stream_get_contents(STDIN), true);
WHMCS\Database\Capsule::$settings = $spec['settings'] ?? [];
$GLOBALS['stub']['localapi'] = $spec['localapi'] ?? [];
require $argv[1];
if (!empty($spec['hook'])) {
    run_hook($spec['hook'], $spec['vars'] ?? []);
}
echo json_encode([
    'hooks' => array_keys($GLOBALS['stub']['hooks']),
    'activity' => $GLOBALS['stub']['activity'],
    'calls' => $GLOBALS['stub']['calls'],
]);
