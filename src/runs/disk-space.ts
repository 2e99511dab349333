import { statSync, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InfraError, UsageError } from '../errors.js';

/** Free space a run needs before it starts (--min-free, DISPATCH_MIN_FREE). */
export const DEFAULT_MIN_FREE_BYTES = 100 * 1024 * 1024;

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** `--min-free`: `100MB`, `512M`, `2G`, `0` (no check); 1024-based. */
export function parseMinFree(value: string | undefined, source = '--min-free'): number {
  if (value === undefined || value === '') return DEFAULT_MIN_FREE_BYTES;
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = match ? UNITS[(match[2] ?? '').toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new UsageError(`invalid ${source} '${value}'`, 'use a size such as 100MB, 512M, 2G, or 0 for no check');
  return Math.round(Number(match[1]) * unit);
}

/** `1.5 MB`, `0 B`: what the one-line errors say. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** The nearest directory of `path` that exists (the run directory may not yet). */
function existingAncestor(path: string): string {
  let dir = resolve(path);
  for (;;) {
    try {
      statSync(dir);
      return dir;
    } catch {
      const parent = dirname(dir);
      if (parent === dir) return dir;
      dir = parent;
    }
  }
}

/** The mount point holding `path`: the highest ancestor on the same device. */
export function findMountPoint(path: string): string {
  let dir = existingAncestor(path);
  const device = statSync(dir).dev;
  for (;;) {
    const parent = dirname(dir);
    if (parent === dir || statSync(parent).dev !== device) return dir;
    dir = parent;
  }
}

export interface DiskSpace {
  mount: string;
  freeBytes: number;
}

/** Free space for an unprivileged writer (bavail) on the disk holding `path`; null when it cannot be read. */
export function readDiskSpace(path: string): DiskSpace | null {
  try {
    const dir = existingAncestor(path);
    const stats = statfsSync(dir);
    return { mount: findMountPoint(dir), freeBytes: Number(stats.bavail) * Number(stats.bsize) };
  } catch {
    return null;
  }
}

/** Refuses to start a run on a disk with less than `minFree` bytes free (0: no check). */
export function requireFreeSpace(paths: string[], minFree: number): void {
  if (minFree <= 0) return;
  for (const path of paths) {
    const space = readDiskSpace(path);
    if (space && space.freeBytes < minFree) {
      throw new InfraError(
        `only ${formatBytes(space.freeBytes)} free on ${space.mount} (${path}), less than the ${formatBytes(minFree)} a run needs`,
        'free space or lower --min-free (DISPATCH_MIN_FREE)',
      );
    }
  }
}

const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);
const DISK_FULL_TEXT = /No space left on device|Disk quota exceeded|File too large|ENOSPC|EDQUOT|EFBIG/;

/** Whether an error (a Node fs error, or git's message) says the disk or a file-size limit is full. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && DISK_FULL_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : String(error);
  return DISK_FULL_TEXT.test(message);
}

/** `the disk is full: /mnt has 0 B free (while writing output.log)`: one line for summary and terminal. */
export function describeDiskFull(path: string, doing?: string): string {
  const space = readDiskSpace(path);
  const where = space ? `${space.mount} has ${formatBytes(space.freeBytes)} free` : `cannot write under ${path}`;
  const limit = space && space.freeBytes > 1024 * 1024 ? ' (or a file-size limit was reached)' : '';
  return `the disk is full: ${where}${limit}${doing ? ` (${doing})` : ''}`;
}
