import { existsSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRunCgroup } from '../../src/process/run-cgroup.js';
import { readJson, runCli, testEnv } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';
import { recordedPids, runDirs, sleep, startDispatch, survivorsOf, timeUntilGone, waitFor, waitForAgentStart } from './reliability-helpers.js';

// Fake agents that leave their process group: a helper in its own session (setsid), a
// double-forked daemon that ignores SIGTERM and holds the agent's stdout/stderr, and one
// that also clears its environment. Every ending of a run must stop all of them.

interface Summary {
  status: string;
  outcome: string;
  warnings: string[];
  workspace: string | null;
  error: { kind: string } | null;
}

let home: string;
let repo: string;
let pidfile: string;

beforeEach(async () => {
  ({ home, repo } = await createRunHome('dispatch-escape-'));
  pidfile = join(home, 'helper-pids');
});
afterEach(() => cleanRunHome(home));

const LATE_MS = 2_500;
const env = (extra: Record<string, string> = {}) => testEnv(home, { FAKE_AGENT_PIDFILE: pidfile, FAKE_AGENT_LATE_MS: String(LATE_MS), ...extra });
const LEFT_BEHIND = /the agent exited but left \d+ process(es)? running; dispatch stopped/;

async function dispatchJson(args: string[], extra: Record<string, string> = {}) {
  const started = Date.now();
  const result = await runCli(['--json', '--kill-grace', '1s', ...args], { env: env(extra) });
  return { ...result, ms: Date.now() - started, summary: JSON.parse(result.stdout) as Summary & { members?: Summary[] } };
}

/** Nothing of the run is left, and nothing writes into its workspace after it was recorded. */
async function expectNothingLeft(lateMs = LATE_MS): Promise<void> {
  expect(recordedPids(pidfile).length).toBeGreaterThan(0);
  expect(survivorsOf(pidfile, home)).toEqual([]);
  await sleep(lateMs + 500);
  for (const dir of runDirs(home)) expect(existsSync(join(dir, 'workspace', 'late.txt'))).toBe(false);
}

function canMakeCgroups(): boolean {
  const made = createRunCgroup(`probe${process.pid}`);
  if (made) rmdirSync(made);
  return made !== null;
}

describe('a normal exit that leaves processes behind', () => {
  it('a helper in its own session (setsid) is stopped, with a warning in the summary', async () => {
    const run = await dispatchJson([repo, '[scenario:setsid-exit]']);
    expect(run.exitCode).toBe(0);
    expect(run.summary.outcome).toBe('success');
    expect(run.summary.warnings.some((w) => LEFT_BEHIND.test(w))).toBe(true);
    await expectNothingLeft();
  });

  it('a double-forked daemon that ignores SIGTERM and holds the pipes: the run still ends, the daemon is killed', async () => {
    const run = await dispatchJson([repo, '[scenario:daemon-exit]']);
    expect(run.exitCode).toBe(0);
    expect(run.summary.warnings.some((w) => LEFT_BEHIND.test(w))).toBe(true);
    console.log(`[measure] daemon holding the pipes, normal exit: dispatch done in ${run.ms} ms (drain 1 s + grace 1 s)`);
    await expectNothingLeft();
  });

  it('with --no-keep-workspace too', async () => {
    const run = await dispatchJson(['--no-keep-workspace', repo, '[scenario:daemon-exit]']);
    expect(run.exitCode).toBe(0);
    expect(run.summary.workspace).toBeNull();
    await expectNothingLeft();
  });

  it.skipIf(!canMakeCgroups())('a daemon that also clears its environment is found by the run cgroup', async () => {
    const run = await dispatchJson([repo, '[scenario:hostile-exit]']);
    expect(run.exitCode).toBe(0);
    expect(run.summary.warnings.some((w) => LEFT_BEHIND.test(w))).toBe(true);
    await expectNothingLeft();
  });
});

describe('every stop of a run reaches the daemon', () => {
  it('--timeout', async () => {
    const run = await dispatchJson(['--timeout', '1500ms', repo, '[scenario:daemon-hang]']);
    expect(run.summary).toMatchObject({ status: 'timeout', outcome: 'timeout' });
    expect(run.exitCode).toBe(124);
    await expectNothingLeft();
  });

  it('--idle-timeout (the daemon prints nothing either)', async () => {
    const run = await dispatchJson(['--idle-timeout', '1s', repo, '[scenario:daemon-hang]'], { FAKE_DAEMON_QUIET: '1' });
    expect(run.summary).toMatchObject({ status: 'timeout', outcome: 'idle_timeout' });
    await expectNothingLeft();
  });

  it('dispatch cancel from another shell', async () => {
    const child = startDispatch(['--quiet', '--kill-grace', '1s', repo, '[scenario:daemon-hang]'], env());
    const dir = await waitForAgentStart(home);
    await waitFor('the daemon to start', () => recordedPids(pidfile).length >= 2);
    const asked = Date.now();
    const cancel = await runCli(['cancel', dir], { env: env() });
    expect(cancel.stdout).toMatch(/: cancelled$/);
    const goneMs = Date.now() - asked + (await timeUntilGone(pidfile, home));
    console.log(`[measure] dispatch cancel → last process gone: ${goneMs} ms (grace 1 s, SIGTERM ignored)`);
    expect((await child).exitCode).toBe(130);
    expect(readJson<Summary>(join(dir, 'summary.json'))).toMatchObject({ outcome: 'cancelled' });
    await expectNothingLeft();
  });

  it('a lost --race', async () => {
    const run = await dispatchJson(['--race', '--executor', 'codex,claude', repo, '[scenario-codex:slow-ok] [scenario-claude:daemon-hang]'], {
      FAKE_AGENT_DELAY_MS: '1500',
      // The loser's daemon would write late.txt after its run was recorded.
      FAKE_AGENT_LATE_MS: '6000',
    });
    const outcomes = (run.summary.members ?? []).map((member) => member.outcome);
    expect(outcomes).toEqual(['success', 'cancelled']);
    expect(run.exitCode).toBe(0);
    await expectNothingLeft(6_000);
  });

  it('a --budget-tokens stop', async () => {
    const run = await dispatchJson(['-n', '2', '--budget-tokens', '100', repo, '[scenario:daemon-spend]']);
    expect((run.summary.members ?? []).map((member) => member.outcome)).toEqual(['cancelled', 'cancelled']);
    const kinds = runDirs(home).map((dir) => readJson<Summary>(join(dir, 'summary.json')).error?.kind);
    expect(kinds).toEqual(['budget', 'budget']);
    await expectNothingLeft();
  });

  it('the next command, after the dispatcher was killed with SIGKILL', async () => {
    const child = startDispatch(['--quiet', repo, '[scenario:daemon-hang]'], env());
    const dir = await waitForAgentStart(home);
    await waitFor('the daemon to start', () => recordedPids(pidfile).length >= 2);
    child.kill('SIGKILL');
    await child;
    expect(survivorsOf(pidfile, home).length).toBeGreaterThan(0); // the daemon outlived its dispatcher
    const list = await runCli(['list', '--json'], { env: env() });
    expect(list.exitCode).toBe(0);
    expect(readJson<Summary>(join(dir, 'summary.json'))).toMatchObject({ status: 'abandoned' });
    await expectNothingLeft();
  });
});

// Where cgroups cannot be made (macOS, unprivileged containers) the marker must do it alone.
describe('with DISPATCH_CGROUP=off: the environment marker alone', () => {
  const markerOnly = { DISPATCH_CGROUP: 'off' };

  it('a setsid helper and a pipe-holding daemon left at a normal exit', async () => {
    const helper = await dispatchJson([repo, '[scenario:setsid-exit]'], markerOnly);
    expect(helper.summary.warnings.some((w) => LEFT_BEHIND.test(w))).toBe(true);
    const daemon = await dispatchJson([repo, '[scenario:daemon-exit]'], markerOnly);
    expect(daemon.exitCode).toBe(0);
    expect(daemon.summary.warnings.some((w) => LEFT_BEHIND.test(w))).toBe(true);
    expect(runDirs(home).map((dir) => readJson<{ agent_cgroup: string | null }>(join(dir, 'summary.json')).agent_cgroup)).toEqual([null, null]);
    await expectNothingLeft();
  });

  it('--timeout, and the next command after a SIGKILL', async () => {
    const run = await dispatchJson(['--timeout', '1500ms', repo, '[scenario:daemon-hang]'], markerOnly);
    expect(run.summary.outcome).toBe('timeout');
    const child = startDispatch(['--quiet', repo, '[scenario:daemon-hang]'], env(markerOnly));
    await waitForAgentStart(home);
    await waitFor('the second daemon to start', () => recordedPids(pidfile).length >= 4);
    child.kill('SIGKILL');
    await child;
    expect(survivorsOf(pidfile, home).length).toBeGreaterThan(0);
    expect((await runCli(['list', '--json'], { env: env(markerOnly) })).exitCode).toBe(0);
    await expectNothingLeft();
  });
});
