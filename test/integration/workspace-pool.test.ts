import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanRunHome, createRunHome, git } from '../helpers/sample-repo.js';
import { readJson, runCli, testEnv } from '../helpers/run-cli.js';

interface Summary {
  run_id: string;
  outcome: string;
  changes: string;
  before_sha: string;
  after_sha: string;
  workspace: string | null;
}

let home: string;
let repo: string;

beforeEach(async () => {
  ({ home, repo } = await createRunHome('dispatch-pool-'));
  writeFileSync(join(repo, '.gitignore'), 'build/\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'ignore build output');
});
afterEach(() => cleanRunHome(home));

async function dispatch(args: string[], env: Record<string, string> = {}): Promise<{ dir: string; summary: Summary }> {
  const result = await runCli(['--quiet', ...args], { env: testEnv(home, env) });
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  const dir = result.stdout.trim().split('\n').at(-1) ?? '';
  return { dir, summary: readJson<Summary>(join(dir, 'summary.json')) };
}

const reposDir = () => join(home, 'repos');
const mirror = () => join(reposDir(), readdirSync(reposDir()).find((name) => name.endsWith('.git')) ?? '');
const poolDir = () => mirror().replace(/\.git$/, '.pool');
const parked = () => (existsSync(poolDir()) ? readdirSync(poolDir()).map((name) => join(poolDir(), name)) : []);
const inode = (path: string) => statSync(path).ino;
/** Worktrees git records for the mirror, the bare mirror itself left out. */
const registered = () =>
  execFileSync('git', ['--git-dir', mirror(), 'worktree', 'list', '--porcelain'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length))
    .filter((path) => path !== mirror());

function expectPristine(workspace: string, sha: string): void {
  expect(git(workspace, 'status', '--porcelain', '--ignored', '--untracked-files=all')).toBe('');
  expect(git(workspace, 'rev-parse', 'HEAD')).toBe(sha);
  expect(() => git(workspace, 'symbolic-ref', '-q', 'HEAD')).toThrow();
  expect(readFileSync(join(workspace, 'README.md'), 'utf8')).toBe('# sample\n');
}

describe('the workspace pool', () => {
  it('parks a worktree that is not kept, and the next run reuses it reset to the base: nothing of the earlier run reaches it', async () => {
    const first = await dispatch(['--no-keep-workspace', repo, '[scenario:litter]']);
    expect(first.summary).toMatchObject({ outcome: 'success', changes: 'committed', workspace: null });
    expect(existsSync(join(first.dir, 'workspace'))).toBe(false);
    const [entry] = parked();
    expect(parked()).toHaveLength(1);
    expect(registered()).toEqual([entry]);
    // What the agent built is gone already: a parked worktree holds no untracked or ignored file.
    expect(existsSync(join(entry ?? '', 'build'))).toBe(false);
    expect(existsSync(join(entry ?? '', 'untracked.txt'))).toBe(false);
    const parkedInode = inode(entry ?? '');

    const second = await dispatch([repo, '[scenario:noop]']);
    const workspace = join(second.dir, 'workspace');
    expect(inode(workspace)).toBe(parkedInode);
    expect(parked()).toEqual([]);
    expect(second.summary).toMatchObject({ outcome: 'no_changes', changes: 'none', workspace });
    expect(second.summary.before_sha).toBe(first.summary.before_sha);
    expect(readFileSync(join(second.dir, 'diff.patch'), 'utf8')).toBe('');
    expectPristine(workspace, second.summary.before_sha);
    expect(existsSync(join(workspace, 'hello.txt'))).toBe(false);
    // The reset detached HEAD: the agent's branch still holds its commit.
    expect(git(workspace, 'rev-parse', 'agent-branch')).toBe(first.summary.after_sha);
    expect(() => git(workspace, 'config', '--get', 'dispatch.test.agent')).toThrow();
    // No reflog, ORIG_HEAD or COMMIT_EDITMSG of the earlier run in the worktree's admin dir.
    expect(readdirSync(git(workspace, 'rev-parse', '--absolute-git-dir')).sort()).toEqual(['HEAD', 'commondir', 'gitdir', 'index']);
    expect(registered()).toEqual([workspace]);
  });

  it('undoes a change that kept the size and mtime of a tracked file', async () => {
    const first = await dispatch(['--no-keep-workspace', repo, '[scenario:sneaky-edit]']);
    expect(first.summary.changes).toBe('uncommitted');
    const parkedInode = inode(parked()[0] ?? '');
    const second = await dispatch([repo, '[scenario:noop]']);
    const workspace = join(second.dir, 'workspace');
    expect(inode(workspace)).toBe(parkedInode);
    expect(readFileSync(join(workspace, 'src', 'index.js'), 'utf8')).toBe('export const answer = 42;\n');
    expect(readFileSync(join(second.dir, 'diff.patch'), 'utf8')).toBe('');
  });

  it('gives concurrent runs distinct parked worktrees', async () => {
    const env = { DISPATCH_WORKSPACE_POOL: '3', FAKE_AGENT_DELAY_MS: '1500' };
    // Working at the same time, the three hold three worktrees (a late starter may reuse one).
    await Promise.all([1, 2, 3].map(() => dispatch(['--no-keep-workspace', repo, '[scenario:slow-ok]'], env)));
    const parkedInodes = parked().map(inode);
    expect(parkedInodes.length).toBeGreaterThanOrEqual(2);
    const runs = await Promise.all(parkedInodes.map(() => dispatch([repo, '[scenario:ok]'], env)));
    const used = runs.map((run) => inode(join(run.dir, 'workspace')));
    expect(new Set(used).size).toBe(parkedInodes.length);
    expect([...used].sort()).toEqual([...parkedInodes].sort());
    for (const run of runs) {
      expect(run.summary.outcome).toBe('success');
      // Each diff is its own run's alone: a worktree shared by two runs would mix them.
      expect(readFileSync(join(run.dir, 'diff.patch'), 'utf8').match(/^diff --git/gm)).toHaveLength(2);
    }
    expect(parked()).toEqual([]);
  });

  it('keeps at most N parked worktrees per repo; 0 turns the pool off', async () => {
    // Three at once: more worktrees than the bound come back.
    await Promise.all([1, 2, 3].map(() => dispatch(['--no-keep-workspace', '--workspace-pool', '1', repo, '[scenario:slow-ok]'], { FAKE_AGENT_DELAY_MS: '1000' })));
    expect(parked()).toHaveLength(1);
    expect(registered()).toEqual(parked());
    const off = await dispatch(['--no-keep-workspace', repo, '[scenario:noop]'], { DISPATCH_WORKSPACE_POOL: '0' });
    expect(off.summary.workspace).toBeNull();
    expect(parked()).toHaveLength(1);
    const bad = await runCli(['--workspace-pool', 'lots', repo, 'task'], { env: testEnv(home) });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^error: invalid --workspace-pool 'lots' — use a whole number from 0 \(off\) to 32$/);
  });

  const adminDirOf = (worktree: string) => readFileSync(join(worktree, '.git'), 'utf8').slice('gitdir: '.length).trim();
  it.each([
    ['its .git file is broken', (entry: string) => writeFileSync(join(entry, '.git'), 'gitdir: /nowhere\n'), (ws: string) => adminDirOf(ws) === '/nowhere'],
    ['its index is locked', (entry: string) => writeFileSync(join(adminDirOf(entry), 'index.lock'), ''), (ws: string) => existsSync(join(adminDirOf(ws), 'index.lock'))],
  ])('discards a parked worktree when %s, and the run still gets a clean one', async (_name, damage, isDamaged) => {
    const first = await dispatch(['--no-keep-workspace', repo, '[scenario:ok]']);
    const [entry] = parked();
    damage(entry ?? '');
    const second = await dispatch([repo, '[scenario:noop]']);
    const workspace = join(second.dir, 'workspace');
    expect(second.summary.outcome).toBe('no_changes');
    // Not the damaged one (an inode number could be reused once it is removed): that one is gone, and the new one is sound.
    expect(existsSync(entry ?? '')).toBe(false);
    expect(isDamaged(workspace)).toBe(false);
    expectPristine(workspace, first.summary.before_sha);
    expect(parked()).toEqual([]);
    expect(registered()).toEqual([workspace]);
  });

  it.each([
    ['worktree-level config', 'worktree-config'],
    ['a skip-worktree change', 'hide-change'],
  ])('never parks a worktree holding %s', async (_name, scenario) => {
    const first = await dispatch(['--no-keep-workspace', repo, `[scenario:${scenario}]`]);
    expect(first.summary.workspace).toBeNull();
    expect(parked()).toEqual([]);
    expect(registered()).toEqual([]);
    const second = await dispatch([repo, '[scenario:noop]']);
    const workspace = join(second.dir, 'workspace');
    expectPristine(workspace, first.summary.before_sha);
    expect(() => git(workspace, 'config', '--get', 'user.name')).toThrow();
  });

  it('dispatch prune empties the pool', async () => {
    // Two runs of one group whose agents overlap: each checks out a worktree of its own, both are parked.
    const group = await runCli(['--quiet', '--no-keep-workspace', '-n', '2', repo, '[scenario:slow-ok]'], { env: testEnv(home, { FAKE_AGENT_DELAY_MS: '500' }) });
    expect(group.exitCode).toBe(0);
    expect(parked()).toHaveLength(2);
    const dry = await runCli(['prune', '--dry-run'], { env: testEnv(home) });
    expect(dry.stdout).toContain('2 parked worktree(s)');
    expect(parked()).toHaveLength(2);
    const pruned = await runCli(['prune', '--json'], { env: testEnv(home) });
    expect(pruned.exitCode).toBe(0);
    expect(JSON.parse(pruned.stdout)).toMatchObject({ pooledWorkspaces: 2 });
    expect(existsSync(poolDir())).toBe(false);
    expect(registered()).toEqual([]);
  });
});
