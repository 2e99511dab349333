/**
 * codex's config.toml, read with a small, fast TOML parser (smol-toml: every codex run reads
 * it) and edited, rarely, with the layout-keeping library codex-config-edit.ts loads.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parse } from 'smol-toml';
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

/** Merges `update` into the config.toml at `path` (created when missing), atomically, mode 0600. */
export async function updateCodexConfigFile(path: string, update: JsonObject): Promise<void> {
  const text = existsSync(path) ? await readFile(path, 'utf8') : '';
  const { mergeCodexConfig } = await import('./codex-config-edit.js');
  await writeFileAtomically(path, mergeCodexConfig(text, update), 0o600);
}
