import type { ConfigFile } from './config-schema.js';

// The names of the config settings, without the schema: commands that only need the names do
// not load the validation library (zod) unless a config file is there to check.

/** The settings a config file may hold, in the order `dispatch config` prints them (the schema's keys; a test keeps them equal). */
export const SETTING_KEYS: ReadonlyArray<keyof ConfigFile> = [
  'executor', 'model', 'models', 'reasoning', 'sandbox', 'timeout', 'idleTimeout', 'check', 'checkTimeout',
  'setup', 'setupTimeout', 'instructions', 'mcpConfig', 'outputSchema', 'codexArgs', 'claudeArgs', 'env',
  'cleanEnv', 'attempts', 'concurrency', 'workspacePool',
];

/** Settings whose value names a file: resolved against the config file's folder. */
export const PATH_SETTINGS: ReadonlySet<keyof ConfigFile> = new Set<keyof ConfigFile>(['instructions', 'mcpConfig', 'outputSchema']);
