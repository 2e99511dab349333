import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildFilterGuardEnv } from './config-guard.js';
import { runGit } from './git.js';
import { findIndexFileDoubt } from './index-flags.js';

/** A worktree's administrative directory in the mirror (`<mirror>/worktrees/<name>`). */
export interface WorktreeLink {
  adminDir: string;
}

// What git keeps in a worktree's admin dir after ordinary work (checkout, add, commit, reset).
const REQUIRED_ENTRIES = ['HEAD', 'commondir', 'gitdir', 'index'];
// Leftovers of ordinary work, dropped when the worktree is parked (a reflog would grow per run).
const DROPPED_ENTRIES = new Set(['ORIG_HEAD', 'COMMIT_EDITMSG', 'FETCH_HEAD', 'AUTO_MERGE', 'logs']);

/**
 * Config for the calls that reset a reused worktree: nothing an agent could have set may
 * narrow what git looks at (sparse checkout, stat shortcuts, caches of untracked files) or
 * reach into submodules. Command-line config beats every config file.
 */
const RESET_CONFIG_ARGS: readonly string[] = [
  '-c', 'core.sparseCheckout=false',
  '-c', 'core.sparseCheckoutCone=false',
  '-c', 'index.sparse=false',
  '-c', 'core.untrackedCache=false',
  '-c', 'core.splitIndex=false',
  '-c', 'core.checkStat=default',
  '-c', 'core.trustctime=true',
  '-c', 'core.ignoreStat=false',
  '-c', 'submodule.recurse=false',
  '-c', 'advice.detachedHead=false',
];

/**
 * The admin dir of worktree `dir` when every link between them is as git made it: `dir` is a
 * real directory, its `.git` file names `<mirror>/worktrees/<name>`, and that dir names
 * `dir/.git` back and has the mirror as its common dir. Null when anything differs (an agent
 * rewrote `.git`, the mirror was replaced, the admin dir belongs to another worktree).
 */
export function readWorktreeLink(mirrorPath: string, dir: string): WorktreeLink | null {
  // A few metadata calls on local files: synchronous (each takes microseconds; queued behind
  // the thread pool's fsyncs of the run dir, an async one waited milliseconds).
  try {
    if (!lstatSync(dir).isDirectory() || !lstatSync(join(dir, '.git')).isFile()) return null;
    const named = /^gitdir: (.+)\n?$/.exec(readFileSync(join(dir, '.git'), 'utf8'))?.[1];
    if (named === undefined) return null;
    const adminDir = realpathSync(named);
    if (dirname(adminDir) !== realpathSync(join(mirrorPath, 'worktrees'))) return null;
    const back = readFileSync(join(adminDir, 'gitdir'), 'utf8');
    const common = readFileSync(join(adminDir, 'commondir'), 'utf8');
    if (realPathOrEmpty(back.trim()) !== realpathSync(join(dir, '.git'))) return null;
    if (common.trim() !== '../..') return null;
    return { adminDir };
  } catch {
    return null;
  }
}

function realPathOrEmpty(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return '';
  }
}

/**
 * Why the admin dir is not as ordinary work leaves it, or null. Anything else there (an
 * index.lock, a `locked` mark, config.worktree, info/sparse-checkout, modules/ of a
 * submodule, a rebase or merge in progress, per-worktree refs) makes the worktree doubtful.
 */
export async function findAdminDirDoubt(adminDir: string): Promise<string | null> {
  const names = await readdir(adminDir);
  const missing = REQUIRED_ENTRIES.find((name) => !names.includes(name));
  if (missing) return `its ${missing} is missing`;
  const odd = names.find((name) => !REQUIRED_ENTRIES.includes(name) && !DROPPED_ENTRIES.has(name));
  return odd === undefined ? null : `it holds ${odd}`;
}

/** Drops what ordinary work leaves in the admin dir beyond HEAD, index and the links. */
export async function tidyAdminDir(adminDir: string): Promise<void> {
  await Promise.all([...DROPPED_ENTRIES].map((name) => rm(join(adminDir, name), { recursive: true, force: true })));
}

/**
 * The link of worktree `dir` when it is beyond doubt as a worktree to reuse: its links as git
 * made them, its admin dir as ordinary work leaves it, every index entry plainly tracked.
 */
export async function inspectReusable(mirrorPath: string, dir: string): Promise<WorktreeLink | null> {
  const link = readWorktreeLink(mirrorPath, dir);
  if (!link || (await findAdminDirDoubt(link.adminDir)) !== null || (await inspectIndex(link)) !== null) return null;
  return link;
}

/** git args that point at this worktree and its admin dir alone, with the reset config. */
function worktreeGitArgs(link: WorktreeLink, dir: string): string[] {
  return [...RESET_CONFIG_ARGS, `--git-dir=${link.adminDir}`, `--work-tree=${dir}`];
}

/** Why the worktree's index is doubtful (see findIndexDoubt), or null. Read here, not by a git process. */
async function inspectIndex(link: WorktreeLink): Promise<string | null> {
  return findIndexFileDoubt(await readFile(join(link.adminDir, 'index')));
}

/** Removes every untracked and ignored file (nested repositories too); clean runs no filter. */
export async function cleanWorktree(link: WorktreeLink, dir: string): Promise<void> {
  await runGit([...worktreeGitArgs(link, dir), 'clean', '-ffdxq'], { cwd: dir });
}

/**
 * Resets worktree `dir` to commit `sha` exactly as a fresh `git worktree add --detach` would
 * leave it: HEAD detached at sha (never moving a branch the agent checked out), index and
 * tracked files as in sha, no untracked or ignored file. Throws on any failure.
 */
export async function resetWorktree(mirrorPath: string, link: WorktreeLink, dir: string, sha: string): Promise<void> {
  // The mirror's own filters are emptied: a smudge command an agent planted must not run.
  const filterEnv = await buildFilterGuardEnv(mirrorPath, [`--git-dir=${mirrorPath}`], mirrorPath);
  await runGit([...worktreeGitArgs(link, dir), 'checkout', '--quiet', '--force', '--detach', sha, '--'], { cwd: dir, env: filterEnv });
  await cleanWorktree(link, dir);
}
