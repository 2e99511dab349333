import { UsageError } from '../errors.js';
import type { ExecutorName } from '../executors/types.js';

/**
 * BullMQ settings for jobs that run for an hour or more. The lock is renewed every half
 * lockDuration while the worker lives, so it need not cover the job: it bounds how long a
 * SIGKILLed worker's job waits before another worker takes it (about lockDuration +
 * stalledInterval). The environment overrides exist for tests and impatient operators.
 */
export interface QueueSettings {
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** How often a job may be recovered from a dead worker before it fails as stalled. */
  maxStalledCount: number;
  /** Attempts for a job whose processor failed (dispatch itself, not the agent, broke). */
  attempts: number;
  /** A waiting job fails once no live worker could run it for this long. */
  noWorkerMs: number;
  /** SIGTERM: how long a worker lets its running jobs finish before it requeues them. */
  drainMs: number;
  /** How long results, events and cancel requests stay in Redis (they are collected sooner). */
  keyTtlSeconds: number;
}

export function readQueueSettings(env: NodeJS.ProcessEnv): QueueSettings {
  return {
    lockDurationMs: readMs(env, 'DISPATCH_QUEUE_LOCK_MS', 60_000),
    stalledIntervalMs: readMs(env, 'DISPATCH_QUEUE_STALLED_MS', 30_000),
    maxStalledCount: 2,
    attempts: 2,
    noWorkerMs: readMs(env, 'DISPATCH_QUEUE_NO_WORKER_MS', 120_000),
    drainMs: readMs(env, 'DISPATCH_WORKER_DRAIN_MS', 60_000),
    keyTtlSeconds: 24 * 3600,
  };
}

function readMs(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 100) throw new UsageError(`invalid ${name} '${raw}'`, 'use a whole number of milliseconds, at least 100');
  return ms;
}

/** One queue per executor: a worker listens only on the queues of the agents it can run. */
export function queueNameFor(executor: ExecutorName): string {
  return `dispatch-${executor}`;
}

/** Every Redis key dispatch keeps beside BullMQ's own. */
export const keys = {
  events: (runId: string) => `dispatch:run:${runId}:events`,
  result: (runId: string, attempt: string) => `dispatch:run:${runId}:result:${attempt}`,
  final: (runId: string) => `dispatch:run:${runId}:final`,
  cancel: (runId: string) => `dispatch:run:${runId}:cancel`,
  worker: (id: string) => `dispatch:worker:${id}`,
  workerPattern: 'dispatch:worker:*',
  cancelChannel: 'dispatch:cancel',
  lock: (key: string) => `dispatch:lock:${key}`,
};

/** Completed jobs are kept a day (at most 1000), failed ones a week: enough to collect, small. */
export const JOB_RETENTION = {
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
};
