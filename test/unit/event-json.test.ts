import { describe, expect, it } from 'vitest';
import { attachFieldJson, sliceJsonString, stringifyEvent } from '../../src/event-json.js';
import { EVENT_OUTPUT_MAX_CHARS } from '../../src/events.js';
import { createCodexParser } from '../../src/executors/codex-events.js';

/** Strings made of what JSON escapes and what it does not: quotes, backslashes, control chars, `/`, non-ASCII, emoji, a lone surrogate. */
const PIECES = ['build ok ', '"', '\\', '\n', '\t', '\r', '\u0001', '\u001b[31m', '\u007f', '/', 'é', '€', '😀', '\ud800', ' ', 'x'.repeat(30)];
function randomString(seed: number, length: number): string {
  let state = seed;
  let text = '';
  while (text.length < length) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    text += PIECES[state % PIECES.length];
  }
  return text;
}

describe('JSON of a string taken from its line', () => {
  it('is JSON.stringify of the value (or of its first chars), or undefined: never anything else', () => {
    let taken = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const value = randomString(seed, seed % 60);
      const line = JSON.stringify({ id: seed, aggregated_output: value, exit_code: 0 });
      const start = line.indexOf('"aggregated_output":') + '"aggregated_output":'.length;
      for (const chars of [value.length, Math.floor(value.length / 2), 0]) {
        const json = sliceJsonString(line, start, value, chars);
        if (json !== undefined) {
          expect(json).toBe(JSON.stringify(value.slice(0, chars)));
          taken += 1;
        }
      }
      // JSON.stringify's own text is always taken whole, unless a lone surrogate makes it escape one.
      if (!value.includes('\ud800')) expect(sliceJsonString(line, start, value)).toBeDefined();
    }
    expect(taken).toBeGreaterThan(600);
  });

  it('is undefined for a literal written otherwise, or for another value', () => {
    const at = (line: string) => line.indexOf(':') + 1;
    expect(sliceJsonString('{"o":"a\\/b"}', at('{"o":"a\\/b"}'), 'a/b')).toBeUndefined();
    expect(sliceJsonString('{"o":"\\u0041"}', at('{"o":"\\u0041"}'), 'A')).toBeUndefined();
    expect(sliceJsonString('{"o":"\\u001B"}', at('{"o":"\\u001B"}'), '\u001b')).toBeUndefined();
    expect(sliceJsonString('{"o":"\\u000a"}', at('{"o":"\\u000a"}'), '\n')).toBeUndefined();
    expect(sliceJsonString('{"o":"abc"}', at('{"o":"abc"}'), 'abd')).toBeUndefined();
    expect(sliceJsonString('{"o":"abc"}', at('{"o":"abc"}'), 'ab')).toBeUndefined();
    expect(sliceJsonString('{"o":"\\u001b"}', at('{"o":"\\u001b"}'), '\u001b')).toBe('"\\u001b"');
  });
});

describe('events.jsonl text of an event', () => {
  it('splices the attached JSON of its last field, and only of its last field', () => {
    const event = { type: 'command', command: 'ls', output: 'real' };
    attachFieldJson(event, 'output', '"attached"');
    expect(stringifyEvent({ ts: 't', ...event }, event)).toBe('{"ts":"t","type":"command","command":"ls","output":"attached"}');
    const notLast = { type: 'command', output: 'real', command: 'ls' };
    attachFieldJson(notLast, 'output', '"attached"');
    expect(stringifyEvent({ ts: 't', ...notLast }, notLast)).toBe(JSON.stringify({ ts: 't', ...notLast }));
    // A field changed since is stringified anew.
    const changed = { ...event, output: 'changed' };
    expect(stringifyEvent(changed, event)).toBe(JSON.stringify(changed));
    // Invisible to everything else.
    expect(Object.keys(event)).toEqual(['type', 'command', 'output']);
    expect({ ...event }).toEqual({ type: 'command', command: 'ls', output: 'real' });
  });

  it('is JSON.stringify of every codex command event, outputs long or short, escaped or not', () => {
    const parse = createCodexParser();
    for (let seed = 1; seed <= 200; seed++) {
      const length = seed % 4 === 0 ? EVENT_OUTPUT_MAX_CHARS + seed * 7 : seed * 23;
      const output = seed % 5 === 0 ? randomString(seed, length) : 'build output line\n'.repeat(length / 18).slice(0, length);
      const line = JSON.stringify({ type: 'item.completed', item: { id: `item_${seed}`, type: 'command_execution', command: `make ${seed}`, aggregated_output: output, exit_code: seed % 3, status: 'completed' } });
      const [event] = parse(line);
      expect(event?.type).toBe('command');
      if (!event) continue;
      const timed = { ts: '2026-12-01T10:00:00.000Z', ...event };
      expect(stringifyEvent(timed, event)).toBe(JSON.stringify(timed));
    }
  });
});
