import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GroupRecord } from '../../src/runs/group-record.js';
import { formatIdTimestamp } from '../../src/runs/run-id.js';
import { RUN_INDEX_FILE } from '../../src/runs/run-index.js';
import { createRunningSummary } from '../../src/runs/summary-init.js';
import type { RunSummary } from '../../src/runs/summary.js';
import { createSampleRepo } from '../helpers/sample-repo.js';
import { processesUnder, readJson, runCli, testEnv } from '../helpers/run-cli.js';

/** `dispatch <args>` against a home. */
const dispatchIn = (home: string, args: string[]) => runCli(args, { env: testEnv(home) });
const parseNdjson = (stdout: string) => stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as RunSummary);
/** The RUN column of a `list` table. */
const tableIds = (stdout: string) => stdout.split('\n').slice(1).filter((line) => /^\d{8}-/.test(line)).map((line) => line.split(' ')[0]);

describe('runs made by dispatch with the fake agent', () => {
  let home: string;
  let runs: { first: RunSummary; fail: RunSummary; claude: RunSummary; group: GroupRecord };
  const list = async (...args: string[]) => dispatchIn(home, ['list', ...args]);
  const show = async (...args: string[]) => dispatchIn(home, ['show', ...args]);

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'dispatch-list-'));
    const repo = await createSampleRepo(join(home, 'src-repo'));
    const make = async (args: string[], task: string) => {
      const result = await dispatchIn(home, ['--json', ...args, repo, task]);
      return JSON.parse(result.stdout) as unknown;
    };
    const first = (await make(['--label', 'team=core'], 'First task\nsecond line')) as RunSummary;
    const fail = (await make([], '[scenario:fail] Second task')) as RunSummary;
    const claude = (await make(['--executor', 'claude', '--label', 'team=web', '--label', 'env=ci'], 'Third task')) as RunSummary;
    const group = (await make(['--executor', 'both'], 'Fourth task')) as GroupRecord;
    runs = { first, fail, claude, group };
  }, 120_000);

  afterAll(async () => {
    expect(processesUnder(home)).toEqual([]);
    await rm(home, { recursive: true, force: true });
  });

  const memberIds = () => runs.group.members.map((member) => member.run_id ?? '');

  it('lists runs (not groups) newest first, in a table', async () => {
    expect([runs.first.outcome, runs.fail.outcome, runs.claude.outcome]).toEqual(['success', 'agent_error', 'success']);
    const result = await list();
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(result.stdout.split('\n')[0]).toMatch(/^RUN +OUTCOME +EXECUTOR +REPO +STARTED +DURATION +CHANGES +TASK$/);
    const ids = tableIds(result.stdout);
    expect(ids.slice(2)).toEqual([runs.claude.run_id, runs.fail.run_id, runs.first.run_id]);
    expect(ids.slice(0, 2).sort()).toEqual(memberIds().sort());
    expect(result.stdout).toMatch(new RegExp(`^${runs.first.run_id} +success +codex +src-repo +\\d+s ago +\\S+ +\\+2 -0 / 2 +First task$`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^${runs.fail.run_id} +agent_error +codex .* - +\\[scenario:fail\\] Second task$`, 'm'));
    // The JSON listing has the same order, newest start first.
    const listed = parseNdjson((await list('--json')).stdout);
    expect(listed.map((summary) => summary.run_id)).toEqual(ids);
    const starts = listed.map((summary) => Date.parse(summary.started));
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
  });

  it('filters: executor, status, outcome, repo, since, labels', async () => {
    const idsOf = async (...args: string[]) => tableIds((await list(...args)).stdout);
    const claudeMember = runs.group.members.find((member) => member.executor === 'claude')?.run_id;
    expect(await idsOf('--executor', 'claude')).toEqual([claudeMember, runs.claude.run_id]);
    expect(await idsOf('--status', 'failed')).toEqual([runs.fail.run_id]);
    expect(await idsOf('--outcome', 'agent_error')).toEqual([runs.fail.run_id]);
    expect(await idsOf('--outcome', 'success', '--executor', 'codex')).toHaveLength(2);
    expect(await idsOf('--repo', 'SRC-REPO')).toHaveLength(5);
    expect(await idsOf('--repo', home)).toHaveLength(5); // repo_url: the local path
    expect(await idsOf('--since', '1h')).toHaveLength(5);
    expect(await idsOf('--since', '2100-01-01')).toEqual([]);
    expect(await idsOf('--label', 'team=core')).toEqual([runs.first.run_id]);
    expect(await idsOf('--label', 'team=web', '--label', 'env=ci')).toEqual([runs.claude.run_id]);
    expect(await idsOf('--label', 'team=web', '--label', 'env=prod')).toEqual([]);
    const none = await list('--repo', 'no-such-repo');
    expect(none).toMatchObject({ exitCode: 0, stdout: `no runs match (5 runs in ${join(home, 'runs')})` });
  });

  it('bad filter values: exit 2 with one line listing the valid ones', async () => {
    const status = await list('--status', 'done');
    expect(status).toMatchObject({ exitCode: 2, stdout: '' });
    expect(status.stderr).toBe("error: invalid --status 'done' — use one of: running, success, failed, timeout, cancelled, abandoned");
    const outcome = await list('--outcome', 'error');
    expect(outcome.exitCode).toBe(2);
    expect(outcome.stderr).toMatch(/^error: invalid --outcome 'error' — use one of: success, no_changes, .*abandoned$/);
    for (const args of [['--since', 'soon'], ['--limit', '0'], ['--label', 'novalue'], ['--all', '--limit', '3'], ['--groups', '--status', 'failed']]) {
      const result = await list(...args);
      expect(result.exitCode).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('--limit, --json (NDJSON of the summaries as they are on disk), --groups', async () => {
    const limited = await list('--limit', '2');
    expect(tableIds(limited.stdout)).toHaveLength(2);
    expect(limited.stdout).toMatch(/\n\(the newest 2 runs; more with --limit N or --all\)$/);
    const json = await list('--json');
    const lines = json.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      const summary = JSON.parse(line) as RunSummary;
      expect(summary).toEqual(readJson(join(home, 'runs', summary.run_id, 'summary.json')));
    }
    expect(parseNdjson((await list('--json', '--limit', '1')).stdout)).toHaveLength(1);
    const groups = await list('--groups');
    expect(groups.stdout).toMatch(new RegExp(`^${runs.group.group_id} +parallel +done +2 +src-repo .* Fourth task$`, 'm'));
    expect(parseNdjson((await list('--groups', '--json')).stdout)).toEqual([readJson(join(home, 'runs', runs.group.group_id, 'group.json'))]);
  });

  it('show: by full id, unique prefix, suffix, latest', async () => {
    const id = runs.claude.run_id;
    const full = await show(id);
    expect(full).toMatchObject({ exitCode: 0, stderr: '' });
    for (const expected of [
      `run ${id}`,
      /outcome: +success \(status success\)/,
      /executor: +claude/,
      /repo: +src-repo@main/,
      /commits: +[0-9a-f]{10} → [0-9a-f]{10}/,
      /changes: +2 files, \+2 -0 \(uncommitted\)/,
      /tokens: +120 in, 20 cached, 30 out, 0 reasoning/,
      /cost: +\$0\.0123/,
      /session: +fake-\d+/,
      /labels: +team=web env=ci/,
      `diff:      ${join(home, 'runs', id, 'diff.patch')}`,
      `output:    ${join(home, 'runs', id, 'output.log')}`,
      /final message:\n {2}done$/,
    ]) {
      expect(full.stdout).toMatch(expected);
    }
    expect((await show(id.slice(0, -2))).stdout).toBe(full.stdout);
    expect((await show(id.slice(-6))).stdout).toBe(full.stdout);
    const failed = await show(runs.fail.run_id);
    expect(failed.stdout).toMatch(/outcome: +agent_error \(status failed\)/);
    expect(failed.stdout).toMatch(/error: +agent_error: /);
    const latest = await show('latest');
    expect(latest.stdout.split('\n')[0]).toMatch(new RegExp(`^run (${memberIds().join('|')})$`));
  });

  it('show: a group, with its members, and --json', async () => {
    const { group_id: groupId } = runs.group;
    const result = await show(groupId);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^group ${groupId}\n`));
    expect(result.stdout).toMatch(/mode: +parallel/);
    expect(result.stdout).toMatch(/RUN +EXECUTOR +OUTCOME +CHECK/);
    for (const id of memberIds()) expect(result.stdout).toMatch(new RegExp(`${id} +(codex|claude)#1 +success`));
    expect(result.stdout).toMatch(/task:\n {2}Fourth task$/);
    expect(JSON.parse((await show(groupId, '--json')).stdout)).toEqual(readJson(join(home, 'runs', groupId, 'group.json')));
    const runJson = await show(runs.first.run_id, '--json');
    expect(JSON.parse(runJson.stdout)).toEqual(readJson(join(home, 'runs', runs.first.run_id, 'summary.json')));
  });

  it('show: unknown and ambiguous references exit 2 with one line', async () => {
    const unknown = await show('zzzzzz');
    expect(unknown).toMatchObject({ exitCode: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/^error: no run or group matches 'zzzzzz' in .* — see `\.\/bin\/dispatch list`, or pass --home$/);
    const ambiguous = await show('20');
    expect(ambiguous.exitCode).toBe(2);
    expect(ambiguous.stderr).toMatch(/^error: '20' is ambiguous: 6 run or groups match [^\n]*$/);
  });

  it('a run directory deleted by hand, junk and a corrupt summary.json are skipped', async () => {
    expect((await list('--outcome', 'success')).exitCode).toBe(0); // builds the index
    rmSync(join(home, 'runs', runs.first.run_id), { recursive: true, force: true });
    mkdirSync(join(home, 'runs', 'notes'));
    mkdirSync(join(home, 'runs', '20260101-000000-codex-nosumm'));
    mkdirSync(join(home, 'runs', '20260102-000000-codex-broken'));
    writeFileSync(join(home, 'runs', '20260102-000000-codex-broken', 'summary.json'), '{"run_id": "20260102-000000-co');
    writeFileSync(join(home, 'runs', 'README'), 'not a run');
    for (const args of [[], ['--outcome', 'success'], ['--label', 'team=core'], ['--json']]) {
      const result = await list(...args);
      expect(result).toMatchObject({ exitCode: 0, stderr: '' });
      expect(result.stdout).not.toContain(runs.first.run_id);
      expect(result.stdout).not.toMatch(/broken|nosumm|notes/);
    }
    expect(tableIds((await list()).stdout)).toHaveLength(4);
    expect((await show(runs.first.run_id)).exitCode).toBe(2);
    const broken = await show('broken');
    expect(broken.exitCode).toBe(3);
    expect(broken.stderr).toMatch(/^error: run 20260102-000000-codex-broken has no readable summary.json — look into /);
  });
});

describe('synthesized runs', () => {
  let home: string;
  let runsDir: string;
  const now = Date.now();
  const list = async (...args: string[]) => dispatchIn(home, ['list', ...args]);
  const listedIds = async (...args: string[]) => parseNdjson((await list('--json', ...args)).stdout).map((summary) => summary.run_id);

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'dispatch-list-synth-'));
    runsDir = join(home, 'runs');
    mkdirSync(runsDir);
  });

  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  /** Writes runs/<id>/summary.json (and task.md) for a run that started `agoMs` ago. */
  function writeRun(agoMs: number, overrides: Partial<RunSummary> = {}, suffix = Math.random().toString(36).slice(2, 8).padEnd(6, '0')): string {
    const started = new Date(now - agoMs);
    const executor = overrides.executor ?? 'codex';
    const id = `${formatIdTimestamp(started)}-${executor}-${suffix}`;
    const base = createRunningSummary({
      runId: id, groupId: null, repo: 'api', repoUrl: 'https://github.com/acme/api.git', branch: 'main', executor, model: null,
      mode: 'single', started, sandbox: 'workspace-write', labels: {}, parentRunId: null, fallbackOf: null,
    });
    const summary: RunSummary = { ...base, status: 'success', outcome: 'success', completed: started.toISOString(), duration_ms: 1_000, ...overrides };
    mkdirSync(join(runsDir, id));
    writeFileSync(join(runsDir, id, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    writeFileSync(join(runsDir, id, 'task.md'), `task ${id}\n`);
    return id;
  }

  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;

  it('empty: a friendly line, exit 0 (with or without a runs/ directory)', async () => {
    expect(await list()).toMatchObject({ exitCode: 0, stdout: `no runs yet in ${runsDir}`, stderr: '' });
    expect(await list('--json')).toMatchObject({ exitCode: 0, stdout: '' });
    rmSync(runsDir, { recursive: true });
    expect(await list()).toMatchObject({ exitCode: 0, stdout: `no runs yet in ${runsDir}` });
    expect(await list('--groups')).toMatchObject({ exitCode: 0, stdout: `no groups yet in ${runsDir}` });
  });

  it('orders by the id timestamp whatever the creation order; one second is ordered by exact start', async () => {
    const middle = writeRun(2 * DAY);
    const oldest = writeRun(40 * DAY);
    const newest = writeRun(HOUR);
    const second = Math.floor((now - 5 * DAY) / 1_000) * 1_000;
    const late = writeRun(now - second - 900, { started: new Date(second + 900).toISOString() }, 'aaaaaa');
    const early = writeRun(now - second - 100, { started: new Date(second + 100).toISOString() }, 'zzzzzz');
    expect(await listedIds()).toEqual([newest, middle, late, early, oldest]);
    expect(tableIds((await list('--limit', '3')).stdout)).toEqual([newest, middle, late]);
    expect(await listedIds('--since', '3d')).toEqual([newest, middle]);
    expect(await listedIds('--since', new Date(now - 41 * DAY).toISOString().slice(0, 10))).toHaveLength(5);
    expect(await listedIds('--since', new Date(now - 3 * HOUR).toISOString())).toEqual([newest]);
  });

  it('--limit defaults to 20 in the table; --all and --json list everything', async () => {
    for (let i = 0; i < 25; i++) writeRun(i * HOUR, i % 5 === 0 ? { status: 'failed', outcome: 'quota', executor: 'claude' } : {});
    const table = await list();
    expect(tableIds(table.stdout)).toHaveLength(20);
    expect(table.stdout).toContain('(the newest 20 runs; more with --limit N or --all)');
    expect(tableIds((await list('--all')).stdout)).toHaveLength(25);
    expect(await listedIds()).toHaveLength(25);
    expect(await listedIds('--outcome', 'quota', '--limit', '2')).toHaveLength(2);
    expect(await listedIds('--executor', 'claude', '--status', 'failed')).toHaveLength(5);
  });

  it('the index of finished runs: same answers with and without it, deleted runs ignored, running runs never in it', async () => {
    const quota = [writeRun(HOUR, { status: 'failed', outcome: 'quota', labels: { job: 'nightly' } }), writeRun(3 * HOUR, { status: 'failed', outcome: 'quota' })];
    writeRun(2 * HOUR, { labels: { job: 'nightly' } });
    const running = writeRun(4 * HOUR, { status: 'running', outcome: null, completed: null, duration_ms: null, pid: process.pid });
    expect(await listedIds('--outcome', 'quota')).toEqual(quota);
    const index = readFileSync(join(runsDir, RUN_INDEX_FILE), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { run_id: string });
    expect(index).toHaveLength(3);
    expect(index.map((entry) => entry.run_id)).not.toContain(running);
    // Answers come from the index now; deleting a run by hand drops it all the same.
    expect(await listedIds('--outcome', 'quota')).toEqual(quota);
    expect(await listedIds('--status', 'running')).toEqual([running]);
    rmSync(join(runsDir, quota[0] ?? ''), { recursive: true });
    expect(await listedIds('--outcome', 'quota')).toEqual([quota[1]]);
    expect(await listedIds('--label', 'job=nightly')).toHaveLength(1);
    // A corrupt index is a cache miss, not an error.
    writeFileSync(join(runsDir, RUN_INDEX_FILE), '{"run_id": 1}\nnot json\n{"run_id":"x"');
    expect(await listedIds('--outcome', 'quota')).toEqual([quota[1]]);
    rmSync(join(runsDir, RUN_INDEX_FILE));
    expect(await listedIds('--outcome', 'quota')).toEqual([quota[1]]);
  });

  it('an index mostly made of deleted runs is compacted; a torn last line is not glued to new ones', async () => {
    const kept = writeRun(HOUR, { status: 'failed', outcome: 'quota' });
    const gone = Array.from({ length: 1_200 }, (_, i) =>
      JSON.stringify({ run_id: `20250101-000000-codex-${String(i).padStart(6, '0')}`, status: 'failed', outcome: 'quota', repo: 'api', repo_url: 'u', labels: {} }),
    );
    writeFileSync(join(runsDir, RUN_INDEX_FILE), `${gone.join('\n')}\n{"run_id":"torn`);
    expect(await listedIds('--outcome', 'quota')).toEqual([kept]);
    const lines = readFileSync(join(runsDir, RUN_INDEX_FILE), 'utf8').trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { run_id: string }).run_id)).toEqual([kept]);
  });

  it('a running run whose dispatcher died is listed (and shown) as abandoned', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const id = writeRun(HOUR, { status: 'running', outcome: null, completed: null, duration_ms: null, pid: dead });
    expect(await listedIds('--status', 'running')).toEqual([]);
    expect(readJson<RunSummary>(join(runsDir, id, 'summary.json'))).toMatchObject({ status: 'abandoned', outcome: 'abandoned' });
    expect(await listedIds('--status', 'abandoned')).toEqual([id]);
    const shown = await dispatchIn(home, ['show', id]);
    expect(shown.stdout).toMatch(/outcome: +abandoned \(status abandoned\)/);
    expect(shown.stdout).toMatch(/error: +abandoned: the dispatcher \(pid \d+\) died/);
  });

  it('junk in runs/ is skipped, never fatal', async () => {
    const good = writeRun(HOUR);
    for (const name of ['notes', '20260101-000000-codex-abc', '20260101-000000-group-aaaaaa', '20260103-000000-codex-nulled', '20260104-000000-codex-arrays']) {
      mkdirSync(join(runsDir, name));
    }
    writeFileSync(join(runsDir, '20260103-000000-codex-nulled', 'summary.json'), 'null');
    writeFileSync(join(runsDir, '20260104-000000-codex-arrays', 'summary.json'), '[]');
    writeFileSync(join(runsDir, '20260101-000000-group-aaaaaa', 'group.json'), '{"broken":');
    writeFileSync(join(runsDir, 'stray-file'), '');
    for (const args of [[], ['--status', 'success'], ['--groups']]) expect(await list(...args)).toMatchObject({ exitCode: 0, stderr: '' });
    expect(await listedIds()).toEqual([good]);
    expect(existsSync(join(runsDir, good))).toBe(true);
  });
});
