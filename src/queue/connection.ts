import { Redis } from 'ioredis';
import { displayQueueUrl } from './queue-url.js';

/**
 * A connection that waits through a Redis restart instead of failing commands
 * (maxRetriesPerRequest: null, as BullMQ requires for workers), reconnecting every ≤1 s.
 */
export function connectRedis(url: string): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(100 * times, 1_000),
  });
  // Errors while Redis is away are retried; an unhandled 'error' event would crash the process.
  redis.on('error', () => undefined);
  return redis;
}

/** Fails fast (one line, exit 3) when nobody answers at the URL. */
export async function pingRedis(url: string, timeoutMs = 5_000): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const { InfraError } = await import('../errors.js');
    throw new InfraError(`cannot reach the queue at ${displayQueueUrl(url)}: ${(error as Error).message}`, 'start redis-server there, or check --queue / DISPATCH_QUEUE');
  } finally {
    redis.disconnect();
  }
}
