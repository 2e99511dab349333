import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GroupRecord } from '../../src/runs/group-record.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';
import { isRunning, readJson, runCli, testEnv } from '../helpers/run-cli.js';

let home: string;
let repo: string;

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-group-')));
afterEach(() => cleanRunHome(home));

interface MemberSummary {
  run_id: string;
  group_id: string;
  mode: string;
  status: string;
  outcome: string;
  fallback_of: string | null;
  error: { kind: string } | null;
  started: string;
  completed: string;
}

async function dispatchGroup(args: string[], env: Record<string, string | undefined> = {}) {
  const result = await runCli(['--json', ...args], { env: testEnv(home, env) });
  const record = result.stdout.trim().startsWith('{') ? (JSON.parse(result.stdout) as GroupRecord) : undefined;
  const summaries = (record?.members ?? [])
    .filter((member) => member.run_dir)
    .map((member) => readJson<MemberSummary>(join(member.run_dir ?? '', 'summary.json')));
  return { ...result, record, summaries };
}

describe('parallel', () => {
  it('--executor both runs each agent in its own run, linked by group.json', async () => {
    const run = await dispatchGroup(['--executor', 'both', repo, 'task']);
    expect(run.exitCode).toBe(0);
    const record = run.record!;
    expect(record).toMatchObject({ mode: 'parallel', status: 'done', executors: ['codex', 'claude'], exit_code: 0, winner: null });
    expect(record.members.map((member) => [member.key, member.outcome])).toEqual([
      ['codex#1', 'success'],
      ['claude#1', 'success'],
    ]);
    expect(readJson(join(home, 'runs', record.group_id, 'group.json'))).toEqual(record);
    for (const summary of run.summaries) expect(summary).toMatchObject({ group_id: record.group_id, mode: 'parallel' });
  });

  it('exit code: 0 when one member succeeded, else the worst member', async () => {
    const mixed = await dispatchGroup(['--executor', 'both', repo, '[scenario-codex:fail] [scenario-claude:ok]']);
    expect(mixed.exitCode).toBe(0);
    const failing = await dispatchGroup(['--executor', 'both', repo, '[scenario-codex:fail] [scenario-claude:quota]', '--idle-timeout', '20s']);
    expect(failing.record?.members.map((member) => member.outcome)).toEqual(['agent_error', 'quota']);
    expect(failing.exitCode).toBe(7);
  });

  it('--concurrency bounds how many agents run at once', async () => {
    const run = await dispatchGroup(['-n', '4', '--concurrency', '2', repo, '[scenario:slow-ok]'], { FAKE_AGENT_DELAY_MS: '700' });
    expect(run.exitCode).toBe(0);
    const spans = run.summaries.map((summary) => [Date.parse(summary.started), Date.parse(summary.completed)] as const);
    const maxOverlap = Math.max(...spans.map(([start]) => spans.filter(([s, e]) => s <= start && start < e).length));
    expect(maxOverlap).toBe(2);
  });

  it('plain progress lines (no escape codes) and a result table without a TTY', async () => {
    const result = await runCli(['--executor', 'both', repo, 'task'], { env: testEnv(home) });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toContain('\x1b');
    expect(result.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ codex#1 running \d{8}-\d{6}-codex-[a-z0-9]{6}$/m);
    expect(result.stdout).toMatch(/^\S+ claude#1 done success /m);
    expect(result.stdout).toMatch(/RUN +EXECUTOR +OUTCOME/);
    expect(result.stdout).toMatch(/^group \d{8}-\d{6}-group-[a-z0-9]{6} \(parallel\)/m);
  });
});

describe('many dispatches on one repository at once', () => {
  it('every member gets its worktree, and removing them leaves no worktree record behind but the parked ones', async () => {
    const runs = await Promise.all(
      Array.from({ length: 5 }, () => dispatchGroup(['--executor', 'both', '-n', '2', '--no-keep-workspace', repo, 'task'])),
    );
    const outcomes = runs.flatMap((run) => run.record?.members.map((member) => member.outcome) ?? []);
    expect(outcomes).toEqual(Array(20).fill('success'));
    const mirror = join(home, 'repos', readdirSync(join(home, 'repos')).find((name) => name.endsWith('.git')) ?? '');
    const worktrees = execFileSync('git', ['--git-dir', mirror, 'worktree', 'list', '--porcelain'], { encoding: 'utf8' });
    const paths = [...worktrees.matchAll(/^worktree (.+)$/gm)].map((match) => match[1]);
    // The bare mirror itself, and the worktrees parked for reuse (at most 2 by default).
    const pool = mirror.replace(/\.git$/, '.pool');
    expect(paths.filter((path) => path !== mirror && !path?.startsWith(`${pool}/`))).toEqual([]);
    expect(paths.length).toBeLessThanOrEqual(3);
    expect(existsSync(pool) ? readdirSync(pool).length : 0).toBe(paths.length - 1);
  });
});

describe('best-of-N', () => {
  it('picks the candidate whose check passed and can apply it on a branch', async () => {
    const run = await dispatchGroup(['--executor', 'both', '--check', 'grep -q claude hello.txt', '--apply', repo, 'task']);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const record = run.record!;
    const claude = record.members.find((member) => member.executor === 'claude');
    expect(record).toMatchObject({ mode: 'best-of-n', winner: claude?.run_id, winner_reason: 'the only candidate whose check passed' });
    expect(record.members.map((member) => member.outcome)).toEqual(['check_failed', 'success']);
    expect(record.scores).toHaveLength(2);
    expect(record.applied_branch).toBe(`dispatch/${record.group_id}`);
    const mirror = join(home, 'repos', readdirSync(join(home, 'repos')).find((name) => name.endsWith('.git')) ?? '');
    expect(execFileSync('git', ['--git-dir', mirror, 'show', `${record.applied_branch}:hello.txt`], { encoding: 'utf8' })).toBe('hi from claude\n');
  });

  it('no candidate passes: no winner, the worst exit code', async () => {
    const run = await dispatchGroup(['-n', '2', '--check', 'false', repo, 'task']);
    expect(run.record).toMatchObject({ mode: 'best-of-n', winner: null, winner_reason: 'no candidate succeeded' });
    expect(run.exitCode).toBe(5);
  });
});

describe('race', () => {
  it('the first success wins; the others are stopped (even agents ignoring SIGTERM), logs kept', async () => {
    const run = await dispatchGroup(
      ['--executor', 'codex,claude', '-n', '2', '--race', '--kill-grace', '300ms', repo, '[scenario-codex:ignore-sigterm] [scenario-claude:slow-ok]'],
      { FAKE_AGENT_DELAY_MS: '300' },
    );
    expect(run.exitCode).toBe(0);
    const record = run.record!;
    expect(record.mode).toBe('race');
    const winner = run.summaries.find((summary) => summary.run_id === record.winner);
    expect(winner).toMatchObject({ outcome: 'success' });
    expect(winner?.run_id).toContain('-claude-');
    // Both codex attempts never finish on their own: each must have been stopped.
    const codexRuns = run.summaries.filter((summary) => summary.run_id.includes('-codex-'));
    expect(codexRuns).toHaveLength(2);
    expect(record.members.filter((member) => member.executor === 'codex').map((member) => member.exit_code)).toEqual([0, 0]);
    for (const loser of codexRuns) {
      expect(loser).toMatchObject({ status: 'cancelled', outcome: 'cancelled', error: { kind: 'race_lost' } });
      expect(existsSync(join(home, 'runs', loser.run_id, 'output.log'))).toBe(true);
      expect(existsSync(join(home, 'runs', loser.run_id, 'diff.patch'))).toBe(true);
    }
  });

  it('a race where every run fails has no winner', async () => {
    const run = await dispatchGroup(['--executor', 'both', '--race', repo, '[scenario:fail]']);
    expect(run.record).toMatchObject({ winner: null, winner_reason: 'no run succeeded' });
    // codex: agent_error (1); the fake claude fails with a `server_error`, the model provider's: infra (3).
    expect(run.record?.members.map((member) => member.outcome)).toEqual(['agent_error', 'infra']);
    expect(run.exitCode).toBe(3);
  });
});

describe('fallback', () => {
  it.each([
    ['quota', 'quota', []],
    ['auth', 'auth', []],
    ['fail', 'agent_error', []],
    ['network', 'infra', []],
    ['hang', 'idle_timeout', ['--idle-timeout', '1s']],
    ['busy', 'timeout', ['--timeout', '1s']],
  ])('codex %s → %s, then claude runs the same task in a fresh worktree', async (scenario, outcome, extra) => {
    const run = await dispatchGroup(['--executor', 'codex', '--fallback', 'claude', '--kill-grace', '300ms', ...extra, repo, `[scenario-codex:${scenario}]`]);
    const [primary, fallback] = run.summaries;
    expect(primary).toMatchObject({ outcome, mode: 'fallback' });
    expect(fallback).toMatchObject({ outcome: 'success', fallback_of: primary?.run_id });
    expect(run.exitCode).toBe(0);
    expect(run.record?.members.map((member) => member.key)).toEqual(['codex#1', 'codex#1>claude']);
  });

  it('does not fall back after a success or a check failure', async () => {
    const run = await dispatchGroup(['--fallback', 'claude', '--check', 'false', repo, 'task']);
    expect(run.summaries.map((summary) => summary.outcome)).toEqual(['check_failed']);
    expect(run.exitCode).toBe(5);
  });
});

describe('guard rails', () => {
  it('--budget-tokens stops every running member once the group is over budget', async () => {
    const run = await dispatchGroup(['-n', '2', '--budget-tokens', '200', repo, '[scenario:spend]']);
    expect(run.record?.budget).toMatchObject({ tokens: 200, exceeded: true, spent_tokens: 300 });
    for (const summary of run.summaries) expect(summary).toMatchObject({ outcome: 'cancelled', error: { kind: 'budget' } });
    expect(run.exitCode).toBe(130);
  });

  it('--budget-usd stops claude runs from their reported cost', async () => {
    const run = await dispatchGroup(['--executor', 'claude', '-n', '2', '--budget-usd', '0.75', repo, '[scenario:spend]']);
    expect(run.record?.budget).toMatchObject({ exceeded: true, spent_usd: 1 });
    expect(run.summaries).toHaveLength(2);
    for (const summary of run.summaries) expect(summary).toMatchObject({ outcome: 'cancelled', error: { kind: 'budget' } });
  });

  it('a missing login fails the whole fan-out once, before any agent starts', async () => {
    const result = await runCli(['--executor', 'both', '-n', '3', repo, 'task'], { env: testEnv(home, { ANTHROPIC_API_KEY: undefined }) });
    expect(result.exitCode).toBe(6);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^error: claude is not logged in.*\(no run was started\)/);
    expect(existsSync(join(home, 'runs'))).toBe(false);
  });

  it('a missing CLI fails --executor both before anything starts', async () => {
    const result = await runCli(['--executor', 'both', repo, 'task'], { env: testEnv(home, { CLAUDE_BIN: join(home, 'nope') }) });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/^error: CLAUDE_BIN=.* is not an executable file/);
    expect(existsSync(join(home, 'runs'))).toBe(false);
  });

  it('--on-finish runs once with DISPATCH_SUMMARY pointing at group.json (or summary.json)', async () => {
    const group = await dispatchGroup(['-n', '2', '--on-finish', `cp "$DISPATCH_SUMMARY" ${join(home, 'finished.json')}`, repo, 'task']);
    expect(readJson(join(home, 'finished.json'))).toEqual(group.record);
    const single = await runCli(['--quiet', '--on-finish', `cp "$DISPATCH_SUMMARY" ${join(home, 'single.json')}`, repo, 'task'], { env: testEnv(home) });
    expect(readJson<{ outcome: string }>(join(home, 'single.json')).outcome).toBe('success');
    expect(single.exitCode).toBe(0);
  });

  it('a race loser that left a grandchild leaves no process behind', async () => {
    const pidFile = join(home, 'gc.pid');
    const run = await dispatchGroup(['--executor', 'both', '--race', '--kill-grace', '300ms', repo, '[scenario-codex:grandchild] [scenario-claude:hang]'], {
      FAKE_AGENT_PIDFILE: pidFile,
    });
    expect(run.exitCode).toBe(0);
    expect(isRunning(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
    const loser = run.summaries.find((summary) => summary.run_id !== run.record?.winner);
    expect(loser).toMatchObject({ outcome: 'cancelled', error: { kind: 'race_lost' } });
  });
});
