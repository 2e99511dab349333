import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isProcessAlive } from '../process/process-identity.js';
import { writeNewFile } from './atomic-write.js';

/** Staging directories are hidden and carry no id, so no scan for runs or groups mistakes one for a run. */
const STAGING = /^\.new-(\d+)-[0-9a-f]+$/;

export interface WholeDirOptions {
  /** Files whose content a crash may cut short (not synced before the directory appears). */
  unsynced?: readonly string[];
}

/**
 * Creates `dir` with its first files all at once: they are written into a staging directory
 * (`.new-<pid>-<random>` beside it), synced, and the directory is then renamed into place,
 * so it is either complete or absent whenever the writer dies. The files are written side
 * by side: one journal commit can carry all their syncs. Fails if `dir` is taken (rename
 * refuses a non-empty directory).
 */
export async function createWholeDir(dir: string, files: Record<string, string | Buffer>, opts: WholeDirOptions = {}): Promise<void> {
  const parent = dirname(dir);
  // Metadata calls, microseconds each: synchronous, so they wait behind no other file's fsync.
  mkdirSync(parent, { recursive: true });
  removeDeadStaging(parent);
  const staging = join(parent, `.new-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging);
  try {
    // Every write has ended before a failure removes the staging directory.
    const written = await Promise.allSettled(Object.entries(files).map(([name, content]) => writeNewFile(join(staging, name), content, 0o644, !opts.unsynced?.includes(name))));
    const failed = written.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    renameSync(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Staging directories whose writer died before renaming them into place. */
function removeDeadStaging(parent: string): void {
  for (const name of readdirSync(parent)) {
    const pid = STAGING.exec(name)?.[1];
    if (pid !== undefined && !isProcessAlive(Number(pid), null)) rmSync(join(parent, name), { recursive: true, force: true });
  }
}
