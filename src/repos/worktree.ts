import { captureObjectDir } from './capture-diff.js';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
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
 * Runs fn under the mirror's repo lock. Adding and pruning worktrees of one mirror must not
 * overlap: a `worktree prune` can delete the admin dir of an add in progress, and concurrent
 * adds race for the same admin dir name (every run's worktree is called `workspace`).
 */
export function withMirrorLock<T>(mirrorPath: string, fn: () => Promise<T>): Promise<T> {
  return withRepoLock(dirname(resolve(mirrorPath)), basename(mirrorPath, '.git'), fn);
}

/** Checks out `sha` detached in a new worktree `dir` of the mirror (dir must not exist yet). */
export async function addWorktree(mirrorPath: string, dir: string, sha: string): Promise<void> {
  if (!COMMIT_ID.test(sha)) throw new InfraError(`not a commit id: ${JSON.stringify(sha)}`);
  await withMirrorLock(mirrorPath, () => addWorktreeLocked(mirrorPath, dir, sha));
}

async function addWorktreeLocked(mirrorPath: string, dir: string, sha: string): Promise<void> {
  const target = resolve(dir);
  const git = mirrorGitArgs(mirrorPath);
  const env = await buildFilterGuardEnv(mirrorPath, git);
  const args = [...git, 'worktree', 'add', '--quiet', '--detach', '--', target, sha];
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
    await removeWorktreeLocked(mirrorPath, target).catch(() => undefined);
    await sleep(50 * 2 ** attempt);
  }
}

/** Removes a worktree (even with changes or locked) and prunes the mirror's record of it. */
export async function removeWorktree(mirrorPath: string, dir: string): Promise<void> {
  await withMirrorLock(mirrorPath, () => removeWorktreeLocked(mirrorPath, dir));
}

async function removeWorktreeLocked(mirrorPath: string, dir: string): Promise<void> {
  const target = resolve(dir);
  const git = mirrorGitArgs(mirrorPath);
  await runGit([...git, 'worktree', 'remove', '--force', '--force', '--', target], {
    cwd: mirrorPath,
    allowFailure: true,
  });
  // `worktree remove` refuses worktrees holding submodules, and fails when dir is gone.
  if (existsSync(target)) await rm(target, { recursive: true, force: true });
  // The capture's objects (capture-diff.ts) go with the worktree they were taken from.
  await rm(captureObjectDir(target), { recursive: true, force: true });
  // Only bookkeeping: the worktree is gone either way, so a failure here must not fail a run.
  await runGit([...git, 'worktree', 'prune'], { cwd: mirrorPath, allowFailure: true });
}
