import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { formatChanges, formatStarted, renderEmptyListing, renderMoreHint, renderRunTable, truncate } from '../../src/report/list-report.js';
import {
  compareNewestFirst,
  extendToSameSecond,
  filterByIdParts,
  isListableSummary,
  matchesFields,
  needsSummaryFields,
  parseRunQuery,
  parseSince,
  selectCandidates,
  sortRunIds,
  type RunFields,
  type RunQuery,
} from '../../src/runs/run-filter.js';
import { parseRunId } from '../../src/runs/run-id.js';
import type { RunSummary } from '../../src/runs/summary.js';

const noFilter: RunQuery = { labels: {}, limit: null };
const ids = (runs: { id: string }[]) => runs.map((run) => run.id);

describe('run ids', () => {
  it('tell the UTC start second and the executor', () => {
    expect(parseRunId('20260131-081502-claude-ab12cd')).toEqual({
      id: '20260131-081502-claude-ab12cd',
      startedMs: Date.parse('2026-01-31T08:15:02Z'),
      executor: 'claude',
    });
  });

  it.each(['20260131-081502-group-ab12cd', 'notes', '20260131-081502-codex-abc', '2026013-081502-codex-ab12cd', '.index.jsonl', '20260131-081502-Codex-ab12cd'])(
    'are not %j',
    (name) => expect(parseRunId(name)).toBeNull(),
  );

  it('sort newest first, junk and groups left out (or only groups)', () => {
    const names = ['20260101-000000-codex-aaaaaa', 'junk', '20260301-000000-claude-bbbbbb', '20260201-000000-group-cccccc', '20260201-000000-codex-dddddd'];
    expect(ids(sortRunIds(names))).toEqual(['20260301-000000-claude-bbbbbb', '20260201-000000-codex-dddddd', '20260101-000000-codex-aaaaaa']);
    expect(ids(sortRunIds(names, 'group'))).toEqual(['20260201-000000-group-cccccc']);
  });
});

describe('filters on the id alone', () => {
  const runs = sortRunIds(['20260110-120000-codex-aaaaaa', '20260110-120005-claude-bbbbbb', '20260111-000000-codex-cccccc']);

  it('--executor: one name or a comma list', () => {
    expect(ids(filterByIdParts(runs, { ...noFilter, executors: ['codex'] }))).toEqual(['20260111-000000-codex-cccccc', '20260110-120000-codex-aaaaaa']);
    expect(filterByIdParts(runs, { ...noFilter, executors: ['codex', 'claude'] })).toHaveLength(3);
  });

  it('--since: a run started within the cutoff second counts', () => {
    const since = new Date('2026-01-10T12:00:05.700Z');
    expect(ids(filterByIdParts(runs, { ...noFilter, since }))).toEqual(['20260111-000000-codex-cccccc', '20260110-120005-claude-bbbbbb']);
  });

  it('select = sort + filter', () => {
    expect(ids(selectCandidates(['junk', '20260110-120000-codex-aaaaaa', '20260110-120005-claude-bbbbbb'], { ...noFilter, executors: ['claude'] }))).toEqual([
      '20260110-120005-claude-bbbbbb',
    ]);
  });
});

describe('ordering within one second', () => {
  const runs = sortRunIds(['20260110-120000-codex-zzzzzz', '20260110-120000-claude-aaaaaa', '20260110-115959-codex-bbbbbb']);

  it('a batch is extended to the end of its last run second', () => {
    expect(extendToSameSecond(runs, 1)).toBe(2);
    expect(extendToSameSecond(runs, 2)).toBe(2);
    expect(extendToSameSecond(runs, 3)).toBe(3);
    expect(extendToSameSecond(runs, 0)).toBe(0);
  });

  it('runs of one second are ordered by their exact start, then by id', () => {
    const [a, b, c] = runs as [(typeof runs)[number], (typeof runs)[number], (typeof runs)[number]];
    const items = [
      { parts: a, started: '2026-01-10T12:00:00.100Z' },
      { parts: b, started: '2026-01-10T12:00:00.900Z' },
      { parts: c, started: '2026-01-10T11:59:59.999Z' },
    ];
    expect(items.sort(compareNewestFirst).map((item) => item.parts.executor)).toEqual(['claude', 'codex', 'codex']);
    expect(compareNewestFirst({ parts: a, started: 'x' }, { parts: b, started: 'x' })).toBeLessThan(0);
  });
});

describe('filters on summary fields', () => {
  const fields: RunFields = {
    run_id: 'r',
    status: 'failed',
    outcome: 'agent_error',
    repo: 'api',
    repo_url: 'https://github.com/Acme/API.git',
    labels: { team: 'core', env: 'ci' },
  };

  it('status, outcome, repo (substring of repo or URL, any case), labels (all must match)', () => {
    expect(matchesFields(fields, noFilter)).toBe(true);
    expect(matchesFields(fields, { ...noFilter, status: 'failed', outcome: 'agent_error' })).toBe(true);
    expect(matchesFields(fields, { ...noFilter, status: 'success' })).toBe(false);
    expect(matchesFields(fields, { ...noFilter, outcome: 'quota' })).toBe(false);
    expect(matchesFields(fields, { ...noFilter, repo: 'acme/api' })).toBe(true);
    expect(matchesFields(fields, { ...noFilter, repo: 'AP' })).toBe(true);
    expect(matchesFields(fields, { ...noFilter, repo: 'web' })).toBe(false);
    expect(matchesFields(fields, { ...noFilter, labels: { team: 'core', env: 'ci' } })).toBe(true);
    expect(matchesFields(fields, { ...noFilter, labels: { team: 'core', env: 'prod' } })).toBe(false);
    expect(matchesFields(fields, { ...noFilter, labels: { owner: 'me' } })).toBe(false);
  });

  it('only summary filters need summaries', () => {
    expect(needsSummaryFields({ ...noFilter, executors: ['codex'], since: new Date(), limit: 5 })).toBe(false);
    expect(needsSummaryFields({ ...noFilter, repo: 'x' })).toBe(true);
    expect(needsSummaryFields({ ...noFilter, labels: { a: 'b' } })).toBe(true);
  });

  it('files that are not summaries are not listed', () => {
    expect(isListableSummary({ run_id: 'r', status: 'success', started: '2026-01-01T00:00:00Z', repo: 'api' })).toBe(true);
    for (const junk of [null, [], 'text', 42, { run_id: 'r' }, { run_id: 'r', status: 'success', started: 1, repo: 'api' }]) {
      expect(isListableSummary(junk)).toBe(false);
    }
  });
});

describe('list flags', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const flags = { labels: {}, limit: 20 };

  it('become a query', () => {
    expect(parseRunQuery({ ...flags, executor: 'codex,Claude', status: 'failed', outcome: 'quota', repo: 'api', since: '2d' }, now)).toEqual({
      labels: {},
      limit: 20,
      executors: ['codex', 'claude'],
      status: 'failed',
      outcome: 'quota',
      repo: 'api',
      since: new Date('2026-02-27T12:00:00Z'),
    });
  });

  it('bad values are usage errors that list the valid ones', () => {
    expect(() => parseRunQuery({ ...flags, status: 'done' }, now)).toThrow(UsageError);
    expect(() => parseRunQuery({ ...flags, status: 'done' }, now)).toThrow(/invalid --status 'done'/);
    try {
      parseRunQuery({ ...flags, outcome: 'error' }, now);
    } catch (error) {
      expect((error as UsageError).hint).toBe(
        'use one of: success, no_changes, empty_result, check_failed, agent_error, timeout, idle_timeout, cancelled, auth, quota, infra, abandoned',
      );
      expect((error as UsageError).exitCode).toBe(2);
    }
    expect(() => parseRunQuery({ ...flags, executor: '../x' }, now)).toThrow(UsageError);
  });

  it('--since: a duration back from now, or a date', () => {
    expect(parseSince('12h', now)).toEqual(new Date('2026-03-01T00:00:00Z'));
    expect(parseSince('2026-02-01', now)).toEqual(new Date('2026-02-01T00:00:00Z'));
    expect(parseSince('2026-02-01T08:30:00Z', now)).toEqual(new Date('2026-02-01T08:30:00Z'));
    for (const bad of ['yesterday', '0', '2026-13-45', '']) expect(() => parseSince(bad, now)).toThrow(UsageError);
  });
});

describe('the list table', () => {
  const now = new Date('2026-03-01T12:00:00Z');

  it('starts: an age within a day, else a local date and time', () => {
    expect(formatStarted('2026-03-01T11:59:48Z', now)).toBe('12s ago');
    expect(formatStarted('2026-03-01T11:55:00Z', now)).toBe('5m ago');
    expect(formatStarted('2026-03-01T02:00:00Z', now)).toBe('10h ago');
    expect(formatStarted('2026-02-01T02:00:00Z', now)).toMatch(/^2026-0[12]-\d\d \d\d:\d\d$/);
    expect(formatStarted('garbage', now)).toBe('-');
  });

  it('changes, truncation', () => {
    expect(formatChanges({ changes: 'uncommitted', files_changed: 2, insertions: 12, deletions: 3 })).toBe('+12 -3 / 2');
    expect(formatChanges({ changes: 'none', files_changed: 0, insertions: 0, deletions: 0 })).toBe('-');
    expect(formatChanges({ changes: null, files_changed: 0, insertions: 0, deletions: 0 })).toBe('-');
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('a long task title', 8)).toBe('a long …');
  });

  it('aligns columns and falls back to labels without a task', () => {
    const summary = (id: string, extra: Partial<RunSummary>) =>
      ({ run_id: id, status: 'success', outcome: 'success', executor: 'codex', repo: 'api', started: '2026-03-01T11:00:00Z', duration_ms: 65_000, changes: 'committed', files_changed: 1, insertions: 4, deletions: 0, labels: {}, ...extra }) as RunSummary;
    const table = renderRunTable(
      [
        { id: '20260301-110000-codex-aaaaaa', summary: summary('a', {}), task: 'Fix the flaky test' },
        { id: '20260301-100000-claude-bbbbbb', summary: summary('b', { executor: 'claude', status: 'running', outcome: null, duration_ms: null, changes: null, labels: { job: 'nightly' } }), task: '' },
      ],
      now,
    );
    expect(table.split('\n')).toEqual([
      'RUN                            OUTCOME  EXECUTOR  REPO  STARTED  DURATION  CHANGES    TASK',
      '20260301-110000-codex-aaaaaa   success  codex     api   1h ago   1m05s     +4 -0 / 1  Fix the flaky test',
      '20260301-100000-claude-bbbbbb  running  claude    api   1h ago   -         -          job=nightly',
      '',
    ]);
  });

  it('says so when nothing is listed, or more could be', () => {
    expect(renderEmptyListing('/h/runs', 0, 'runs')).toBe('no runs yet in /h/runs\n');
    expect(renderEmptyListing('/h/runs', 12, 'runs')).toBe('no runs match (12 runs in /h/runs)\n');
    expect(renderMoreHint(1, 'runs')).toBe('(the newest 1 run; more with --limit N or --all)\n');
  });
});
