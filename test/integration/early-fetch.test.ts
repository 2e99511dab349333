import { existsSync, readdirSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executeRun } from '../../src/modes/execute-run.js';
import type { RunPlan } from '../../src/modes/run-plan.js';
import { parseRepoArg } from '../../src/repos/repo-arg.js';
import { resolveHome } from '../../src/runs/home.js';
import { createFixtureRepo, gitIn, makeTempDir, startSilentRemote, type SilentRemote } from '../helpers/git-fixtures.js';
import { fetchBase } from '../../src/modes/run-checkout.js';
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
    // The fetch deadline is 10 minutes: the run did not wait for it.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(processesUnder(home)).toEqual([]);
    const repos = join(home, 'dispatch', 'repos');
    expect(existsSync(repos) ? readdirSync(repos).filter((name) => name.endsWith('.lock')) : []).toEqual([]);
  });

  it('a checkout under way when the run ends (no login) is waited for and leaves no worktree in the run', async () => {
    // A known base commit (a group's) starts the checkout at once, beside the home's preparation.
    await mkdir(join(home, 'user', '.codex'), { recursive: true });
    const repo = await createFixtureRepo({ 'a.txt': 'a\n'.repeat(1000), 'b.txt': 'b\n' });
    try {
      const plan = { ...planWithoutLogin(repo.path), workspacePool: 0 };
      const base = await fetchBase(plan, undefined);
      const result = await executeRun({ ...plan, base });
      expect(result.summary.outcome).toBe('auth');
      expect(result.summary.workspace).toBeNull();
      expect(result.summary.before_sha).toBeNull();
      expect(existsSync(join(result.runDir, 'workspace'))).toBe(false);
      // The mirror lists no worktree but itself, and none was parked.
      const listed = await gitIn(base.mirrorPath, ['worktree', 'list', '--porcelain']);
      expect(listed.split('\n').filter((line) => line.startsWith('worktree '))).toHaveLength(1);
      expect(listParked(base.mirrorPath)).toEqual([]);
    } finally {
      await repo.cleanup();
    }
  });
});
