import { CancelledError, InfraError } from '../errors.js';
import { pickErrorLine, runGit } from './git.js';
import { mirrorGitArgs } from './mirror.js';
import { DEFAULT_FETCH_TIMEOUT_MS, describeFetchTimeout, FETCH_TIMEOUT_HINT, lowSpeedArgs, type NetworkLimits } from './network-limits.js';
import { hasCredentials, redactCredentials } from './redact.js';
import type { RepoSpec } from './repo-arg.js';

/**
 * Copies branch `branch` from the mirror into the user's own repository (a local repo
 * argument) with a fetch: only the new ref and its objects are written, never HEAD, the
 * index or the worktree. Fails, changing nothing, when the branch already exists there.
 */
export async function copyBranchToLocalRepo(mirrorPath: string, repoPath: string, branch: string): Promise<void> {
  const ref = `refs/heads/${branch}`;
  const args = ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', mirrorPath, `${ref}:${ref}`];
  const result = await runGit(args, { cwd: repoPath, allowFailure: true });
  if (result.exitCode !== 0) {
    throw new InfraError(`cannot create branch ${branch} in ${repoPath}: ${pickErrorLine(result.stderr) || 'git fetch failed'}`);
  }
}

/** Where --push sends the branch: the local repo's `origin` remote, or the URL the mirror fetches. */
export interface PushTarget {
  /** git arguments that select the repository to push from. */
  gitArgs: string[];
  cwd: string;
  /** What git pushes to: `origin`, or the repo URL (may hold credentials: memory only). */
  remote: string;
  /** The remote's URL without credentials, for files and messages. */
  displayUrl: string;
}

/** The push target of a repo argument: a local repo pushes to its own origin, anything else to its URL. */
export async function resolvePushTarget(repo: RepoSpec, mirrorPath: string): Promise<PushTarget> {
  if (repo.kind !== 'local') {
    const credentials = hasCredentials(repo.url) ? ['-c', 'credential.helper='] : [];
    return { gitArgs: [...mirrorGitArgs(mirrorPath), ...credentials], cwd: mirrorPath, remote: repo.url, displayUrl: repo.displayUrl };
  }
  const origin = await runGit(['remote', 'get-url', '--', 'origin'], { cwd: repo.url, allowFailure: true });
  if (origin.exitCode !== 0 || origin.stdout.trim() === '') {
    throw new InfraError(`${repo.url} has no remote named origin to push to`, 'add one (git remote add origin URL), or drop --push/--pr');
  }
  return { gitArgs: [], cwd: repo.url, remote: 'origin', displayUrl: redactCredentials(origin.stdout.trim()) };
}

/** A real `git push` of one new branch; never forced, so it cannot overwrite anyone's work. */
export async function pushBranch(
  target: PushTarget,
  branch: string,
  limits: NetworkLimits = { timeoutMs: DEFAULT_FETCH_TIMEOUT_MS },
): Promise<void> {
  const ref = `refs/heads/${branch}`;
  const args = [...target.gitArgs, ...lowSpeedArgs(), 'push', '--quiet', '--porcelain', '--', target.remote, `${ref}:${ref}`];
  const result = await runGit(args, { cwd: target.cwd, env: { GIT_TERMINAL_PROMPT: '0' }, allowFailure: true, limits });
  if (result.stopped === 'cancelled') throw new CancelledError(`the push of ${branch} to ${target.displayUrl} was cancelled`);
  if (result.stopped === 'timeout') throw new InfraError(describeFetchTimeout('push', target.displayUrl, limits.timeoutMs), FETCH_TIMEOUT_HINT);
  if (result.exitCode !== 0) {
    const reason = redactCredentials(pickErrorLine(result.stderr) || pickErrorLine(result.stdout) || 'git push failed');
    throw new InfraError(`cannot push ${branch} to ${target.displayUrl}: ${reason}`);
  }
}
