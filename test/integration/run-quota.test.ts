import { execa } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GroupRecord } from '../../src/runs/group-record.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';
import { dispatchBin, readJson, runCli, testEnv } from '../helpers/run-cli.js';

// --on-quota with the fake agent: its usage-limit-once scenario hits the limit once (per
// FAKE_AGENT_STATE_DIR), resetting FAKE_AGENT_RESET_S seconds later, then succeeds.
let home: string;
let repo: string;

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-quota-')));
afterEach(() => cleanRunHome(home));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Summary {
  run_id: string;
  outcome: string;
  labels: Record<string, string>;
  error: { kind: string; message: string; reset_at?: string } | null;
  completed: string;
  started: string;
}

function limitEnv(resetSeconds: number): Record<string, string> {
  return testEnv(home, { FAKE_AGENT_STATE_DIR: home, FAKE_AGENT_RESET_S: String(resetSeconds) });
}

function readGroup(): GroupRecord | undefined {
  const runs = join(home, 'runs');
  const dir = existsSync(runs) ? readdirSync(runs).find((name) => name.includes('-group-')) : undefined;
  const path = dir ? join(runs, dir, 'group.json') : undefined;
  return path && existsSync(path) ? readJson<GroupRecord>(path) : undefined;
}

async function waitForWaiting(): Promise<GroupRecord> {
  for (let i = 0; i < 600; i++) {
    const group = readGroup();
    if (group?.members.some((member) => member.state === 'waiting')) return group;
    await sleep(25);
  }
  throw new Error('no member ever waited');
}

describe('--on-quota wait', () => {
  it.each(['codex', 'claude'])('%s: waits for the reset the agent named, then runs the task again as a new member', async (executor) => {
    const result = await runCli(['--executor', executor, '--on-quota', 'wait', repo, '[scenario:usage-limit-once]'], { env: limitEnv(2) });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/waiting for the usage limit to reset at \d\d:\d\d/);
    const group = readGroup()!;
    expect(group.members.map((member) => [member.key, member.outcome])).toEqual([
      [`${executor}#1`, 'quota'],
      [`${executor}#1~1`, 'success'],
    ]);
    const [limited, rerun] = group.members.map((member) => readJson<Summary>(join(member.run_dir ?? '', 'summary.json')));
    expect(limited?.error).toMatchObject({ kind: 'usage_limit' });
    const resetAt = Date.parse(limited?.error?.reset_at ?? '');
    expect(resetAt - Date.parse(limited?.completed ?? '')).toBeGreaterThan(0);
    expect(resetAt - Date.parse(limited?.completed ?? '')).toBeLessThan(5_000);
    // The rerun started after the reset, and says which run it repeats.
    expect(Date.parse(rerun?.started ?? '')).toBeGreaterThanOrEqual(resetAt);
    expect(rerun?.labels.retry_of).toBe(limited?.run_id);
    expect(group.members[1]?.retry_of).toBe(limited?.run_id);
  });

  it('does not wait for a reset beyond --max-wait: the run stays quota (exit 7)', async () => {
    const started = Date.now();
    const result = await runCli(['--on-quota', 'wait', '--max-wait', '1m', repo, '[scenario:quota]'], { env: testEnv(home) });
    expect(result.exitCode).toBe(7);
    expect(Date.now() - started).toBeLessThan(30_000);
    const group = readGroup()!;
    expect(group.members).toHaveLength(1);
    expect(group.members[0]).toMatchObject({ outcome: 'quota', error_message: expect.stringContaining('after --max-wait') as string });
  });

  it('dispatch cancel <group> ends the wait at once', async () => {
    const child = execa(process.execPath, [dispatchBin, '--on-quota', 'wait', repo, '[scenario:usage-limit-once]'], { env: limitEnv(600), extendEnv: false, reject: false });
    const group = await waitForWaiting();
    const cancelled = await runCli(['cancel', group.group_id], { env: testEnv(home) });
    expect(cancelled.exitCode).toBe(0);
    const result = await child;
    expect(result.exitCode).toBe(7);
    expect(readGroup()).toMatchObject({ status: 'cancelled' });
    expect(readGroup()?.members.map((member) => member.state)).toEqual(['done']);
  });

  it('Ctrl-C ends the wait at once (exit 130)', async () => {
    const child = execa(process.execPath, [dispatchBin, '--on-quota', 'wait', repo, '[scenario:usage-limit-once]'], { env: limitEnv(600), extendEnv: false, reject: false });
    await waitForWaiting();
    const signalled = Date.now();
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(Date.now() - signalled).toBeLessThan(15_000);
    expect(readGroup()).toMatchObject({ status: 'cancelled' });
  });
});

describe('--on-quota fail | fallback', () => {
  it('fail (the default without --fallback): one run, exit 7', async () => {
    const result = await runCli(['--json', repo, '[scenario:quota]'], { env: testEnv(home) });
    expect(result.exitCode).toBe(7);
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: 'quota', error: { kind: 'usage_limit' } });
  });

  it('--on-quota fail with --fallback: a usage limit does not fall back, another failure does', async () => {
    const quota = await runCli(['--fallback', 'claude', '--on-quota', 'fail', repo, '[scenario-codex:quota]'], { env: testEnv(home) });
    expect(quota.exitCode).toBe(7);
    expect(readGroup()?.members.map((member) => member.key)).toEqual(['codex#1']);
    const failed = await runCli(['--json', '--fallback', 'claude', '--on-quota', 'fail', repo, '[scenario-codex:fail]'], { env: testEnv(home) });
    expect(failed.exitCode).toBe(0);
    expect((JSON.parse(failed.stdout) as GroupRecord).members.map((member) => [member.key, member.outcome])).toEqual([
      ['codex#1', 'agent_error'],
      ['codex#1>claude', 'success'],
    ]);
  });

  it('--on-quota fallback needs --fallback (usage error, exit 2)', async () => {
    const result = await runCli(['--on-quota', 'fallback', repo, 'task'], { env: testEnv(home) });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^error: --on-quota fallback needs --fallback EXECUTOR — /);
    const bad = await runCli(['--on-quota', 'sometimes', repo, 'task'], { env: testEnv(home) });
    expect(bad.exitCode).toBe(2);
  });
});
