import { LockHeldError } from '../errors.js';
import { tryOwnedLock } from '../locks/owned-lock.js';

/**
 * Takes an exclusive lock at `lockPath` without waiting. A lock whose holder on this host
 * is dead is taken over at once, by exactly one of any number of contenders
 * (locks/owned-lock.ts). Throws LockHeldError (exit 4) while another process holds it.
 */
export async function acquireExclusiveLock(lockPath: string, what: string): Promise<() => Promise<void>> {
  const attempt = await tryOwnedLock(lockPath);
  if (attempt.kind === 'acquired') return attempt.release;
  const by = attempt.owner ? ` by pid ${attempt.owner.pid} on ${attempt.owner.host} since ${attempt.owner.since}` : '';
  throw new LockHeldError(`${what} is already running${by}`, `skipped; it will run next time (if no dispatch is running, remove ${lockPath})`);
}
