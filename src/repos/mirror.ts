import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CancelledError, InfraError, RepoArgError } from '../errors.js';
import { pickErrorLine, runGit, type GitOptions, type GitResult } from './git.js';
import { DEFAULT_FETCH_TIMEOUT_MS, describeFetchTimeout, FETCH_TIMEOUT_HINT, lowSpeedArgs, sshLimitEnv, type NetworkLimits } from './network-limits.js';
import { takeFetchedMirror, takeFetchFailure, takeMirrorWarnings } from './mirror-handoff.js';
import { removeStaleRefLocks, setAsideUnreadableMirror } from './mirror-repair.js';
import { hasCredentials } from './redact.js';
import { MIRROR_FETCH_REFSPECS, readConfigEntries, readOwnConfig, writeMirrorConfig, type ConfigEntry } from './mirror-config.js';
import type { RepoSpec } from './repo-arg.js';
import { branchesOf, isMirrorCurrent, LS_REMOTE_PATTERNS, parseRemoteListing, REMOTE_HEAD, REMOTE_PREFIX, type MirrorRefs, type RemoteListing } from './remote-refs.js';
import { withRepoLock, type RepoLockOptions } from './repo-lock.js';

/** A mirror ready for worktrees: repos/<slug>.git. */
export interface MirrorInfo {
  mirrorPath: string;
  /** Repairs made to the mirror (stale locks removed, a damaged mirror replaced), for summary warnings. */
  warnings: string[];
  /** The mirror's refs as they were left, when no fetch changed them since they were read: resolveBaseCommit needs no git call then. */
  refs?: MirrorRefs;
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
 * What this process fetched just before (mirror-handoff.ts) is taken without asking the remote.
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
  // Fetched a moment ago by this command (for the repo's .dispatch.json): taken as it is.
  const fetched = takeFetchedMirror(mirrorPath);
  if (fetched) return { mirrorPath, warnings, ...fetched };
  let refs: MirrorRefs | undefined;
  await withRepoLock(resolve(reposDir), spec.slug, async () => {
    const config = await initMirrorIfMissing(mirrorPath);
    const remote = await createRemoteCaller(mirrorPath, spec, limits);
    // A config still as dispatch wrote it holds nothing (insteadOf, sshCommand) that would
    // change ls-remote: it asks the remote while the mirror's refs are checked.
    const early = config && readOwnConfig(mirrorPath) ? listRemoteRefs(mirrorPath, spec, remote) : undefined;
    early?.catch(() => undefined);
    const repaired = await repairMirror(mirrorPath, spec.displayUrl).catch(async (error: unknown) => {
      await early?.catch(() => undefined);
      throw error;
    });
    warnings.push(...repaired.warnings);
    // The config read by the usability check, unless the repair replaced the mirror (then it has no refs either).
    await writeMirrorConfig(mirrorPath, spec.displayUrl, repaired.refs ? config : undefined);
    // A mirror the repair replaced is asked again: the early answer was given for the old one.
    if (!repaired.refs) await early?.catch(() => undefined);
    const listing = await (repaired.refs && early ? early : listRemoteRefs(mirrorPath, spec, remote));
    const local = repaired.refs ?? NO_REFS;
    if (isMirrorCurrent(listing.tips, local.tips)) {
      refs = { ...local, headTarget: await recordDefaultBranch(mirrorPath, listing.defaultBranch, local) };
    } else {
      await fetchMirror(mirrorPath, spec, remote);
      await recordDefaultBranch(mirrorPath, listing.defaultBranch);
    }
  }, lockOptions);
  return { mirrorPath, warnings, ...(refs ? { refs } : {}) };
}

const NO_REFS: MirrorRefs = { tips: new Map(), headTarget: undefined, commits: new Set() };

/**
 * What a crashed git left: an unreadable mirror is replaced by a fresh one, stale ref locks
 * go. Returns the mirror's refs as the readability check listed them; none when it was replaced.
 */
async function repairMirror(mirrorPath: string, displayUrl: string): Promise<{ warnings: string[]; refs?: MirrorRefs }> {
  const warnings: string[] = [];
  const checked = await setAsideUnreadableMirror(mirrorPath);
  if ('damaged' in checked) {
    await initMirrorIfMissing(mirrorPath);
    warnings.push(`the mirror of ${displayUrl} could not be read (${checked.damaged.reason}); it was moved aside to ${checked.damaged.movedTo} and fetched again`);
  }
  const removed = await removeStaleRefLocks(mirrorPath);
  if (removed.length > 0) warnings.push(`removed stale lock files a crashed git left in the mirror of ${displayUrl}: ${removed.join(', ')}`);
  return 'damaged' in checked ? { warnings } : { warnings, refs: checked.refs };
}

type RemoteCaller = (what: string, args: string[]) => Promise<GitResult>;

/**
 * Runs the git calls that talk to the remote under one --fetch-timeout deadline, with git's
 * no-progress limits; a call stopped by the deadline or a cancel throws, naming the remote.
 */
async function createRemoteCaller(mirrorPath: string, spec: RepoSpec, limits: NetworkLimits): Promise<RemoteCaller> {
  const deadline = Date.now() + limits.timeoutMs;
  // A local repository is read without ssh: its ssh limits (and the config call they need) are skipped.
  const configured = spec.kind === 'local' ? undefined : await runGit([...mirrorGitArgs(mirrorPath), 'config', '--get', 'core.sshCommand'], { cwd: mirrorPath, allowFailure: true });
  const opts: GitOptions = { cwd: mirrorPath, allowFailure: true, env: configured ? sshLimitEnv(process.env, configured.stdout) : {} };
  return async (what, args) => {
    const left = Math.max(0, deadline - Date.now());
    if (limits.signal?.aborted) throw new CancelledError(`the fetch of ${spec.displayUrl} was cancelled`);
    const result = await runGit([...lowSpeedArgs(), ...args], { ...opts, limits: { timeoutMs: left, signal: limits.signal } });
    if (result.stopped === 'cancelled') throw new CancelledError(`the fetch of ${spec.displayUrl} was cancelled`);
    if (result.stopped === 'timeout') throw new InfraError(describeFetchTimeout(what, spec.displayUrl, limits.timeoutMs), FETCH_TIMEOUT_HINT);
    return result;
  };
}

/**
 * The commit to start from: `branch` (or a tag of that name), else the remote's default
 * branch. `known` (ensureMirror's refs) answers without git where it can.
 */
export async function resolveBaseCommit(mirrorPath: string, branch: string | undefined, known?: MirrorRefs): Promise<BaseCommit> {
  const knownDefault = known?.headTarget?.startsWith(REMOTE_PREFIX) ? known.headTarget.slice(REMOTE_PREFIX.length) : undefined;
  const name = branch === undefined ? (knownDefault ?? (await readDefaultBranch(mirrorPath))) : await validateBranchName(mirrorPath, branch);
  for (const ref of [`${REMOTE_PREFIX}${name}`, `refs/tags/${name}`]) {
    if (known && !known.tips.has(ref)) continue;
    const sha = known?.commits.has(ref) ? known.tips.get(ref) : await resolveCommit(mirrorPath, ref);
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

/** Makes a fresh mirror unless a usable one is there; returns the usable one's config entries. */
async function initMirrorIfMissing(mirrorPath: string): Promise<ConfigEntry[] | undefined> {
  const config = await readUsableMirrorConfig(mirrorPath);
  if (config) return config;
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
  return undefined;
}

/**
 * A mirror is usable when it has the parts of a bare repository and a config git can read
 * that says bare; its config entries are returned (read once for writeMirrorConfig too).
 * Damage beyond that (refs, objects) is found by the readability check of repairMirror.
 */
async function readUsableMirrorConfig(mirrorPath: string): Promise<ConfigEntry[] | undefined> {
  if (!['HEAD', 'objects', 'refs'].every((part) => existsSync(join(mirrorPath, part)))) return undefined;
  const entries = await readConfigEntries(mirrorPath);
  return entries?.some(([key, value]) => key === 'core.bare' && value === 'true') ? entries : undefined;
}

async function listRemoteRefs(mirrorPath: string, spec: RepoSpec, remote: RemoteCaller): Promise<RemoteListing> {
  const args = [...mirrorGitArgs(mirrorPath), ...credentialArgs(spec), 'ls-remote', '--symref', '--', spec.url, ...LS_REMOTE_PATTERNS];
  const result = await remote('ls-remote', args);
  if (result.exitCode !== 0) {
    throw new InfraError(`cannot reach ${spec.displayUrl}: ${pickErrorLine(result.stderr) || 'git ls-remote failed'}`, REACH_HINT);
  }
  return parseRemoteListing(result.stdout);
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

/**
 * Points refs/remotes/origin/HEAD at the default branch and returns that ref; `known` (refs
 * read just now) spares the git calls that would change nothing.
 */
async function recordDefaultBranch(mirrorPath: string, reported: string | undefined, known?: MirrorRefs): Promise<string | undefined> {
  const branches = known ? branchesOf(known) : await listRemoteBranches(mirrorPath);
  // A remote with a detached HEAD reports no symref: fall back on the usual names.
  const chosen = [reported, 'main', 'master', branches[0]].find((b) => b !== undefined && branches.includes(b));
  const target = chosen === undefined ? undefined : `${REMOTE_PREFIX}${chosen}`;
  const git = mirrorGitArgs(mirrorPath);
  if (known && known.headTarget === target) return target;
  if (target === undefined) {
    await runGit([...git, 'symbolic-ref', '--delete', REMOTE_HEAD], { cwd: mirrorPath, allowFailure: true });
    return undefined;
  }
  await runGit([...git, 'symbolic-ref', REMOTE_HEAD, target], { cwd: mirrorPath });
  return target;
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
