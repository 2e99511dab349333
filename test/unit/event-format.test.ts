import { describe, expect, it } from 'vitest';
import type { EventType, NormalizedEvent, TimedEvent } from '../../src/events.js';
import { buildComparison, touchedFiles } from '../../src/report/compare-report.js';
import { formatClock, formatEvent, formatEventLine, parseEventLine } from '../../src/report/event-format.js';
import { colorizePatch, createPalette, shouldUseColor } from '../../src/report/term-style.js';
import type { GroupMember, GroupRecord } from '../../src/runs/group-record.js';

// Timestamps built from local time, so the expected `HH:MM:SS` holds in any time zone.
const TS = new Date(2026, 10, 24, 3, 4, 5).toISOString();
const ESC = '\x1b';
const PLAIN = { color: false };
const COLOR = { color: true };

function at(event: NormalizedEvent): TimedEvent {
  return { ts: TS, ...event };
}

const CASES: [NormalizedEvent, string][] = [
  [{ type: 'session.started', session_id: 'th_1', model: 'gpt-5' }, '03:04:05 session th_1 (model gpt-5)\n'],
  [{ type: 'session.started', session_id: 'th_1' }, '03:04:05 session th_1\n'],
  [{ type: 'turn.started' }, '03:04:05 turn started\n'],
  [{ type: 'message', text: 'Done.\nTwo files changed.\n' }, '03:04:05 Done.\n         Two files changed.\n'],
  [{ type: 'reasoning', text: 'look at the tests' }, '03:04:05 thinking: look at the tests\n'],
  [{ type: 'command', command: 'npm test', status: 'in_progress' }, '03:04:05 $ npm test\n'],
  [
    { type: 'command', command: 'npm test', status: 'completed', exit_code: 0, output: 'ok 1\nok 2\n' },
    '03:04:05 ✓ exit 0 npm test\n           ok 1\n           ok 2\n',
  ],
  [
    { type: 'command', command: 'false', status: 'failed', exit_code: 1, output: '1\n2\n3\n4\n5\n6\n7' },
    '03:04:05 ✗ exit 1 false\n           1\n           2\n           3\n           4\n           5\n           … 2 more lines\n',
  ],
  [{ type: 'command', command: 'x', status: 'failed', exit_code: null }, '03:04:05 ✗ failed x\n'],
  [
    { type: 'file.change', changes: [{ path: 'src/a.ts', kind: 'update' }, { path: 'b.md', kind: 'add' }] },
    '03:04:05 edit src/a.ts (update)\n         edit b.md (add)\n',
  ],
  [{ type: 'file.change', changes: [{ path: 'old.txt', kind: 'delete' }], status: 'failed' }, '03:04:05 edit old.txt (delete) failed\n'],
  [{ type: 'tool.call', tool: 'search', server: 'docs', status: 'completed' }, '03:04:05 tool docs/search (completed)\n'],
  [{ type: 'tool.call', tool: 'WebFetch', status: 'failed' }, '03:04:05 tool WebFetch (failed)\n'],
  [
    { type: 'todo', items: [{ text: 'read code', completed: true }, { text: 'fix bug', completed: false }] },
    '03:04:05 todo 1/2 done\n         [x] read code\n         [ ] fix bug\n',
  ],
  [{ type: 'turn.completed' }, '03:04:05 turn completed\n'],
  [
    { type: 'turn.completed', usage: { input_tokens: 120, cached_input_tokens: 20, output_tokens: 30, reasoning_tokens: 5 }, cost_usd: 0.0123 },
    '03:04:05 turn completed: tokens 120 in (20 cached), 30 out (5 reasoning), $0.0123\n',
  ],
  [
    { type: 'turn.completed', usage: { input_tokens: 7, cached_input_tokens: 0, output_tokens: 3, reasoning_tokens: 0 } },
    '03:04:05 turn completed: tokens 7 in, 3 out\n',
  ],
  [{ type: 'turn.failed', error: 'model overloaded', error_kind: 'server' }, '03:04:05 turn failed [server]: model overloaded\n'],
  [{ type: 'error', message: '401 Unauthorized', error_kind: 'auth', fatal: true }, '03:04:05 error [auth]: 401 Unauthorized\n'],
  [{ type: 'error', message: 'retrying' }, '03:04:05 error: retrying\n'],
  [{ type: 'unknown', raw: { type: 'brand.new', x: 1 } }, '03:04:05 ? {"type":"brand.new","x":1}\n'],
  [{ type: 'run.started', run_id: '20261124-030405-codex-abc123', executor: 'codex' }, '03:04:05 run 20261124-030405-codex-abc123 started (codex)\n'],
  [{ type: 'run.finished', status: 'success', outcome: 'success', exit_code: 0 }, '03:04:05 run finished: success (exit 0)\n'],
  [{ type: 'run.finished', status: 'failed', outcome: 'agent_error', exit_code: 1 }, '03:04:05 run finished: agent_error (failed, exit 1)\n'],
  [{ type: 'run.finished', status: 'abandoned', outcome: 'abandoned', exit_code: null }, '03:04:05 run finished: abandoned\n'],
  [{ type: 'check.finished', passed: true, exit_code: 0 }, '03:04:05 check passed (exit 0)\n'],
  [{ type: 'warning', message: 'Model metadata for `m` not found.' }, '03:04:05 warning: Model metadata for `m` not found.\n'],
  [{ type: 'task', id: 'b1', status: 'started', description: 'Run a slow step' }, '03:04:05 task b1 started: Run a slow step\n'],
  [{ type: 'task', id: 'b1', status: 'completed', summary: 'Slow step done' }, '03:04:05 task b1 completed: Slow step done\n'],
  [{ type: 'check.finished', passed: false, exit_code: 2 }, '03:04:05 check failed (exit 2)\n'],
];

describe('formatEvent (plain)', () => {
  it.each(CASES)('renders %j', (event, expected) => {
    expect(formatEvent(at(event), PLAIN)).toBe(expected);
  });

  it('has a case for every event type', () => {
    // A Record over EventType: a new event type fails to compile here until it gets a case.
    const every: Record<EventType, true> = {
      'session.started': true, 'turn.started': true, message: true, reasoning: true, command: true, 'file.change': true,
      'tool.call': true, todo: true, 'turn.completed': true, 'turn.failed': true, error: true, warning: true, task: true, unknown: true,
      'run.started': true, 'run.finished': true, 'check.finished': true,
    };
    expect(new Set(CASES.map(([event]) => event.type))).toEqual(new Set(Object.keys(every)));
  });

  it('never writes escape codes, even when the agent sent some', () => {
    for (const [event] of CASES) expect(formatEvent(at(event), PLAIN)).not.toContain(ESC);
    const hostile = formatEvent(at({ type: 'message', text: `red ${ESC}[31mtext${ESC}[0m\r\nnext\u0007` }), PLAIN);
    expect(hostile).toBe('03:04:05 red [31mtext[0m\n         next\n');
  });

  it('truncates a long unknown event to one line', () => {
    const line = formatEvent(at({ type: 'unknown', raw: { text: 'y'.repeat(500), nested: 'a\nb' } }), PLAIN);
    expect(line.split('\n')).toHaveLength(2);
    expect(line).toMatch(/^03:04:05 \? \{"text":"y+…\n$/);
    expect(line.length).toBeLessThan(200);
  });
});

describe('formatEvent (colour)', () => {
  it('adds styles only in colour mode', () => {
    const failed = at({ type: 'turn.failed', error: 'boom' });
    expect(formatEvent(failed, COLOR)).toContain(`${ESC}[31m`);
    expect(formatEvent(at({ type: 'reasoning', text: 'hmm' }), COLOR)).toContain(`${ESC}[2mthinking: hmm`);
    expect(formatEvent(at({ type: 'command', command: 'ls', status: 'completed', exit_code: 0 }), COLOR)).toContain(`${ESC}[32m✓ exit 0`);
    const stripped = formatEvent(failed, COLOR).replace(new RegExp(`${ESC}\\[\\d+m`, 'g'), '');
    expect(stripped).toBe(formatEvent(failed, PLAIN));
  });
});

describe('formatEventLine', () => {
  it('renders an events.jsonl line', () => {
    expect(formatEventLine(JSON.stringify(at({ type: 'message', text: 'hi' })), PLAIN)).toBe('03:04:05 hi\n');
  });

  it('marks corrupt lines and skips blank ones', () => {
    expect(formatEventLine('{"ts":"2026-01-01T00:00:00Z","type":"mess', PLAIN)).toBe(
      '--:--:-- ! corrupt line skipped: {"ts":"2026-01-01T00:00:00Z","type":"mess\n',
    );
    expect(formatEventLine('[1,2]', PLAIN)).toBe('--:--:-- ! corrupt line skipped: [1,2]\n');
    expect(formatEventLine('   ', PLAIN)).toBe('');
  });

  it('shows events of a type it does not know, or of an odd shape, as unknown', () => {
    expect(formatEventLine(`{"ts":"${TS}","type":"plan.updated","steps":2}`, PLAIN)).toBe(
      `03:04:05 ? {"ts":"${TS}","type":"plan.updated","steps":2}\n`,
    );
    expect(formatEventLine(`{"ts":"${TS}","type":"file.change"}`, PLAIN)).toMatch(/^03:04:05 \? \{.*"type":"file.change"/);
    expect(formatEventLine('{"type":"turn.started"}', PLAIN)).toBe('--:--:-- turn started\n');
  });

  it('parses lines into timed events', () => {
    expect(parseEventLine(`{"ts":"${TS}","type":"turn.started"}`)).toEqual({ ts: TS, type: 'turn.started' });
    expect(parseEventLine('{"type":"toString"}')).toEqual({ ts: '', type: 'unknown', raw: { type: 'toString' } });
    expect(parseEventLine('nope')).toBeUndefined();
    expect(formatClock('not a date')).toBe('--:--:--');
  });
});

describe('terminal styling', () => {
  it('colours only on a TTY, never with NO_COLOR, always with FORCE_COLOR', () => {
    expect(shouldUseColor({ isTTY: true }, {})).toBe(true);
    expect(shouldUseColor({}, {})).toBe(false);
    expect(shouldUseColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(shouldUseColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(shouldUseColor({}, { FORCE_COLOR: '1' })).toBe(true);
    expect(shouldUseColor({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
  });

  it('colours a patch like git: headers bold, hunks cyan, + green, - red, binary data plain', () => {
    const patch = [
      'diff --git a/a.txt b/a.txt',
      '--- a/a.txt',
      '+++ b/a.txt',
      '@@ -1 +1 @@',
      '--- old',
      '+++ new',
      ' same',
      'diff --git a/b.bin b/b.bin',
      'GIT binary patch',
      'literal 8',
      '',
    ].join('\n');
    const lines = colorizePatch(patch, createPalette(true)).split('\n');
    expect(lines[0]).toBe(`${ESC}[1mdiff --git a/a.txt b/a.txt${ESC}[22m`);
    expect(lines[2]).toBe(`${ESC}[1m+++ b/a.txt${ESC}[22m`);
    expect(lines[3]).toBe(`${ESC}[36m@@ -1 +1 @@${ESC}[39m`);
    expect(lines[4]).toBe(`${ESC}[31m--- old${ESC}[39m`);
    expect(lines[5]).toBe(`${ESC}[32m+++ new${ESC}[39m`);
    expect(lines[6]).toBe(' same');
    expect(lines[9]).toBe('literal 8');
    expect(lines[10]).toBe('');
    expect(colorizePatch(patch, createPalette(false))).toBe(patch);
  });
});

describe('compare report', () => {
  it('lists the files a patch touches, renames by their new name', () => {
    const patch = [
      'diff --git a/src/a b.ts b/src/a b.ts',
      'diff --git a/old.txt b/new.txt',
      'similarity index 100%',
      'rename from old.txt',
      'rename to new.txt',
      'diff --git "a/caf\\303\\251" "b/caf\\303\\251"',
    ].join('\n');
    expect(touchedFiles(patch)).toEqual(['src/a b.ts', 'new.txt', 'caf\\303\\251']);
  });

  it('builds the member × member similarity, null for a member with no diff', () => {
    const member = (key: string, runId: string): GroupMember => ({
      key, executor: key.split('#')[0] ?? key, attempt: 1, run_id: runId, run_dir: null, state: 'done', status: 'success',
      outcome: 'success', exit_code: 0, check_passed: null, files_changed: 1, insertions: 1, deletions: 0, tokens: 10,
      cost_usd: null, duration_ms: 1000, fallback_of: null, error_kind: null,
    });
    const record = {
      group_id: 'g', mode: 'best-of-n', status: 'done', winner: 'r1', winner_reason: 'check passed',
      members: [member('codex#1', 'r1'), member('claude#1', 'r2'), member('codex#2', 'r3')],
    } as GroupRecord;
    const patch = 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n';
    const comparison = buildComparison(record, new Map([['r1', patch], ['r2', patch.replace('+b', '+c')]]));
    expect(comparison.similarity).toEqual([[1, 0.3333, null], [0.3333, 1, null], [null, null, null]]);
    expect(comparison.files).toEqual([{ path: 'x', members: ['codex#1', 'claude#1'] }]);
    expect(comparison.members.map((m) => [m.winner, m.has_diff])).toEqual([[true, true], [false, true], [false, false]]);
  });
});
