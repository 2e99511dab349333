import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { lock } from 'proper-lockfile';
import { LockHeldError } from '../errors.js';
import { isProcessAlive, processStartTicks } from '../process/process-identity.js';
import { writeFileAtomically } from './atomic-write.js';

interface Owner {
  pid: number;
  pid_start: string | null;
  host: string;
  since: string;
}

/**
 * Takes an exclusive lock at `lockPath` without waiting (proper-lockfile: an atomic mkdir,
 * refreshed while held, stale after 15 s without refresh). A lock whose holder on this host
 * is dead is taken over at once. Throws LockHeldError (exit 4) while another process holds it.
 */
export async function acquireExclusiveLock(lockPath: string, what: string): Promise<() => Promise<void>> {
  await mkdir(dirname(lockPath), { recursive: true });
  const ownerPath = `${lockPath}.owner`;
  const attempt = () =>
    lock(lockPath, { lockfilePath: lockPath, realpath: false, retries: 0, stale: 15_000, update: 5_000, onCompromised: () => undefined });
  let release: () => Promise<void>;
  try {
    release = await attempt();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const owner = readOwner(ownerPath);
    const held = () => {
      const by = owner ? ` by pid ${owner.pid} on ${owner.host} since ${owner.since}` : '';
      return new LockHeldError(`${what} is already running${by}`, `skipped; it will run next time (if no dispatch is running, remove ${lockPath})`);
    };
    if (!owner || owner.host !== hostname() || isProcessAlive(owner.pid, owner.pid_start)) throw held();
    // Take over a dead holder's lock: only one rename of it succeeds, so two dispatchers
    // seeing the same dead owner never both proceed.
    const tomb = `${lockPath}.dead-${process.pid}`;
    try {
      await rename(lockPath, tomb);
    } catch {
      throw held();
    }
    await rm(tomb, { recursive: true, force: true });
    release = await attempt();
  }
  const owner: Owner = { pid: process.pid, pid_start: processStartTicks(process.pid), host: hostname(), since: new Date().toISOString() };
  await writeFileAtomically(ownerPath, `${JSON.stringify(owner)}\n`);
  return async () => {
    await rm(ownerPath, { force: true });
    await release().catch(() => undefined);
  };
}

function readOwner(path: string): Owner | undefined {
  try {
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Owner) : undefined;
  } catch {
    return undefined;
  }
}
