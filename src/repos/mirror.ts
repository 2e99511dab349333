import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CancelledError, InfraError, RepoArgError } from '../errors.js';
import { pickErrorLine, runGit, type GitOptions, type GitResult } from './git.js';
import { DEFAULT_FETCH_TIMEOUT_MS, describeFetchTimeout, FETCH_TIMEOUT_HINT, lowSpeedArgs, sshLimitEnv, type NetworkLimits } from './network-limits.js';
import { takeFetchFailure, takeMirrorWarnings } from './mirror-handoff.js';
import { removeStaleRefLocks, setAsideUnreadableMirror } from './mirror-repair.js';
import { hasCredentials } from './redact.js';
import { MIRROR_FETCH_REFSPECS, writeMirrorConfig } from './mirror-config.js';
import type { RepoSpec } from './repo-arg.js';
import { branchesOf, isMirrorCurrent, LS_REMOTE_PATTERNS, MIRROR_REFS_FORMAT, parseMirrorRefs, parseRemoteListing, REMOTE_HEAD, REMOTE_PREFIX, type MirrorRefs, type RemoteListing } from './remote-refs.js';
import { withRepoLock, type RepoLockOptions } from './repo-lock.js';

/** A mirror ready for worktrees: repos/<slug>.git. */
export interface MirrorInfo {
  mirrorPath: string;
  /** Repairs made to the mirror (stale locks removed, a damaged mirror replaced), for summary warnings. */
  warnings: string[];
}

/** The commit a run starts from. */
export interface BaseCommit {
  branch: string;
  sha: string;
}

const REACH_HINT = 'check the URL, the network and your git credentials (credential helper or ssh agent)';

/** Where a repository's shared mirror lives under reposDir. */
export function mirrorPathOf(spec: RepoSpec, reposDir: string): string {
  return join(resolve(reposDir), `${spec.slug}.git`);
}

/**
 * Creates or updates the bare mirror repos/<slug>.git under the repo lock: one fetch at a
 * time per repository; concurrent callers wait and then fetch in turn. The URL (which may
 * carry credentials) is passed on the command line only; the mirror's config records
 * displayUrl. Remote branches land in refs/remotes/origin/*, the remote's HEAD in
 * refs/remotes/origin/HEAD. When ls-remote shows that the mirror already has every branch
 * and tag tip (and no other), the fetch is skipped: one round trip to the remote instead of two.
 */
export async function ensureMirror(
  spec: RepoSpec,
  reposDir: string,
  lockOptions: RepoLockOptions = {},
  limits: NetworkLimits = { timeoutMs: DEFAULT_FETCH_TIMEOUT_MS },
): Promise<MirrorInfo> {
  const mirrorPath = mirrorPathOf(spec, reposDir);
  const failed = takeFetchFailure(mirrorPath);
  if (failed) throw failed;
  const warnings: string[] = takeMirrorWarnings(mirrorPath);
  await withRepoLock(resolve(reposDir), spec.slug, async () => {
    await initMirrorIfMissing(mirrorPath);
    warnings.push(...(await repairMirror(mirrorPath, spec.displayUrl)));
    await writeMirrorConfig(mirrorPath, spec.displayUrl);
    const remote = await createRemoteCaller(mirrorPath, spec, limits);
    const listing = await listRemoteRefs(mirrorPath, spec, remote);
    const local = await readMirrorRefs(mirrorPath);
    if (isMirrorCurrent(listing.tips, local.tips)) {
      await recordDefaultBranch(mirrorPath, listing.defaultBranch, local);
    } else {
      await fetchMirror(mirrorPath, spec, remote);
      await recordDefaultBranch(mirrorPath, listing.defaultBranch);
    }
  }, lockOptions);
  return { mirrorPath, warnings };
}

/** What a crashed git left: an unreadable mirror is replaced by a fresh one, stale ref locks go. */
async function repairMirror(mirrorPath: string, displayUrl: string): Promise<string[]> {
  const warnings: string[] = [];
  const damaged = await setAsideUnreadableMirror(mirrorPath);
  if (damaged) {
    await initMirrorIfMissing(mirrorPath);
    warnings.push(`the mirror of ${displayUrl} could not be read (${damaged.reason}); it was moved aside to ${damaged.movedTo} and fetched again`);
  }
  const removed = await removeStaleRefLocks(mirrorPath);
  if (removed.length > 0) warnings.push(`removed stale lock files a crashed git left in the mirror of ${displayUrl}: ${removed.join(', ')}`);
  return warnings;
}

type RemoteCaller = (what: string, args: string[]) => Promise<GitResult>;

/**
 * Runs the git calls that talk to the remote under one --fetch-timeout deadline, with git's
 * no-progress limits; a call stopped by the deadline or a cancel throws, naming the remote.
 */
async function createRemoteCaller(mirrorPath: string, spec: RepoSpec, limits: NetworkLimits): Promise<RemoteCaller> {
  const deadline = Date.now() + limits.timeoutMs;
  const configured = await runGit([...mirrorGitArgs(mirrorPath), 'config', '--get', 'core.sshCommand'], { cwd: mirrorPath, allowFailure: true });
  const opts: GitOptions = { cwd: mirrorPath, allowFailure: true, env: sshLimitEnv(process.env, configured.stdout) };
  return async (what, args) => {
    const left = Math.max(0, deadline - Date.now());
    if (limits.signal?.aborted) throw new CancelledError(`the fetch of ${spec.displayUrl} was cancelled`);
    const result = await runGit([...lowSpeedArgs(), ...args], { ...opts, limits: { timeoutMs: left, signal: limits.signal } });
    if (result.stopped === 'cancelled') throw new CancelledError(`the fetch of ${spec.displayUrl} was cancelled`);
    if (result.stopped === 'timeout') throw new InfraError(describeFetchTimeout(what, spec.displayUrl, limits.timeoutMs), FETCH_TIMEOUT_HINT);
    return result;
  };
}

/** The commit to start from: `branch` (or a tag of that name), else the remote's default branch. */
export async function resolveBaseCommit(mirrorPath: string, branch: string | undefined): Promise<BaseCommit> {
  const name = branch === undefined ? await readDefaultBranch(mirrorPath) : await validateBranchName(mirrorPath, branch);
  for (const ref of [`${REMOTE_PREFIX}${name}`, `refs/tags/${name}`]) {
    const sha = await resolveCommit(mirrorPath, ref);
    if (sha) return { branch: name, sha };
  }
  const available = await listRemoteBranches(mirrorPath);
  throw new RepoArgError(
    `branch '${name}' not found in ${await readDisplayUrl(mirrorPath)}`,
    available.length > 0 ? `branches: ${available.slice(0, 10).join(', ')}` : 'the repository has no branches',
  );
}

/** Args that point git at the mirror itself, never at a repository around it. */
export function mirrorGitArgs(mirrorPath: string): string[] {
  return [`--git-dir=${mirrorPath}`];
}

async function initMirrorIfMissing(mirrorPath: string): Promise<void> {
  if (await isUsableMirror(mirrorPath)) return;
  await rm(mirrorPath, { recursive: true, force: true });
  // Built aside and renamed, so a crash never leaves a half-made mirror in place.
  const tempPath = `${mirrorPath}.init-${process.pid}-${Date.now()}`;
  await mkdir(tempPath, { recursive: true });
  try {
    await runGit(['init', '--quiet', '--bare', '--', tempPath], { cwd: tempPath });
    await rename(tempPath, mirrorPath);
  } finally {
    await rm(tempPath, { recursive: true, force: true });
  }
}

async function isUsableMirror(mirrorPath: string): Promise<boolean> {
  if (!existsSync(join(mirrorPath, 'HEAD'))) return false;
  const result = await runGit([...mirrorGitArgs(mirrorPath), 'rev-parse', '--is-bare-repository'], {
    cwd: mirrorPath,
    allowFailure: true,
  });
  return result.exitCode === 0 && result.stdout.trim() === 'true';
}

async function listRemoteRefs(mirrorPath: string, spec: RepoSpec, remote: RemoteCaller): Promise<RemoteListing> {
  const args = [...mirrorGitArgs(mirrorPath), ...credentialArgs(spec), 'ls-remote', '--symref', '--', spec.url, ...LS_REMOTE_PATTERNS];
  const result = await remote('ls-remote', args);
  if (result.exitCode !== 0) {
    throw new InfraError(`cannot reach ${spec.displayUrl}: ${pickErrorLine(result.stderr) || 'git ls-remote failed'}`, REACH_HINT);
  }
  return parseRemoteListing(result.stdout);
}

async function readMirrorRefs(mirrorPath: string): Promise<MirrorRefs> {
  const result = await runGit(
    [...mirrorGitArgs(mirrorPath), 'for-each-ref', `--format=${MIRROR_REFS_FORMAT}`, '--', 'refs/remotes/origin', 'refs/tags'],
    { cwd: mirrorPath },
  );
  return parseMirrorRefs(result.stdout);
}

async function fetchMirror(mirrorPath: string, spec: RepoSpec, remote: RemoteCaller): Promise<void> {
  const args = [
    ...mirrorGitArgs(mirrorPath),
    ...credentialArgs(spec),
    // gc inline (under our lock) rather than as a daemon that outlives us.
    '-c', 'gc.autoDetach=false',
    'fetch', '--quiet', '--prune', '--no-write-fetch-head', '--no-recurse-submodules',
    '--', spec.url, ...MIRROR_FETCH_REFSPECS,
  ];
  const result = await remote('fetch', args);
  if (result.exitCode !== 0) {
    throw new InfraError(`cannot fetch ${spec.displayUrl}: ${pickErrorLine(result.stderr) || 'git fetch failed'}`, REACH_HINT);
  }
}

// With credentials in the URL no helper is needed, and a `store` helper would write them
// to ~/.git-credentials after a successful fetch.
function credentialArgs(spec: RepoSpec): string[] {
  return hasCredentials(spec.url) ? ['-c', 'credential.helper='] : [];
}

/** Points refs/remotes/origin/HEAD at the default branch; `known` (refs read just now) spares the git calls that would change nothing. */
async function recordDefaultBranch(mirrorPath: string, reported: string | undefined, known?: MirrorRefs): Promise<void> {
  const branches = known ? branchesOf(known) : await listRemoteBranches(mirrorPath);
  // A remote with a detached HEAD reports no symref: fall back on the usual names.
  const chosen = [reported, 'main', 'master', branches[0]].find((b) => b !== undefined && branches.includes(b));
  const git = mirrorGitArgs(mirrorPath);
  if (known && known.headTarget === (chosen === undefined ? undefined : `${REMOTE_PREFIX}${chosen}`)) return;
  if (chosen === undefined) {
    await runGit([...git, 'symbolic-ref', '--delete', REMOTE_HEAD], { cwd: mirrorPath, allowFailure: true });
    return;
  }
  await runGit([...git, 'symbolic-ref', REMOTE_HEAD, `${REMOTE_PREFIX}${chosen}`], { cwd: mirrorPath });
}

async function readDefaultBranch(mirrorPath: string): Promise<string> {
  const result = await runGit([...mirrorGitArgs(mirrorPath), 'symbolic-ref', '--quiet', REMOTE_HEAD], {
    cwd: mirrorPath,
    allowFailure: true,
  });
  const ref = result.stdout.trim();
  if (result.exitCode !== 0 || !ref.startsWith(REMOTE_PREFIX)) {
    throw new RepoArgError(`${await readDisplayUrl(mirrorPath)} has no default branch (is it empty?)`, 'pass --branch');
  }
  return ref.slice(REMOTE_PREFIX.length);
}

async function validateBranchName(mirrorPath: string, branch: string): Promise<string> {
  const name = branch.replace(/^refs\/heads\//, '');
  const check = await runGit(['check-ref-format', `refs/heads/${name}`], { cwd: mirrorPath, allowFailure: true });
  if (name === '' || name.startsWith('-') || name === 'HEAD' || check.exitCode !== 0) {
    throw new RepoArgError(`invalid branch name: ${JSON.stringify(branch)}`, 'pass a branch name such as main');
  }
  return name;
}

async function resolveCommit(mirrorPath: string, ref: string): Promise<string | undefined> {
  const result = await runGit(
    [...mirrorGitArgs(mirrorPath), 'rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`],
    { cwd: mirrorPath, allowFailure: true },
  );
  const sha = result.stdout.trim();
  return result.exitCode === 0 && /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
}

async function listRemoteBranches(mirrorPath: string): Promise<string[]> {
  const result = await runGit(
    [...mirrorGitArgs(mirrorPath), 'for-each-ref', '--format=%(refname)', '--', 'refs/remotes/origin'],
    { cwd: mirrorPath },
  );
  return result.stdout
    .split('\n')
    .filter((ref) => ref.startsWith(REMOTE_PREFIX) && ref !== REMOTE_HEAD)
    .map((ref) => ref.slice(REMOTE_PREFIX.length));
}

async function readDisplayUrl(mirrorPath: string): Promise<string> {
  const result = await runGit([...mirrorGitArgs(mirrorPath), 'config', '--get', 'remote.origin.url'], {
    cwd: mirrorPath,
    allowFailure: true,
  });
  return result.stdout.trim() || mirrorPath;
}
