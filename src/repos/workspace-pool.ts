import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomically } from '../runs/atomic-write.js';
import { diskUsage } from '../runs/disk-usage.js';
import { captureObjectDir } from './capture-diff.js';
import { cleanWorktree, inspectReusable, readWorktreeLink, resetWorktree, tidyAdminDir } from './parked-worktree.js';
import { addWorktree, removeWorktree, withMirrorLock } from './worktree.js';

// `<time base36>-<hex>`: newest last in name order.
const ENTRY_NAME = /^[0-9a-z]{9}-[0-9a-f]{8}$/;

/** Where the worktrees parked for a mirror wait: `repos/<slug>.pool/`, beside `repos/<slug>.git`. */
export function poolDirOf(mirrorPath: string): string {
  return `${resolve(mirrorPath).replace(/\.git$/, '')}.pool`;
}

/** The parked worktrees of a mirror, oldest first. */
export function listParked(mirrorPath: string): string[] {
  const dir = poolDirOf(mirrorPath);
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // no pool yet
  }
  return names.filter((name) => ENTRY_NAME.test(name)).sort().map((name) => join(dir, name));
}

/**
 * Gives `dir` a worktree of the mirror at commit `sha`: a parked one reset to sha when the
 * pool has one that is beyond doubt, else a fresh `git worktree add`. Returns whether a
 * parked one was reused.
 */
export async function checkoutWorkspace(mirrorPath: string, dir: string, sha: string, poolSize: number): Promise<{ reused: boolean }> {
  if (poolSize > 0 && (await takeParked(mirrorPath, dir, sha))) return { reused: true };
  await addWorktree(mirrorPath, dir, sha);
  return { reused: false };
}

/**
 * Ends the run's use of worktree `dir`: parks it in the pool when `reusable`, the pool has
 * room and the worktree is as ordinary work leaves it; else removes it. Returns whether it
 * was parked. Either way `dir` is gone afterwards.
 */
export async function releaseWorkspace(mirrorPath: string, dir: string, poolSize: number, reusable: boolean): Promise<{ parked: boolean }> {
  if (reusable && poolSize > 0 && (await parkWorktree(mirrorPath, dir, poolSize).catch(() => false))) return { parked: true };
  await removeWorktree(mirrorPath, dir);
  return { parked: false };
}

async function parkWorktree(mirrorPath: string, dir: string, poolSize: number): Promise<boolean> {
  if (listParked(mirrorPath).length >= poolSize) return false;
  const link = await inspectReusable(mirrorPath, dir);
  if (!link) return false;
  // What the agent built (node_modules, build output) goes now, as a removal would free it.
  await cleanWorktree(link, dir);
  await tidyAdminDir(link.adminDir);
  await rm(captureObjectDir(dir), { recursive: true, force: true });
  const poolDir = poolDirOf(mirrorPath);
  await mkdir(poolDir, { recursive: true });
  const entry = join(poolDir, `${Date.now().toString(36).padStart(9, '0')}-${randomBytes(4).toString('hex')}`);
  // Under the mirror lock: the bound holds against concurrent parks, and no `worktree
  // prune` sees the admin dir between the move and its new `gitdir`.
  return withMirrorLock(mirrorPath, async () => {
    if (listParked(mirrorPath).length >= poolSize) return false;
    await moveWorktree(link.adminDir, dir, entry);
    return true;
  });
}

/**
 * Moves a parked worktree to `dir` and resets it to sha; false (and nothing at `dir`) when
 * the pool is empty or the worktree taken is doubtful — that one is removed.
 */
async function takeParked(mirrorPath: string, dir: string, sha: string): Promise<boolean> {
  if (listParked(mirrorPath).length === 0) return false;
  try {
    // Claimed under the mirror lock: a rename takes one entry for one run only.
    const claimed = await withMirrorLock(mirrorPath, async () => {
      const newest = listParked(mirrorPath).at(-1);
      if (newest === undefined) return false;
      const link = readWorktreeLink(mirrorPath, newest);
      if (link) await moveWorktree(link.adminDir, newest, dir);
      else await rename(newest, dir);
      return true;
    });
    if (!claimed) return false;
    const link = await inspectReusable(mirrorPath, dir);
    if (!link) throw new Error('doubtful');
    await resetWorktree(mirrorPath, link, dir, sha);
    // The checkout's reflog entry names the branch the earlier run left checked out.
    await tidyAdminDir(link.adminDir);
    return true;
  } catch {
    // Never a wrong workspace for speed: a doubtful one goes, the caller adds a fresh one.
    if (existsSync(dir)) await removeWorktree(mirrorPath, dir);
    return false;
  }
}

async function moveWorktree(adminDir: string, from: string, to: string): Promise<void> {
  await rename(from, to);
  await writeFileAtomically(join(adminDir, 'gitdir'), `${join(resolve(to), '.git')}\n`);
}

/** Every parked worktree of every mirror under reposDir, removed (or only listed, dryRun), and their size. */
export async function clearWorkspacePools(reposDir: string, dryRun: boolean): Promise<{ entries: string[]; bytes: number }> {
  const cleared = { entries: [] as string[], bytes: 0 };
  if (!existsSync(reposDir)) return cleared;
  for (const name of (await readdir(reposDir)).filter((entry) => entry.endsWith('.pool'))) {
    const mirrorPath = join(reposDir, `${name.slice(0, -'.pool'.length)}.git`);
    const entries = listParked(mirrorPath);
    cleared.entries.push(...entries);
    for (const entry of entries) cleared.bytes += await diskUsage(entry);
    if (dryRun) continue;
    for (const entry of entries) {
      if (existsSync(mirrorPath)) await removeWorktree(mirrorPath, entry);
      else await rm(entry, { recursive: true, force: true });
    }
    await rmdir(join(reposDir, name)).catch(() => undefined);
  }
  return cleared;
}
