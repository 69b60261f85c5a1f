<?php
// Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.

/**
 * The few WHMCS functions the plugin calls, recorded for the tests:
 * add_hook (kept, then run by run_hook), localAPI (canned answers),
 * logActivity (collected), and Capsule's query on tbladdonmodules.
 */

namespace WHMCS\Database {
    class Capsule
    {
        /** @var array<string, string> the addon's settings, as tbladdonmodules holds them */
        public static $settings = [];

        public static function table($name)
        {
            return new StubQuery($name);
        }
    }

    class StubQuery
    {
        private $table;
        private $wheres = [];

        public function __construct($table)
        {
            $this->table = $table;
        }

        public function where($column, $value)
        {
            $this->wheres[$column] = $value;
            return $this;
        }

        public function get(array $columns = ['*'])
        {
            if ($this->table !== 'tbladdonmodules' || ($this->wheres['module'] ?? null) !== 'prepaid_bridge') {
                return [];
            }
            $rows = [];
            foreach (Capsule::$settings as $setting => $value) {
                $rows[] = (object) ['module' => 'prepaid_bridge', 'setting' => $setting, 'value' => $value];
            }
            return $rows;
        }
    }
}

namespace {
    define('WHMCS', true);

    $GLOBALS['stub'] = ['hooks' => [], 'activity' => [], 'localapi' => [], 'calls' => []];

    function add_hook($name, $priority, $callback)
    {
        $GLOBALS['stub']['hooks'][$name][] = $callback;
    }

    function run_hook($name, array $vars)
    {
        foreach ($GLOBALS['stub']['hooks'][$name] ?? [] as $callback) {
            $callback($vars);
        }
    }

    function localAPI($command, $values, $adminUser = null)
    {
        $GLOBALS['stub']['calls'][] = [$command, $values];
        return $GLOBALS['stub']['localapi'][$command] ?? ['result' => 'error', 'message' => 'no canned answer'];
    }

    function logActivity($message, $userId = null)
    {
        $GLOBALS['stub']['activity'][] = $message;
    }
}
