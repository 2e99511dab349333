import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraError } from '../errors.js';
import { tryOwnedLock, type LockOwner } from '../locks/owned-lock.js';

/** How long to wait for another dispatch's fetch; who hears that a dead holder's lock was taken over. */
export interface RepoLockOptions {
  timeoutMs?: number;
  onNotice?: (line: string) => void;
}

const DEFAULT_TIMEOUT_MS = 30 * 60_000;
const POLL_MS = 100;

/**
 * Runs fn while holding `repos/<slug>.lock` (locks/owned-lock.ts). Waiters poll while the
 * holder lives; a lock whose holder died is taken over at once, and the waiter says so.
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
    await release().catch(() => undefined);
  }
}

async function acquireRepoLock(reposDir: string, slug: string, opts: RepoLockOptions): Promise<() => Promise<void>> {
  const lockPath = join(reposDir, `${slug}.lock`);
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const notice = opts.onNotice ?? ((line: string) => process.stderr.write(`dispatch: ${line}\n`));
  const onDeadHolder = (owner: LockOwner | undefined) =>
    notice(`the lock of repository ${slug} was held by ${owner ? `pid ${owner.pid}, which is gone` : 'a dispatch that is gone'}; taking it over`);
  for (;;) {
    let attempt;
    try {
      attempt = await tryOwnedLock(lockPath, onDeadHolder);
    } catch (error) {
      throw new InfraError(`cannot lock ${lockPath}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (attempt.kind === 'acquired') return attempt.release;
    if (Date.now() > deadline) {
      const by = attempt.owner ? ` (held by pid ${attempt.owner.pid} on ${attempt.owner.host})` : '';
      throw new InfraError(
        `timed out waiting for the repository lock ${lockPath}${by}`,
        'another dispatch is fetching this repository; if none is, remove the lock directory',
      );
    }
    await sleep(POLL_MS + Math.floor(Math.random() * POLL_MS));
  }
}
