import { existsSync, readdirSync, readFileSync, type Dirent } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchBase, startCheckout } from '../../src/modes/run-checkout.js';
import type { RunContext } from '../../src/modes/run-context.js';
import type { RunPlan } from '../../src/modes/run-plan.js';
import { ensureMirror } from '../../src/repos/mirror.js';
import { readMirrorTip } from '../../src/repos/mirror-tip.js';
import { parseRepoArg, type RepoSpec } from '../../src/repos/repo-arg.js';
import { startSpeculativeWorktree } from '../../src/repos/speculative-worktree.js';
import { checkoutWorkspace, listParked, releaseWorkspace } from '../../src/repos/workspace-pool.js';
import { resolveHome } from '../../src/runs/home.js';
import { createFixtureRepo, gitIn, makeTempDir, type FixtureRepo } from '../helpers/git-fixtures.js';

// A single run checks its worktree out at the commit the mirror has while the fetch asks the
// remote for the newest one. The run must still start from exactly the fetched commit, as a
// fresh worktree of it, and a guess that cannot be trusted must leave nothing behind.

let home: string;
let remote: FixtureRepo;
let spec: RepoSpec;
let reposDir: string;

beforeEach(async () => {
  home = await makeTempDir('outpost-speculative-');
  remote = await createFixtureRepo({ 'keep.txt': 'keep\n', 'gone/old.txt': 'old\n', 'edit.txt': 'v1\n' });
  spec = parseRepoArg(remote.path, { cwd: home });
  reposDir = join(home, 'repos');
});
afterEach(async () => {
  await remote.cleanup();
  await rm(home, { recursive: true, force: true });
});

/** A second commit on main: one file deleted (its directory with it), one changed, one added. */
async function advanceRemote(): Promise<string> {
  await gitIn(remote.path, ['rm', '--quiet', '-r', 'gone']);
  return remote.commitFiles({ 'edit.txt': 'v2\n', 'new/added.txt': 'added\n' }, 'second');
}

/** What a run must find: HEAD detached at sha, index and files exactly sha's, nothing else. */
async function expectExactCheckout(dir: string, mirrorPath: string, sha: string): Promise<void> {
  expect(await gitIn(dir, ['rev-parse', 'HEAD'])).toBe(sha);
  expect(await gitIn(dir, ['symbolic-ref', '--quiet', 'HEAD']).catch(() => 'detached')).toBe('detached');
  expect(await gitIn(dir, ['status', '--porcelain', '--ignored', '--untracked-files=all'])).toBe('');
  const tracked = await gitIn(mirrorPath, [`--git-dir=${mirrorPath}`, 'ls-tree', '-r', '--name-only', sha]);
  expect(await gitIn(dir, ['ls-files'])).toBe(tracked);
  // No file or directory beyond the commit's (an empty directory would not show in status).
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.name !== '.git');
  const path = (entry: Dirent) => relative(dir, join(entry.parentPath, entry.name));
  const files = tracked.split('\n');
  expect(entries.filter((entry) => !entry.isDirectory()).map(path).sort()).toEqual([...files].sort());
  for (const entry of entries.filter((e) => e.isDirectory())) expect(files.some((file) => file.startsWith(`${path(entry)}/`))).toBe(true);
}

async function registeredWorktrees(mirrorPath: string): Promise<string[]> {
  const listing = await gitIn(mirrorPath, [`--git-dir=${mirrorPath}`, 'worktree', 'list', '--porcelain']);
  return listing.split('\n').filter((line) => line.startsWith('worktree ')).slice(1);
}

/** Waits until the speculation's checkout has written the worktree's index. */
async function untilCheckedOut(dir: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const named = existsSync(join(dir, '.git')) ? /^gitdir: (.+)$/m.exec(readFileSync(join(dir, '.git'), 'utf8'))?.[1] : undefined;
    if (named && existsSync(join(named, 'index'))) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the speculative checkout did not finish');
}

describe('the mirror tip read from its files', () => {
  it('names the default branch, a given branch, loose or packed; nothing for what is not a plain branch', async () => {
    const { mirrorPath } = await ensureMirror(spec, reposDir);
    const head = await remote.head();
    expect(readMirrorTip(mirrorPath, undefined)).toBe(head);
    expect(readMirrorTip(mirrorPath, 'main')).toBe(head);
    expect(readMirrorTip(mirrorPath, 'refs/heads/main')).toBe(head);
    await gitIn(remote.path, ['tag', 'v1']);
    await gitIn(remote.path, ['branch', 'feature']);
    await ensureMirror(spec, reposDir);
    await gitIn(mirrorPath, [`--git-dir=${mirrorPath}`, 'pack-refs', '--all', '--prune']);
    expect(existsSync(join(mirrorPath, 'refs', 'remotes', 'origin', 'feature'))).toBe(false);
    expect(readMirrorTip(mirrorPath, 'feature')).toBe(head);
    // A tag, a missing branch, names that are not plain branch paths: no guess.
    for (const name of ['v1', 'nope', '../../HEAD', 'a//b', '.hidden', 'HEAD', '']) expect(readMirrorTip(mirrorPath, name)).toBeUndefined();
    expect(readMirrorTip(join(home, 'no-such-mirror.git'), undefined)).toBeUndefined();
  });
});

describe('a worktree checked out while the fetch runs', () => {
  it('is taken as it is when the fetch brings nothing new', async () => {
    const { mirrorPath } = await ensureMirror(spec, reposDir);
    const dir = join(home, 'run', 'workspace');
    await mkdir(join(home, 'run'));
    const guess = startSpeculativeWorktree(mirrorPath, dir, undefined, 2);
    expect(guess).toBeDefined();
    expect(await guess?.settle(await remote.head())).toBe(true);
    await expectExactCheckout(dir, mirrorPath, await remote.head());
  });

  it('is moved to the fetched commit when the remote moved on: exactly a fresh checkout of it', async () => {
    const { mirrorPath } = await ensureMirror(spec, reposDir);
    const old = await remote.head();
    const sha = await advanceRemote();
    const dir = join(home, 'run', 'workspace');
    await mkdir(join(home, 'run'));
    const guess = startSpeculativeWorktree(mirrorPath, dir, undefined, 2);
    await untilCheckedOut(dir);
    expect(await gitIn(dir, ['rev-parse', 'HEAD'])).toBe(old);
    await ensureMirror(spec, reposDir);
    expect(await guess?.settle(sha)).toBe(true);
    await expectExactCheckout(dir, mirrorPath, sha);
    expect(readFileSync(join(dir, 'edit.txt'), 'utf8')).toBe('v2\n');
  });

  it('is dropped, leaving nothing, when the repair replaced the mirror it belongs to; the usual checkout follows', async () => {
    const { mirrorPath } = await ensureMirror(spec, reposDir);
    const dir = join(home, 'run', 'workspace');
    await mkdir(join(home, 'run'));
    const guess = startSpeculativeWorktree(mirrorPath, dir, undefined, 2);
    await untilCheckedOut(dir);
    // What setAsideUnreadableMirror does with a damaged mirror: moved aside, a new one fetched.
    await rename(mirrorPath, `${mirrorPath}.damaged-test`);
    await ensureMirror(spec, reposDir);
    const sha = await remote.head();
    expect(await guess?.settle(sha)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    await checkoutWorkspace(mirrorPath, dir, sha, 2);
    await expectExactCheckout(dir, mirrorPath, sha);
    expect(await registeredWorktrees(mirrorPath)).toEqual([`worktree ${dir}`]);
  });

  it('is removed with its record when discarded; none is started when a parked worktree waits or no tip is known', async () => {
    const { mirrorPath } = await ensureMirror(spec, reposDir);
    await mkdir(join(home, 'run'));
    const dir = join(home, 'run', 'workspace');
    const guess = startSpeculativeWorktree(mirrorPath, dir, undefined, 2);
    await guess?.discard();
    expect(existsSync(dir)).toBe(false);
    expect(await registeredWorktrees(mirrorPath)).toEqual([]);

    // A parked worktree is reused instead (taking it waits for the lock the fetch holds).
    await checkoutWorkspace(mirrorPath, dir, await remote.head(), 2);
    await releaseWorkspace(mirrorPath, dir, 2, true);
    expect(listParked(mirrorPath)).toHaveLength(1);
    expect(startSpeculativeWorktree(mirrorPath, dir, undefined, 2)).toBeUndefined();
    expect(startSpeculativeWorktree(mirrorPath, dir, 'no-such-branch', 0)).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
  });
});

describe("a single run's checkout", () => {
  const plan = () => ({ repo: spec, home: resolveHome(home, {}), workspacePool: 0, fetchTimeoutMs: 60_000 }) as unknown as RunPlan;
  const contextFor = (baseFetch: ReturnType<typeof fetchBase>, runDir: string): RunContext =>
    ({ plan: plan(), hooks: {}, paths: { workspace: join(runDir, 'workspace') }, summary: { warnings: [] }, baseFetch }) as unknown as RunContext;

  it('starts from the commit the fetch brought, not the one the mirror had', async () => {
    const { mirrorPath } = await ensureMirror(spec, reposDir);
    const sha = await advanceRemote();
    const runDir = join(home, 'run');
    await mkdir(runDir);
    const ctx = contextFor(fetchBase(plan(), undefined), runDir);
    const checkout = startCheckout(ctx, () => undefined);
    expect(await checkout.adopt()).toBe(mirrorPath);
    expect(ctx.summary.before_sha).toBe(sha);
    await expectExactCheckout(ctx.paths.workspace, mirrorPath, sha);
  });

  it('fails as the fetch failed, and the worktree made meanwhile is gone by then', async () => {
    const { mirrorPath } = await ensureMirror(spec, reposDir);
    const runDir = join(home, 'run');
    await mkdir(runDir);
    let fail!: (error: Error) => void;
    const fetching = new Promise<Awaited<ReturnType<typeof fetchBase>>>((_resolve, reject) => (fail = reject));
    const ctx = contextFor(fetching, runDir);
    const checkout = startCheckout(ctx, () => undefined);
    await untilCheckedOut(ctx.paths.workspace);
    fail(new Error('cannot reach the remote'));
    await expect(checkout.adopt()).rejects.toThrow('cannot reach the remote');
    expect(existsSync(ctx.paths.workspace)).toBe(false);
    expect(await registeredWorktrees(mirrorPath)).toEqual([]);
  });

  it('dropped while the fetch is still out: the worktree made meanwhile is gone when drop returns', async () => {
    const { mirrorPath } = await ensureMirror(spec, reposDir);
    const runDir = join(home, 'run');
    await mkdir(runDir);
    let answer!: (base: Awaited<ReturnType<typeof fetchBase>>) => void;
    const fetching = new Promise<Awaited<ReturnType<typeof fetchBase>>>((resolve) => (answer = resolve));
    const ctx = contextFor(fetching, runDir);
    const checkout = startCheckout(ctx, () => undefined);
    await untilCheckedOut(ctx.paths.workspace);
    await checkout.drop();
    expect(existsSync(ctx.paths.workspace)).toBe(false);
    expect(await registeredWorktrees(mirrorPath)).toEqual([]);
    answer(await fetchBase(ctx.plan, undefined));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(existsSync(ctx.paths.workspace)).toBe(false);
  });
});
