import { existsSync, readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { diskUsage } from '../runs/disk-usage.js';

// mirror-repair.ts names a moved-aside mirror `<slug>.git.damaged-<ISO time without : and .>`.
const DAMAGED = /\.git\.damaged-(\d{4})-(\d{2})-(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/;

/** When a damaged copy was moved aside: from its name, else its mtime. */
export function damagedSince(name: string, fallbackMs: number): number {
  const m = DAMAGED.exec(name);
  if (!m) return fallbackMs;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number);
  return Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0, ms ?? 0);
}

/**
 * Removes the `repos/*.git.damaged-*` copies a mirror repair kept, once older than
 * `olderThanMs`. Nothing uses them (the runs whose kept workspaces were worktrees of one no
 * longer reach it). Returns their names and size.
 */
export async function pruneDamagedMirrors(reposDir: string, opts: { olderThanMs: number; now: Date; dryRun: boolean }): Promise<{ names: string[]; bytes: number }> {
  const found = { names: [] as string[], bytes: 0 };
  if (!existsSync(reposDir)) return found;
  for (const name of readdirSync(reposDir).filter((entry) => /\.git\.damaged-/.test(entry))) {
    const path = join(reposDir, name);
    if (damagedSince(name, statSync(path).mtimeMs) >= opts.now.getTime() - opts.olderThanMs) continue;
    found.names.push(name);
    found.bytes += await diskUsage(path);
    if (!opts.dryRun) await rm(path, { recursive: true, force: true });
  }
  return found;
}
