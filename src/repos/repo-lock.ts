import { mkdirSync } from 'node:fs';
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

// The runs of one dispatch (a group) queue here for a repository's lock, one at a time, so
// the lock passes between them as soon as it is released instead of at their next poll.
const inProcessTails = new Map<string, Promise<void>>();

/**
 * Runs fn while holding `repos/<slug>.lock` (locks/owned-lock.ts). Waiters poll while the
 * holder lives; a lock whose holder died is taken over at once, and the waiter says so.
 * Waiters in this process line up first: only the first of them polls the file lock.
 */
export async function withRepoLock<T>(
  reposDir: string,
  slug: string,
  fn: () => Promise<T>,
  opts: RepoLockOptions = {},
): Promise<T> {
  const key = join(reposDir, slug);
  const previous = inProcessTails.get(key) ?? Promise.resolve();
  let done!: () => void;
  const tail = new Promise<void>((resolve) => (done = resolve));
  inProcessTails.set(key, tail);
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  try {
    await waitUntil(previous, deadline, () => lockTimeout(join(reposDir, `${slug}.lock`), ' (held by another run of this dispatch)'));
    mkdirSync(reposDir, { recursive: true });
    const release = await acquireRepoLock(reposDir, slug, { ...opts, timeoutMs: Math.max(0, deadline - Date.now()) });
    try {
      return await fn();
    } finally {
      await release().catch(() => undefined);
    }
  } finally {
    done();
    if (inProcessTails.get(key) === tail) inProcessTails.delete(key);
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
    if (Date.now() > deadline) throw lockTimeout(lockPath, attempt.owner ? ` (held by pid ${attempt.owner.pid} on ${attempt.owner.host})` : '');
    await sleep(POLL_MS + Math.floor(Math.random() * POLL_MS));
  }
}

function lockTimeout(lockPath: string, by: string): InfraError {
  return new InfraError(
    `timed out waiting for the repository lock ${lockPath}${by}`,
    'another dispatch is fetching this repository; if none is, remove the lock directory',
  );
}

/** Waits for `promise` until `deadline`; past it, throws what `timedOut` makes. */
async function waitUntil(promise: Promise<void>, deadline: number, timedOut: () => Error): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), Math.max(0, deadline - Date.now()));
  });
  try {
    await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
