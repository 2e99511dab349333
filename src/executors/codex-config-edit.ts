/**
 * Edits of codex's config.toml with a TOML library that keeps the text around what it
 * changes (@decimalturn/toml-patch): profiles, nested tables and the user's comments
 * survive. Loaded only by a run that edits its copy (MCP servers).
 */
import { parse, patch } from '@decimalturn/toml-patch';
import { isObject, type JsonObject } from './json-fields.js';

/** Returns config.toml's text with `update` merged in (tables deeply, other values replaced). Pure. */
export function mergeCodexConfig(text: string, update: JsonObject): string {
  const merged = mergeDeep(parseForEdit(text), update);
  return text.trim() === '' ? patch('', merged) : patch(text, merged);
}

function parseForEdit(text: string): JsonObject {
  try {
    const value: unknown = parse(text);
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
}

function mergeDeep(base: JsonObject, update: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(update)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? mergeDeep(current, value) : value;
  }
  return out;
}
