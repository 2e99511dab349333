import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lock } from 'proper-lockfile';
import { InfraError } from '../errors.js';

/** How long to wait for another dispatch's fetch, and when a dead holder's lock is stale. */
export interface RepoLockOptions {
  timeoutMs?: number;
  staleMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30 * 60_000;
const DEFAULT_STALE_MS = 20_000;
const POLL_MS = 100;

/**
 * Runs fn while holding `repos/<slug>.lock` (a directory, created atomically by
 * proper-lockfile). Waiters poll until the holder releases it; a lock whose holder died
 * stops being refreshed and is taken over after staleMs.
 */
export async function withRepoLock<T>(
  reposDir: string,
  slug: string,
  fn: () => Promise<T>,
  opts: RepoLockOptions = {},
): Promise<T> {
  await mkdir(reposDir, { recursive: true });
  const release = await acquireRepoLock(reposDir, slug, opts);
  try {
    return await fn();
  } finally {
    // Rejects only when the lock was already taken over (compromised): nothing left to undo.
    await release().catch(() => undefined);
  }
}

async function acquireRepoLock(reposDir: string, slug: string, opts: RepoLockOptions): Promise<() => Promise<void>> {
  const lockfilePath = join(reposDir, `${slug}.lock`);
  const staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  for (;;) {
    try {
      return await lock(join(reposDir, `${slug}.git`), {
        lockfilePath,
        realpath: false,
        stale: staleMs,
        update: Math.max(1000, Math.floor(staleMs / 4)),
        // The default throws from a timer and kills the process; a lost lock only means
        // another fetch may overlap ours, which git's own ref locks keep consistent.
        onCompromised: () => undefined,
      });
    } catch (err) {
      if (!isLockedError(err)) throw toInfraError(err, lockfilePath);
      if (Date.now() > deadline) {
        throw new InfraError(
          `timed out waiting for the repository lock ${lockfilePath}`,
          'another dispatch is fetching this repository; if none is, remove the lock directory',
        );
      }
      await sleep(POLL_MS + Math.floor(Math.random() * POLL_MS));
    }
  }
}

function isLockedError(err: unknown): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === 'ELOCKED';
}

function toInfraError(err: unknown, lockfilePath: string): InfraError {
  const reason = err instanceof Error ? err.message : String(err);
  return new InfraError(`cannot lock ${lockfilePath}: ${reason}`);
}
