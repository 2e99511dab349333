/**
 * codex's config.toml, read and edited with a TOML library (@decimalturn/toml-patch):
 * profiles, nested tables and the user's comments survive an edit of the run's copy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parse, patch } from '@decimalturn/toml-patch';
import { writeFileAtomically } from '../runs/atomic-write.js';
import { isObject, type JsonObject } from './json-fields.js';

/** The parsed config.toml; {} when the file is missing or is not valid TOML (codex then reports it itself). */
export function readCodexConfig(path: string): JsonObject {
  if (!existsSync(path)) return {};
  return parseCodexConfig(readFileSync(path, 'utf8'));
}

/** Parses config.toml text; {} for text that is not TOML. Pure. */
export function parseCodexConfig(text: string): JsonObject {
  try {
    const value: unknown = parse(text);
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
}

/**
 * The settings codex uses: the top level with the selected profile's keys laid over it
 * (`profile = "NAME"` picks `[profiles.NAME]`, as codex does).
 */
export function effectiveCodexSettings(config: JsonObject): JsonObject {
  const name = config.profile;
  const profiles = isObject(config.profiles) ? config.profiles : {};
  const profile = typeof name === 'string' && isObject(profiles[name]) ? profiles[name] : {};
  return { ...config, ...profile };
}

/** Returns config.toml's text with `update` merged in (tables deeply, other values replaced). Pure. */
export function mergeCodexConfig(text: string, update: JsonObject): string {
  const merged = mergeDeep(parseCodexConfig(text), update);
  return text.trim() === '' ? patch('', merged) : patch(text, merged);
}

function mergeDeep(base: JsonObject, update: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(update)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? mergeDeep(current, value) : value;
  }
  return out;
}

/** Merges `update` into the config.toml at `path` (created when missing), atomically, mode 0600. */
export async function updateCodexConfigFile(path: string, update: JsonObject): Promise<void> {
  const text = existsSync(path) ? await readFile(path, 'utf8') : '';
  await writeFileAtomically(path, mergeCodexConfig(text, update), 0o600);
}
