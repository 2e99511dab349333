import { Writable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadLiveLog } from '../../src/report/live-log.js';
import { createProgressView } from '../../src/report/progress-view.js';

beforeAll(loadLiveLog);
import { renderResultTable, type ResultRow } from '../../src/report/result-table.js';

const START = Date.parse('2026-11-24T03:04:05Z');
const RUN_ID = '20261124-030405-codex-abc123';
const ESC = '\x1b';

/** A writable that keeps what it is given, with the TTY fields a terminal stream has. */
function createFakeStream(tty: { isTTY?: boolean; columns?: number } = {}) {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        chunks.push(String(chunk));
        callback();
      },
    }),
    tty,
  );
  return { stream, text: () => chunks.join(''), chunks };
}

function createClock() {
  let nowMs = START;
  return { now: () => nowMs, advance: (ms: number) => (nowMs += ms) };
}

const MEMBERS = [
  { key: 'codex-1', executor: 'codex', attempt: 1 },
  { key: 'claude-1', executor: 'claude', attempt: 1 },
];

const ROWS: ResultRow[] = [
  { runId: RUN_ID, executor: 'codex', attempt: 1, outcome: 'success', check: 'passed', filesChanged: 2, insertions: 12, deletions: 3, tokens: 12_345, durationMs: 41_200, winner: true },
  { runId: '20261124-030405-claude-def456', executor: 'claude', attempt: 1, outcome: 'check_failed', check: 'failed', filesChanged: 1, insertions: 40, deletions: 0, tokens: null, durationMs: null, winner: false },
];

afterEach(() => {
  vi.useRealTimers();
});

describe('progress view without a TTY', () => {
  it('prints one plain timestamped line per state change and nothing per activity', () => {
    const { stream, text } = createFakeStream();
    const clock = createClock();
    const view = createProgressView(stream, MEMBERS, { now: clock.now });
    view.update('codex-1', { state: 'starting', id: RUN_ID });
    view.update('codex-1', { state: 'running' });
    view.update('codex-1', { lastActivity: '$ npm test', tokens: 1_200 });
    view.update('codex-1', { lastActivity: 'edit src/a.ts' });
    view.update('codex-1', { state: 'running' });
    clock.advance(41_200);
    view.update('codex-1', { state: 'done', outcome: 'success' });
    expect(text()).toBe(
      [
        `2026-11-24T03:04:05Z codex#1 starting ${RUN_ID}`,
        `2026-11-24T03:04:05Z codex#1 running ${RUN_ID}`,
        '2026-11-24T03:04:46Z codex#1 done success 41.2s',
        '',
      ].join('\n'),
    );
  });

  it('never writes escape codes, even from agent text, and ends with the table', () => {
    const { stream, text } = createFakeStream({ isTTY: false });
    const view = createProgressView(stream, MEMBERS, { now: createClock().now });
    view.update('claude-1', { state: 'running', id: `evil${ESC}[2Jid`, lastActivity: `${ESC}[31mred` });
    view.update('claude-1', { state: 'done', outcome: 'agent_error' });
    view.finish(ROWS);
    view.update('claude-1', { state: 'running' });
    expect(text()).not.toContain(ESC);
    expect(text().endsWith(renderResultTable(ROWS))).toBe(true);
  });

  it('can be forced plain on a terminal', () => {
    const { stream, text } = createFakeStream({ isTTY: true });
    const view = createProgressView(stream, MEMBERS, { forceTTY: false });
    view.update('codex-1', { state: 'running', id: RUN_ID });
    expect(text()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ codex#1 running /);
  });
});

describe('live progress view', () => {
  it('draws one line per member with executor, state, elapsed, tokens and last activity', () => {
    const { stream, text } = createFakeStream({ isTTY: true, columns: 120 });
    const clock = createClock();
    const view = createProgressView(stream, MEMBERS, { now: clock.now, refreshMs: 10_000 });
    expect(text()).toContain('codex#1');
    view.update('codex-1', { state: 'running', id: RUN_ID, startedAt: START });
    clock.advance(65_000);
    view.update('codex-1', { lastActivity: '$ npm test', tokens: 12_345 });
    view.update('claude-1', { state: 'checking' });
    expect(text()).toContain(ESC);
    const frame = lastFrame(text());
    expect(frame).toContain('codex#1   running   1m05s  12.3k tok  $ npm test');
    expect(frame).toContain('claude#1  checking');
    view.finish([]);
  });

  it('redraws activity on the refresh tick, not on every update', () => {
    vi.useFakeTimers();
    const { stream, text } = createFakeStream();
    const view = createProgressView(stream, MEMBERS, { forceTTY: true, refreshMs: 250 });
    view.update('codex-1', { state: 'running' });
    view.update('codex-1', { lastActivity: 'edit src/a.ts' });
    expect(text()).not.toContain('edit src/a.ts');
    vi.advanceTimersByTime(250);
    expect(text()).toContain('edit src/a.ts');
    view.finish(ROWS);
  });

  it('cuts lines to the terminal width', () => {
    const { stream, text } = createFakeStream({ isTTY: true, columns: 40 });
    const view = createProgressView(stream, MEMBERS, { now: createClock().now });
    view.update('codex-1', { state: 'running', lastActivity: `$ ${'npm run build && '.repeat(10)}npm test` });
    const lines = lastFrame(text()).split('\n');
    expect(lines.some((line) => line.startsWith('codex#1'))).toBe(true);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(40);
    view.finish([]);
  });

  it('finish stops the timer, clears the view and prints the table', () => {
    vi.useFakeTimers();
    const { stream, text, chunks } = createFakeStream({ isTTY: true });
    const view = createProgressView(stream, MEMBERS, {});
    expect(vi.getTimerCount()).toBe(1);
    view.finish(ROWS);
    expect(vi.getTimerCount()).toBe(0);
    expect(chunks.at(-1)).toBe(renderResultTable(ROWS));
    const written = text().length;
    vi.advanceTimersByTime(5_000);
    view.update('codex-1', { state: 'done' });
    expect(text().length).toBe(written);
  });
});

describe('result table', () => {
  it('aligns columns under a header and marks the winner', () => {
    expect(renderResultTable(ROWS, 120)).toBe(
      [
        '  RUN                            EXECUTOR  OUTCOME       CHECK   FILES  INS  DEL  TOKENS   TIME',
        `* ${RUN_ID}   codex#1   success       passed      2  +12   -3   12.3k  41.2s`,
        '  20261124-030405-claude-def456  claude#1  check_failed  failed      1  +40   -0       -      -',
        '',
        '* winner',
        '',
      ].join('\n'),
    );
  });
});

describe('result table on an 80-column terminal or mail', () => {
  const fallbackRows: ResultRow[] = [
    ...ROWS,
    { ...ROWS[1]!, runId: '20261124-030405-claude-ghi789', executor: 'claude (fallback)', outcome: 'idle_timeout', tokens: 1_234_567, durationMs: 3_725_000 },
  ];

  it('shows the last 6 characters of each run id (a valid id) when full ids do not fit', () => {
    const table = renderResultTable(ROWS);
    expect(table.split('\n').every((line) => line.length <= 80)).toBe(true);
    expect(table).toContain('* abc123  codex#1 ');
    expect(table).toContain('  def456  claude#1 ');
  });

  it('shortens the fallback label when that is still too wide', () => {
    const table = renderResultTable(fallbackRows);
    expect(Math.max(...table.split('\n').map((line) => line.length))).toBeLessThanOrEqual(80);
    expect(table).toContain('ghi789  claude#1 fb ');
    expect(renderResultTable(fallbackRows, 200)).toContain('20261124-030405-claude-ghi789  claude#1 (fallback)');
  });
});

/** The member lines of the last frame: escape sequences removed, last lines kept. */
function lastFrame(output: string): string {
  // eslint-disable-next-line no-control-regex -- stripping the terminal's escape codes
  const plain = output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '\n');
  const lines = plain.split('\n').filter((line) => line.trim() !== '');
  return lines.slice(-MEMBERS.length).join('\n');
}

describe('progress view while --on-quota wait waits', () => {
  const until = new Date(2026, 10, 24, 14, 0).getTime();

  it('plain: one line saying until when, in local time', () => {
    const { stream, text } = createFakeStream();
    const view = createProgressView(stream, MEMBERS, { now: () => new Date(2026, 10, 24, 9, 30).getTime() });
    view.update('codex-1', { state: 'waiting', id: RUN_ID, waitingUntil: until });
    expect(text()).toMatch(new RegExp(`^\\S+ codex#1 waiting for the usage limit to reset at 14:00 ${RUN_ID}\\n$`));
  });

  it('live: the member’s status says it waits for the reset', () => {
    const { stream, text } = createFakeStream({ isTTY: true, columns: 120 });
    const view = createProgressView(stream, MEMBERS, { now: () => new Date(2026, 10, 24, 9, 30).getTime(), refreshMs: 60_000 });
    view.update('codex-1', { state: 'waiting', id: RUN_ID, waitingUntil: until });
    expect(text()).toContain('codex#1   waiting for the usage limit to reset at 14:00');
    view.finish(ROWS);
  });
});
