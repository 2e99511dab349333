import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { writeFileAtomically } from '../runs/atomic-write.js';
import { pickErrorLine, runGit } from './git.js';
import { MIRROR_REFS_FORMAT, parseMirrorRefs, type MirrorRefs } from './remote-refs.js';

/**
 * Repairs of a mirror a crashed or killed git left behind, made under the mirror lock before
 * each fetch: stale ref locks are removed, an unreadable mirror is moved aside.
 */

/** Where an unreadable mirror went, and why it was unreadable. */
export interface SetAside {
  movedTo: string;
  reason: string;
}

/**
 * Moves the mirror aside when its refs (or the objects they name) cannot be read, so the
 * caller fetches a fresh one. The damaged copy is kept (`<slug>.git.damaged-<time>`). A
 * readable mirror's refs, as listed by the check, are returned.
 */
export async function setAsideUnreadableMirror(mirrorPath: string): Promise<{ refs: MirrorRefs } | { damaged: SetAside }> {
  const result = await runGit([`--git-dir=${mirrorPath}`, 'for-each-ref', `--format=${MIRROR_REFS_FORMAT}`], {
    cwd: mirrorPath,
    allowFailure: true,
  });
  if (result.exitCode === 0) return { refs: parseMirrorRefs(result.stdout) };
  const movedTo = `${mirrorPath}.damaged-${new Date().toISOString().replace(/[:.]/g, '')}`;
  await rename(mirrorPath, movedTo);
  await relinkWorktrees(mirrorPath, movedTo);
  // git's `fatal:` line names the ref or object; the `error:` lines before it are zlib's.
  const fatal = result.stderr.split('\n').find((line) => line.startsWith('fatal:')) ?? result.stderr;
  return { damaged: { movedTo, reason: pickErrorLine(fatal) || `git for-each-ref exited ${result.exitCode}` } };
}

/**
 * Points the kept workspaces of a moved-aside mirror at the copy: their `.git` file named
 * `<mirror>/worktrees/<name>`, which the fresh mirror reuses for the next run's worktree —
 * git in an old workspace would otherwise work on another run's index and HEAD.
 */
async function relinkWorktrees(oldPath: string, movedTo: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(join(movedTo, 'worktrees'));
  } catch {
    return;
  }
  for (const name of names) {
    try {
      const dotGit = (await readFile(join(movedTo, 'worktrees', name, 'gitdir'), 'utf8')).trim();
      const text = await readFile(dotGit, 'utf8');
      if (text.trim() !== `gitdir: ${join(oldPath, 'worktrees', name)}`) continue;
      await writeFileAtomically(dotGit, `gitdir: ${join(movedTo, 'worktrees', name)}\n`);
    } catch {
      // a workspace already removed
    }
  }
}

/**
 * Removes ref lock files no live git holds. The mirror lock is held, so nothing else fetches:
 * a lock under refs/remotes/ (written by fetches alone) is stale. Any other (refs/heads/,
 * packed-refs.lock) may belong to an agent's git in one of the mirror's worktrees: it stays
 * while a git process works in the mirror or one of them. Returns the removed paths.
 */
export async function removeStaleRefLocks(mirrorPath: string): Promise<string[]> {
  const locks = [...findLockFiles(join(mirrorPath, 'refs')), join(mirrorPath, 'packed-refs.lock')];
  const present: string[] = [];
  for (const lock of locks) if (isFile(lock)) present.push(lock);
  if (present.length === 0) return [];
  const busy = isGitWorkingIn([mirrorPath, ...(await listWorktreeDirs(mirrorPath))]);
  const removed: string[] = [];
  for (const lock of present) {
    const name = relative(mirrorPath, lock).split(sep).join('/');
    if (busy && !name.startsWith('refs/remotes/')) continue;
    await rm(lock, { force: true });
    removed.push(name);
  }
  return removed;
}

// The refs tree is small and local: read synchronously, not one thread-pool trip per directory.
function findLockFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string) => {
    let entries;
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.lock')) found.push(path);
    }
  };
  walk(dir);
  return found;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The worktrees of the mirror (runs' workspaces), from worktrees/<name>/gitdir. */
async function listWorktreeDirs(mirrorPath: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(join(mirrorPath, 'worktrees'));
  } catch {
    return [];
  }
  const dirs: string[] = [];
  for (const name of names) {
    try {
      dirs.push(dirname((await readFile(join(mirrorPath, 'worktrees', name, 'gitdir'), 'utf8')).trim()));
    } catch {
      // a half-removed worktree entry
    }
  }
  return dirs;
}

/** Whether a live git process (git, git-remote-http, …) has its working directory in one of `dirs`. */
function isGitWorkingIn(dirs: string[]): boolean {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return true; // no /proc: cannot tell, so never remove a lock someone may hold
  }
  return pids.some((pid) => {
    try {
      if (!readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('git')) return false;
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      return dirs.some((dir) => cwd === dir || cwd.startsWith(`${dir}/`));
    } catch {
      return false;
    }
  });
}
