import { captureObjectDir } from './capture-diff.js';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraError } from '../errors.js';
import { buildFilterGuardEnv } from './config-guard.js';
import { runGit, toGitError } from './git.js';
import { mirrorGitArgs } from './mirror.js';
import { withRepoLock } from './repo-lock.js';

const COMMIT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const LOCK_CONTENTION = /\.lock'?: File exists|Unable to create '[^']*\.lock'|cannot lock ref/i;
const MISSING_REGISTERED = /is a missing but already registered worktree/i;
const MAX_ATTEMPTS = 5;

/**
 * Runs fn under the mirror's repo lock. Registering and pruning worktrees of one mirror must
 * not overlap: git reads every worktree's admin dir while it adds one (a half-made one fails
 * it), and a `worktree prune` can delete the admin dir of an add in progress.
 */
export function withMirrorLock<T>(mirrorPath: string, fn: () => Promise<T>): Promise<T> {
  return withRepoLock(dirname(resolve(mirrorPath)), basename(mirrorPath, '.git'), fn);
}

/**
 * Checks out `sha` detached in a new worktree `dir` of the mirror (dir must not exist yet).
 * The registration needs no git and no lock (writeWorktreeLink); where it cannot be made
 * so, `git worktree add --no-checkout` makes it under the mirror lock. The checkout, the
 * slow part on a big repository, runs outside any lock, so the runs of a group or of
 * concurrent dispatches check out side by side.
 */
export async function addWorktree(mirrorPath: string, dir: string, sha: string): Promise<void> {
  if (!COMMIT_ID.test(sha)) throw new InfraError(`not a commit id: ${JSON.stringify(sha)}`);
  const target = resolve(dir);
  const env = await buildFilterGuardEnv(mirrorPath, mirrorGitArgs(mirrorPath), mirrorPath);
  if (!writeWorktreeLink(mirrorPath, target, sha)) await withMirrorLock(mirrorPath, () => registerWorktreeLocked(mirrorPath, target, sha, env));
  const checkout = await resetHard(target, env, []);
  if (checkout === null) return;
  await removeWorktree(mirrorPath, target).catch(() => undefined);
  throw checkout;
}

/**
 * Moves worktree `dir`, made by addWorktree and not touched since, to commit `sha`: HEAD
 * detached there, index and files as addWorktree at sha leaves them (reset drops the files
 * that sha does not track). Throws when git fails; the worktree is then the caller's to remove.
 */
export async function moveNewWorktree(mirrorPath: string, dir: string, sha: string): Promise<void> {
  if (!COMMIT_ID.test(sha)) throw new InfraError(`not a commit id: ${JSON.stringify(sha)}`);
  const error = await resetHard(resolve(dir), await buildFilterGuardEnv(mirrorPath, mirrorGitArgs(mirrorPath), mirrorPath), [sha]);
  if (error) throw error;
}

// The checkout of a new worktree, in it alone (the ceiling): null, or what git said.
async function resetHard(target: string, env: Record<string, string>, commit: string[]): Promise<Error | null> {
  const args = ['reset', '--hard', '--no-recurse-submodules', '--quiet', ...commit];
  const result = await runGit(args, { cwd: target, env: { ...env, GIT_CEILING_DIRECTORIES: dirname(target) }, allowFailure: true });
  return result.exitCode === 0 ? null : toGitError(args, result);
}

/**
 * Registers the new directory `target` as a worktree of the mirror detached at sha with the
 * files `git worktree add --no-checkout --detach` writes (gitrepository-layout(5)):
 * `<target>/.git` naming `worktrees/<name>`, which holds `gitdir`, `commondir` and `HEAD`,
 * all by real paths, as git writes them. The admin dir is made beside and renamed into
 * place once `.git` exists, so git in the other worktrees (which reads every admin dir) and
 * a prune (which drops one whose worktree is gone) never see it half-made: no lock is
 * needed. False, with nothing left behind, when `target` or the admin dir already exists
 * or a write fails.
 */
function writeWorktreeLink(mirrorPath: string, target: string, sha: string): boolean {
  // A dozen metadata calls on local directories: synchronous, they take microseconds each.
  try {
    mkdirSync(target);
  } catch {
    return false;
  }
  const staging = join(mirrorPath, `.new-worktree-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const mirror = realpathSync(mirrorPath);
    const worktree = realpathSync(target);
    // Named after the run (its dir) and the worktree: a second add at the same path (a queued
    // run's retry) finds its stale record there, and git's own add deals with that.
    const name = `${basename(dirname(worktree))}-${basename(worktree)}`.replace(/[^A-Za-z0-9._-]/g, '-');
    mkdirSync(staging);
    writeFileSync(join(staging, 'gitdir'), `${join(worktree, '.git')}\n`);
    writeFileSync(join(staging, 'commondir'), '../..\n');
    writeFileSync(join(staging, 'HEAD'), `${sha}\n`);
    writeFileSync(join(worktree, '.git'), `gitdir: ${join(mirror, 'worktrees', name)}\n`);
    mkdirSync(join(mirror, 'worktrees'), { recursive: true });
    renameSync(staging, join(mirror, 'worktrees', name));
    return true;
  } catch {
    rmSync(staging, { recursive: true, force: true });
    rmSync(target, { recursive: true, force: true });
    return false;
  }
}

async function registerWorktreeLocked(mirrorPath: string, target: string, sha: string, env: Record<string, string>): Promise<void> {
  const git = mirrorGitArgs(mirrorPath);
  const args = [...git, 'worktree', 'add', '--quiet', '--no-checkout', '--detach', '--', target, sha];
  for (let attempt = 1; ; attempt += 1) {
    const result = await runGit(args, { cwd: mirrorPath, env, allowFailure: true });
    if (result.exitCode === 0) return;
    // The same run id again (a queued job's next attempt on this worker, its earlier run dir
    // set aside): git still records the moved worktree; drop that record and add it anew.
    if (attempt === 1 && MISSING_REGISTERED.test(result.stderr)) {
      await runGit([...git, 'worktree', 'prune'], { cwd: mirrorPath, allowFailure: true });
      continue;
    }
    // git takes its own locks; a concurrent add or fetch can hold one for a moment.
    if (attempt >= MAX_ATTEMPTS || !LOCK_CONTENTION.test(result.stderr)) throw toGitError(args, result);
    await removeWorktreeFiles(mirrorPath, target);
    await runGit([...git, 'worktree', 'prune'], { cwd: mirrorPath, allowFailure: true });
    await sleep(50 * 2 ** attempt);
  }
}

/**
 * Removes a worktree (even with changes or locked). When `worktree remove` could not (a
 * worktree holding submodules, a dir already gone), the files are deleted and the mirror's
 * record of it pruned, under the mirror lock.
 */
export async function removeWorktree(mirrorPath: string, dir: string): Promise<void> {
  const target = resolve(dir);
  if (await removeWorktreeFiles(mirrorPath, target)) return;
  // Only bookkeeping: the worktree is gone either way, so a failure here must not fail a run.
  await withMirrorLock(mirrorPath, () => runGit([...mirrorGitArgs(mirrorPath), 'worktree', 'prune'], { cwd: mirrorPath, allowFailure: true }));
}

/** Removes the worktree and its files; true when git removed its record too (no prune needed). */
async function removeWorktreeFiles(mirrorPath: string, target: string): Promise<boolean> {
  const removed = await runGit([...mirrorGitArgs(mirrorPath), 'worktree', 'remove', '--force', '--force', '--', target], {
    cwd: mirrorPath,
    allowFailure: true,
  });
  if (existsSync(target)) await rm(target, { recursive: true, force: true });
  // The capture's objects (capture-diff.ts) go with the worktree they were taken from.
  await rm(captureObjectDir(target), { recursive: true, force: true });
  return removed.exitCode === 0;
}
