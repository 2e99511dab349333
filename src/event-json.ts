/**
 * events.jsonl text of an event without re-encoding its biggest string. A flood is mostly
 * command output that the agent's own line already holds as JSON; Node 20's JSON.stringify
 * copies a string char by char (~200 MB/s), so a parser that finds the value's JSON text in
 * the line, exactly as JSON.stringify would write it, attaches it here for the log to reuse.
 */

import { EVENT_OUTPUT_MAX_CHARS, truncationNote } from './events.js';

interface FieldJson {
  key: string;
  /** The field's value the JSON is of: a field changed since is stringified anew. */
  value: unknown;
  json: string;
}

/**
 * The field JSON of events parsed but not yet logged, by event: an event is logged right
 * after its line is parsed, so this holds a few at most (bounded all the same). Nothing is
 * added to the event itself: it reads, spreads, compares and stringifies as it is.
 */
const pendingJson = new Map<object, FieldJson>();
const PENDING_MAX = 64;

/** Records that JSON.stringify(event[key]) is `json` (the caller has checked it is, char for char). */
export function attachFieldJson(event: object, key: string, json: string): void {
  if (pendingJson.size >= PENDING_MAX) pendingJson.delete(pendingJson.keys().next().value as object);
  pendingJson.set(event, { key, value: (event as Record<string, unknown>)[key], json });
}

const tails = new Map<string, string>();

/**
 * JSON.stringify(timed), where `timed` is `event` with fields added before its own: the
 * attached field's JSON is spliced in when that field comes last, as it does for the events
 * that carry one; otherwise, or without one, JSON.stringify does it all.
 */
export function stringifyEvent(timed: object, event: object): string {
  const field = pendingJson.get(event);
  if (field === undefined) return JSON.stringify(timed);
  pendingJson.delete(event);
  const record = timed as Record<string, unknown>;
  if (record[field.key] !== field.value) return JSON.stringify(timed);
  let tail = tails.get(field.key);
  if (tail === undefined) tails.set(field.key, (tail = `,${JSON.stringify(field.key)}:0}`));
  // The field is a 0 while the rest is stringified (no copy of the event), then its JSON goes in.
  record[field.key] = 0;
  let text: string;
  try {
    text = JSON.stringify(timed);
  } finally {
    record[field.key] = field.value;
  }
  return text.endsWith(tail) ? `${text.slice(0, -2)}${field.json}}` : JSON.stringify(timed);
}

/**
 * Attaches the JSON of event.output (`output` cut as truncateOutput cuts it) when `line`,
 * the agent's JSON line `output` was parsed from, holds it as JSON.stringify writes it,
 * as the value of a key `name`.
 */
export function attachOutputJson(event: { output?: string }, line: string, name: string, output: string): void {
  const key = `"${name}":`;
  // After `{` or `,` the key's `"` cannot be inside a string (it would be escaped there).
  let at = line.indexOf(key);
  while (at > 0 && line[at - 1] !== ',' && line[at - 1] !== '{') at = line.indexOf(key, at + 1);
  if (at <= 0) return;
  const kept = Math.min(output.length, EVENT_OUTPUT_MAX_CHARS);
  const literal = sliceJsonString(line, at + key.length, output, kept);
  if (literal === undefined) return;
  attachFieldJson(event, 'output', kept === output.length ? literal : `${literal.slice(0, -1)}${JSON.stringify(truncationNote(output.length - kept)).slice(1)}`);
}

/** What each short escape decodes to, by the char after the backslash (the escapes JSON.stringify writes). */
const SHORT_ESCAPES = new Map([['"', '"'], ['\\', '\\'], ['b', '\b'], ['f', '\f'], ['n', '\n'], ['r', '\r'], ['t', '\t']]);
/** `\u00XX` as JSON.stringify writes it: a control char that has no short escape, lower-case hex. */
const UNICODE_ESCAPE = /^u00(?:0[0-7bef]|1[0-9a-f])$/;

/**
 * The JSON text of value.slice(0, chars), quotes included, taken from the string literal
 * that opens at `start` in the JSON text `text` (a `"` that starts a string, not one that
 * ends it: the caller knows it from the key before it) when it decodes to `value` and is
 * written exactly as JSON.stringify writes it (short escapes, `\u00XX` for other control
 * chars, nothing else escaped); undefined otherwise, and the caller stringifies.
 */
export function sliceJsonString(text: string, start: number, value: string, chars = value.length): string | undefined {
  if (text[start] !== '"' || chars > value.length) return undefined;
  let decoded = 0;
  let at = start + 1;
  let cut = -1;
  let quote = -1;
  let backslash = text.indexOf('\\', at);
  for (;;) {
    if (quote < at) quote = text.indexOf('"', at);
    if (backslash !== -1 && backslash < at) backslash = text.indexOf('\\', at);
    if (quote === -1) return undefined;
    const next = backslash !== -1 && backslash < quote ? backslash : quote;
    // The plain run [at, next) is the value's next units as they are.
    const run = next - at;
    // Compared as slices: `===` on two of them is a memory compare, startsWith goes char by char.
    if (decoded + run > value.length || text.slice(at, next) !== value.slice(decoded, decoded + run)) return undefined;
    if (cut === -1 && decoded + run >= chars) cut = at + (chars - decoded);
    decoded += run;
    if (next === quote) break;
    const escaped = SHORT_ESCAPES.get(text[next + 1] ?? '');
    const unicode = escaped === undefined && UNICODE_ESCAPE.test(text.slice(next + 1, next + 6));
    const unit = escaped ?? (unicode ? String.fromCharCode(Number.parseInt(text.slice(next + 3, next + 6), 16)) : undefined);
    if (unit === undefined || value[decoded] !== unit) return undefined;
    decoded += 1;
    at = next + (unicode ? 6 : 2);
  }
  if (decoded !== value.length) return undefined;
  const literal = chars === value.length ? text.slice(start, quote + 1) : `${text.slice(start, cut)}"`;
  // Lone surrogates (or a pair cut in two) are escaped by JSON.stringify: left to it.
  return (literal as WellFormedCheck).isWellFormed() ? literal : undefined;
}

/** String.prototype.isWellFormed (Node 20), not in the ES2022 lib. */
type WellFormedCheck = string & { isWellFormed(): boolean };
