import { existsSync, readdirSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executeRun } from '../../src/modes/execute-run.js';
import type { RunPlan } from '../../src/modes/run-plan.js';
import { parseRepoArg } from '../../src/repos/repo-arg.js';
import { resolveHome } from '../../src/runs/home.js';
import { createFixtureRepo, gitIn, makeTempDir, startSilentRemote, type SilentRemote } from '../helpers/git-fixtures.js';
import { fetchBase, startCheckout } from '../../src/modes/run-checkout.js';
import type { RunContext } from '../../src/modes/run-context.js';
import { listParked } from '../../src/repos/workspace-pool.js';
import { fakeAgent, processesUnder } from '../helpers/run-cli.js';

// A single run starts its mirror's fetch before it makes its run dir and the agent's home.
// A run that ends before it needs the checkout (no login) must stop that fetch, not wait
// for it: here the remote accepts the connection and never answers.

let home: string;
let remote: SilentRemote;
let url: string;

beforeEach(async () => {
  home = await makeTempDir('outpost-early-fetch-');
  remote = await startSilentRemote();
  url = remote.url;
});
afterEach(async () => {
  await remote.close();
  await rm(home, { recursive: true, force: true });
});

function planWithoutLogin(repoUrl = url): RunPlan {
  const userHome = join(home, 'user');
  return {
    executor: 'codex',
    bin: fakeAgent,
    repo: parseRepoArg(repoUrl, { cwd: home }),
    task: 'do something',
    sandbox: 'workspace-write',
    timeoutMs: 60_000,
    idleTimeoutMs: 60_000,
    graceMs: 1_000,
    fetchTimeoutMs: 10 * 60_000,
    outputCapBytes: 1 << 20,
    labels: {},
    keepWorkspace: false,
    requireChanges: false,
    home: resolveHome(join(home, 'dispatch'), {}),
    // No OPENAI_API_KEY and no codex login in this HOME.
    env: { PATH: process.env.PATH, HOME: userHome, CODEX_HOME: join(userHome, '.codex') },
    mode: 'single',
    groupId: null,
  };
}

describe('the fetch a single run starts early', () => {
  it('is stopped when the run ends before its checkout: outcome auth at once, no git left, lock free', async () => {
    await mkdir(join(home, 'user', '.codex'), { recursive: true });
    const started = Date.now();
    const result = await executeRun(planWithoutLogin());
    expect(result.summary.outcome).toBe('auth');
    expect(result.exitCode).toBe(6);
    // The run's cgroup, made at its start (where cgroups can be made), is gone with it.
    if (result.summary.agent_cgroup) expect(existsSync(result.summary.agent_cgroup)).toBe(false);
    // The fetch deadline is 10 minutes: the run did not wait for it.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(processesUnder(home)).toEqual([]);
    const repos = join(home, 'dispatch', 'repos');
    expect(existsSync(repos) ? readdirSync(repos).filter((name) => name.endsWith('.lock')) : []).toEqual([]);
  });

  it('a checkout dropped while under way is waited for and leaves no worktree; one dropped before it started never starts', async () => {
    const repo = await createFixtureRepo({ 'a.txt': 'a\n'.repeat(1000), 'b.txt': 'b\n' });
    try {
      const plan = { ...planWithoutLogin(repo.path), workspacePool: 0 };
      const base = await fetchBase(plan, undefined);
      const runDir = join(home, 'run');
      await mkdir(runDir);
      const contextWith = (baseFetch: Promise<typeof base>) =>
        ({ plan, hooks: {}, paths: { workspace: join(runDir, 'workspace') }, summary: { warnings: [] }, baseFetch }) as unknown as RunContext;
      const worktrees = async () => (await gitIn(base.mirrorPath, ['worktree', 'list', '--porcelain'])).split('\n').filter((line) => line.startsWith('worktree '));

      // Under way: the base is known, git has been started.
      let started = false;
      const underWay = startCheckout(contextWith(Promise.resolve(base)), () => (started = true));
      while (!started) await new Promise((resolve) => setImmediate(resolve));
      await underWay.drop();
      expect(existsSync(join(runDir, 'workspace'))).toBe(false);
      expect(await worktrees()).toHaveLength(1);
      expect(listParked(base.mirrorPath)).toEqual([]);

      // Before it started: the fetch answers only after the drop.
      let answer!: (value: typeof base) => void;
      const fetching = new Promise<typeof base>((resolve) => (answer = resolve));
      let startedLate = false;
      const early = startCheckout(contextWith(fetching), () => (startedLate = true));
      await early.drop();
      answer(base);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(startedLate).toBe(false);
      expect(existsSync(join(runDir, 'workspace'))).toBe(false);
      expect(await worktrees()).toHaveLength(1);
    } finally {
      await repo.cleanup();
    }
  });
});
