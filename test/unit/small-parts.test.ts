import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/duration.js';
import { blockLineTexts, createByteLineSplitter, createLineBlockSplitter, lineText, type LineBlock } from '../../src/process/line-splitter.js';
import { createRedactor, REDACTED } from '../../src/runs/redact.js';
import { randomChars } from '../../src/runs/random-bytes.js';
import { compareRunIds, createRunId, createGroupId, parseRunId } from '../../src/runs/run-id.js';
import { applyEvent, createRunState, finalMessageOf } from '../../src/runs/run-state.js';

describe('durations', () => {
  it.each([
    ['45m', 2_700_000],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['2d', 172_800_000],
    ['30', 30_000],
    ['1.5s', 1_500],
  ])('%s → %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '10 minutes', '5x', '-3m'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());

  it('formats for people', () => {
    expect([850, 12_300, 245_000, 3_720_000].map(formatDuration)).toEqual(['850ms', '12.3s', '4m05s', '1h02m']);
  });
});

describe('run ids', () => {
  it('follow YYYYMMDD-HHMMSS-<executor>-<6> in UTC', () => {
    const id = createRunId('codex', new Date('2026-11-24T03:04:05.678Z'), () => 'abc123');
    expect(id).toBe('20261124-030405-codex-abc123');
    expect(parseRunId(id)).toEqual({ id, startedMs: Date.parse('2026-11-24T03:04:05Z'), executor: 'codex' });
    expect(createGroupId(new Date('2026-11-24T03:04:05Z'), () => 'zz99aa')).toBe('20261124-030405-group-zz99aa');
    expect(createRunId('claude', new Date())).toMatch(/^\d{8}-\d{6}-claude-[a-z0-9]{6}$/);
  });

  it('take their random chars evenly from the whole alphabet', () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const text = randomChars(alphabet, 36_000);
    expect(text).toHaveLength(36_000);
    const counts = new Map<string, number>();
    for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect([...counts.keys()].sort().join('')).toBe([...alphabet].sort().join(''));
    // ~1000 each; a byte taken modulo 36 without rejection would give the first 4 chars ~1.14x the rest.
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(820);
      expect(count).toBeLessThan(1180);
    }
  });

  it('of one millisecond differ in their 4 random chars', () => {
    const now = new Date();
    const ids = Array.from({ length: 200 }, () => createRunId('codex', now));
    expect(new Set(ids).size).toBeGreaterThan(195);
    expect(new Set(ids.flatMap((id) => [...id.slice(-4)])).size).toBeGreaterThan(30);
  });

  it('sort in start order within one second, whatever the executor', () => {
    const at = (ms: number) => new Date(Date.UTC(2026, 10, 24, 3, 4, 5, ms));
    const ids = [createRunId('codex', at(900)), createRunId('claude', at(5)), createGroupId(at(500)), createRunId('codex', at(40))];
    expect([...ids].sort(compareRunIds)).toEqual([ids[1], ids[3], ids[2], ids[0]]);
  });
});

describe('redaction', () => {
  it('removes key values from the environment and well-known token shapes', () => {
    const redact = createRedactor({ OPENAI_API_KEY: 'my-very-secret-value', SHORT: 'x', ANTHROPIC_API_KEY: 'abc' });
    expect(redact('key=my-very-secret-value;')).toBe(`key=${REDACTED};`);
    expect(redact('abc stays: too short to be a secret')).toBe('abc stays: too short to be a secret');
    expect(redact('token ghp_0123456789abcdefghijABCDEFGHIJ end')).toBe(`token ${REDACTED} end`);
    expect(redact('sk-ant-api03-aaaaaaaaaaaaaaaaaaaaaaaa')).toBe(REDACTED);
    expect(redact('AKIAABCDEFGHIJKLMNOP')).toBe(REDACTED);
    const custom = createRedactor({ MY_LLM_KEY: 'custom-provider-secret', PATH: '/usr/local/bin:/usr/bin' });
    expect(custom('key custom-provider-secret in /usr/local/bin:/usr/bin')).toBe(`key ${REDACTED} in /usr/local/bin:/usr/bin`);
    expect(redact('jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ok')).toBe(`jwt ${REDACTED} ok`);
  });
});

describe('line splitter', () => {
  it('splits across chunks, keeps UTF-8 intact, strips CR, flushes the tail', () => {
    const lines: string[] = [];
    const splitter = createByteLineSplitter((line) => lines.push(lineText(line)));
    const euro = Buffer.from('€');
    splitter.push(Buffer.concat([Buffer.from('a\r\nb'), euro.subarray(0, 1)]));
    splitter.push(Buffer.concat([euro.subarray(1), Buffer.from('\n\nlast')]));
    splitter.flush();
    expect(lines).toEqual(['a', 'b€', '', 'last']);
  });

  it("gives a block's lines as text exactly as lineText gives each, invalid UTF-8 and CRs included", () => {
    const blocks: LineBlock[] = [];
    const splitter = createLineBlockSplitter((block) => blocks.push(block), 64);
    const euro = Buffer.from('€');
    // Cut sequences at line ends and starts, lone continuation bytes, a CR alone, an empty line, a cut long line.
    const bytes = Buffer.concat([
      Buffer.from('a\r\n'), euro.subarray(0, 2), Buffer.from('\n'), euro.subarray(1), Buffer.from('b\r\r\n\n'), Buffer.from([0xff, 0xfe]), Buffer.from(' ok\n'),
      Buffer.from('{"k":"ü'), Buffer.from([0xc3]), Buffer.from('\n'), Buffer.alloc(100, 0x78), Buffer.from('\nend'),
    ]);
    for (let at = 0; at < bytes.length; at += 7) splitter.push(bytes.subarray(at, at + 7));
    splitter.flush();
    expect(blocks.length).toBeGreaterThan(3);
    for (const block of blocks) expect(blockLineTexts(block)).toEqual(block.lines.map(lineText));
    expect(blocks.flatMap(blockLineTexts).slice(0, 3)).toEqual(['a', '\ufffd', '\ufffd\ufffdb\r']);
  });

  it('cuts a line longer than the limit instead of growing without bound', () => {
    const lines: string[] = [];
    const splitter = createByteLineSplitter((line) => lines.push(lineText(line)), 10);
    for (let i = 0; i < 7; i++) splitter.push(Buffer.from('xxxx'));
    splitter.flush();
    expect(lines.join('')).toBe('x'.repeat(28));
    expect(lines.length).toBe(3);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(14);
  });
});

describe('run state', () => {
  it('keeps the latest usage, counts unknown events, prefers the fatal error', () => {
    const state = createRunState();
    applyEvent(state, { type: 'session.started', session_id: 's1', model: 'm' });
    applyEvent(state, { type: 'error', message: 'model metadata missing', error_kind: 'other' });
    applyEvent(state, { type: 'turn.completed', usage: { input_tokens: 10, cached_input_tokens: 0, output_tokens: 1, reasoning_tokens: 0 } });
    applyEvent(state, { type: 'turn.completed', usage: { input_tokens: 30, cached_input_tokens: 5, output_tokens: 3, reasoning_tokens: 1 } });
    applyEvent(state, { type: 'unknown', raw: 'x' });
    applyEvent(state, { type: 'error', message: 'HTTP 401', error_kind: 'auth', fatal: true });
    expect(state).toMatchObject({ sessionId: 's1', model: 'm', unknownEvents: 1, errorKind: 'auth', errorMessage: 'HTTP 401' });
    expect(state.usage?.input_tokens).toBe(30);
  });

  it('takes the final message from the agent file, then the result, then the last message', () => {
    const state = createRunState();
    applyEvent(state, { type: 'message', text: 'working' });
    expect(finalMessageOf(state, null)).toBe('working');
    applyEvent(state, { type: 'turn.completed', final_text: 'final' });
    expect(finalMessageOf(state, '')).toBe('final');
    expect(finalMessageOf(state, 'from file')).toBe('from file');
  });
});
