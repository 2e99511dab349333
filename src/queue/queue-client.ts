import { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ExecutorName } from '../executors/types.js';
import { connectRedis } from './connection.js';
import type { QueueJobData, QueueJobResult } from './job-spec.js';
import { keys, queueNameFor } from './queue-settings.js';

/** The submitter's handle on the queue: one connection, one BullMQ Queue per executor on use. */
export interface QueueClient {
  redis: Redis;
  queueFor(executor: ExecutorName): Queue<QueueJobData, QueueJobResult>;
  findJob(executor: ExecutorName, runId: string): Promise<Job<QueueJobData, QueueJobResult> | undefined>;
  /** `reason` (cancelled, race_lost, budget) becomes the run's error.kind on the worker. */
  requestCancel(runId: string, ttlSeconds: number, reason?: string): Promise<void>;
  close(): Promise<void>;
}

export function openQueueClient(url: string): QueueClient {
  const redis = connectRedis(url);
  const queues = new Map<string, Queue<QueueJobData, QueueJobResult>>();
  const queueFor = (executor: ExecutorName) => {
    let queue = queues.get(executor);
    if (!queue) {
      queue = new Queue<QueueJobData, QueueJobResult>(queueNameFor(executor), { connection: redis });
      queue.on('error', () => undefined);
      queues.set(executor, queue);
    }
    return queue;
  };
  return {
    redis,
    queueFor,
    findJob: async (executor, runId) => (await Job.fromId<QueueJobData, QueueJobResult>(queueFor(executor), runId)) ?? undefined,
    async requestCancel(runId, ttlSeconds, reason = 'cancelled') {
      await redis.set(keys.cancel(runId), reason, 'EX', ttlSeconds);
      await redis.publish(keys.cancelChannel, `${runId} ${reason}`);
    },
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close().catch(() => undefined)));
      redis.disconnect();
    },
  };
}
