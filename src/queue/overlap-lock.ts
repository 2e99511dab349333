import type { Redis } from 'ioredis';
import { LockHeldError } from '../errors.js';
import { keys } from './queue-settings.js';

// Deletes the lock only while it is still ours.
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * `--no-overlap` / `--lock-key` across machines: one Redis key per job, held by the run (or
 * group) that took it, so a second submit from any machine exits 4. It expires after `ttlMs`
 * if its holder never comes back to release it.
 */
export async function acquireQueueLock(redis: Redis, key: string, holder: string, ttlMs: number): Promise<void> {
  const taken = await redis.set(keys.lock(key), holder, 'PX', ttlMs, 'NX');
  if (taken === 'OK') return;
  const by = await redis.get(keys.lock(key));
  throw new LockHeldError(`the same job (lock ${key}) is already on the queue${by ? ` (${by})` : ''}`, 'wait for it to finish, or `dispatch cancel` it');
}

export async function releaseQueueLock(redis: Redis, key: string, holder: string): Promise<void> {
  await redis.eval(RELEASE, 1, keys.lock(key), holder);
}

/** Keeps an attached holder's lock alive; returns the function that stops and releases it. */
export function holdQueueLock(redis: Redis, key: string, holder: string, ttlMs: number): () => Promise<void> {
  const timer = setInterval(() => void redis.pexpire(keys.lock(key), ttlMs).catch(() => undefined), Math.max(1_000, ttlMs / 3));
  return async () => {
    clearInterval(timer);
    await releaseQueueLock(redis, key, holder).catch(() => undefined);
  };
}
