import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Job } from 'bullmq';
import type { ExecutorName } from '../executors/types.js';
import type { RunSummary } from '../runs/summary.js';
import { readRunSummary } from '../runs/read-run.js';
import { readEvents } from './event-stream.js';
import type { QueueJobData, QueueJobResult } from './job-spec.js';
import type { QueueClient } from './queue-client.js';
import { keys, readQueueSettings } from './queue-settings.js';
import { collectResults } from './run-results.js';
import { finishQueuedRunLocally, readQueueRecord, recordQueueWaiting } from './queued-run.js';
import { releaseQueueLock } from './overlap-lock.js';
import { claimEventAppending } from './follow-owner.js';
import { canAnyWorkerRun, listLiveWorkers } from './worker-registry.js';

/** How long one look waits for new events: also how soon a cancel (race lost) is passed on. */
const POLL_MS = 300;
const WORKER_CHECK_MS = 2_000;

export interface FollowHooks {
  /** A new events.jsonl line from the worker (already appended to the local events.jsonl). */
  onLine?: (line: string) => void;
  /** Ctrl-C at the submitter: the job is cancelled and the follow waits for its result. */
  signal?: AbortSignal;
  /** Only look once (show, list): no waiting. */
  once?: boolean;
  /** Ends the follow (the reader stopped: Ctrl-C on `logs -f`) without cancelling anything. */
  stopSignal?: AbortSignal;
  /** false: leave events.jsonl alone (another process appends to it). */
  appendEvents?: boolean;
  /** `--on-quota wait`: the job was delayed until then after a usage limit (null: it runs again). */
  onWaiting?: (until: string | null) => void;
}

/**
 * Keeps the submitter's runs/<run-id>/ in step with its job: live events appended to
 * events.jsonl, and once BullMQ says the job is done, the completed attempt's files. Ends
 * with the run's final summary (or the `running` one, with `once`).
 */
export async function followQueuedRun(client: QueueClient, runDir: string, runId: string, executor: ExecutorName, env: NodeJS.ProcessEnv, hooks: FollowHooks = {}): Promise<RunSummary | null> {
  const settings = readQueueSettings(env);
  let lastId = '0';
  let noWorkerSince: number | null = null;
  let cancelSent = false;
  let workersCheckedAt = 0;
  let waitingUntil: string | null | undefined;
  const release = hooks.once || hooks.appendEvents === false ? null : claimEventAppending(runDir);
  try {
    const summary = await followLoop();
    if (summary && summary.status !== 'running') await releaseLockOf(client, runDir, runId);
    return summary;
  } finally {
    release?.();
  }

  async function followLoop(): Promise<RunSummary | null> {
    for (;;) {
      const local = await readRunSummary(runDir);
      if ((local && local.status !== 'running') || hooks.stopSignal?.aborted) return local;
      if (hooks.signal?.aborted && !cancelSent) {
        cancelSent = true;
        await cancelJob(client, runDir, runId, executor, settings.keyTtlSeconds, typeof hooks.signal.reason === 'string' ? hooks.signal.reason : 'cancelled');
      }
      try {
        const done = await settleIfDone(client, runDir, runId, executor, noteWaiting);
        if (done) return done;
        if (hooks.once) return local;
        const events = await readEvents(client.redis, runId, lastId, POLL_MS);
        for (const event of events) {
          lastId = event.id;
          if (release) await appendFile(join(runDir, 'events.jsonl'), `${event.line}\n`);
          hooks.onLine?.(event.line);
        }
        if (Date.now() - workersCheckedAt > WORKER_CHECK_MS) {
          workersCheckedAt = Date.now();
          noWorkerSince = await checkCapableWorker(client, executor, noWorkerSince, runId);
        }
        if (noWorkerSince !== null && Date.now() - noWorkerSince > settings.noWorkerMs) {
          const job = await client.findJob(executor, runId);
          // A job delayed until a usage limit resets may wait hours: workers may come back meanwhile.
          if (job && !waitingUntil && ['waiting', 'delayed', 'prioritized'].includes(await job.getState())) {
            await job.remove();
            return finishQueuedRunLocally(runDir, 'infra', {
              kind: 'no_worker',
              message: `no live worker could run ${executor} jobs for ${Math.round(settings.noWorkerMs / 1000)}s; start \`dispatch worker --queue … --executor ${executor}\` on a machine logged in to ${executor}`,
            });
          }
        }
      } catch {
        // Redis is restarting or away: BullMQ and ioredis reconnect; look again shortly.
        if (hooks.once) return local;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  async function noteWaiting(job: Job<QueueJobData, QueueJobResult>, state: string): Promise<void> {
    const until = state === 'delayed' ? (job.data.quotaWait?.waiting_until ?? null) : null;
    if (until === waitingUntil) return;
    waitingUntil = until;
    await recordQueueWaiting(runDir, until);
    hooks.onWaiting?.(until);
  }
}

/** A finished run frees its --no-overlap lock. */
async function releaseLockOf(client: QueueClient, runDir: string, runId: string): Promise<void> {
  const record = await readQueueRecord(runDir);
  if (record?.lock_key) await releaseQueueLock(client.redis, record.lock_key, runId).catch(() => undefined);
}

/** The completed attempt's results, or the failure BullMQ recorded; null while the job is not done. */
async function settleIfDone(
  client: QueueClient,
  runDir: string,
  runId: string,
  executor: ExecutorName,
  onPending: (job: Job<QueueJobData, QueueJobResult>, state: string) => Promise<void>,
): Promise<RunSummary | null> {
  const pointer = await client.redis.get(keys.final(runId));
  if (pointer) return collectOrReread(client, runDir, runId, pointer);
  const job = await client.findJob(executor, runId);
  if (!job) return finishQueuedRunLocally(runDir, 'infra', { kind: 'infra', message: 'the job is gone from the queue (removed, or Redis lost it) and left no results' });
  const state = await job.getState();
  if (state === 'completed' && job.returnvalue?.attempt) return collectOrReread(client, runDir, runId, job.returnvalue.attempt);
  if (state === 'failed') {
    return finishQueuedRunLocally(runDir, 'infra', { kind: 'infra', message: `the queue gave up on the job: ${job.failedReason ?? 'unknown reason'}` });
  }
  await onPending(job, state);
  return null;
}

/** Another process on this machine may have collected the results a moment ago. */
async function collectOrReread(client: QueueClient, runDir: string, runId: string, attempt: string): Promise<RunSummary | null> {
  const collected = await collectResults(client.redis, runDir, runId, attempt);
  if (collected) return collected;
  const local = await readRunSummary(runDir);
  if (local && local.status !== 'running') return local;
  return finishQueuedRunLocally(runDir, 'infra', { kind: 'infra', message: 'the run finished on a worker, but its results expired from the queue before they were collected; they are in the worker\'s run directory' });
}

/** Since when no live worker takes this executor's jobs (null: one does). */
async function checkCapableWorker(client: QueueClient, executor: ExecutorName, since: number | null, _runId: string): Promise<number | null> {
  const capable = canAnyWorkerRun(await listLiveWorkers(client.redis), executor);
  if (capable) return null;
  return since ?? Date.now();
}

/**
 * Cancels a queued run: a job no worker took yet is removed (its summary says cancelled);
 * a running one gets a cancel request its worker acts on at once (pub/sub) or when it takes it.
 */
export async function cancelJob(client: QueueClient, runDir: string, runId: string, executor: ExecutorName, ttlSeconds: number, reason = 'cancelled'): Promise<'removed' | 'requested'> {
  await client.requestCancel(runId, ttlSeconds, reason);
  const job = await client.findJob(executor, runId);
  if (job && ['waiting', 'delayed', 'prioritized'].includes(await job.getState())) {
    try {
      await job.remove();
      await finishQueuedRunLocally(runDir, 'cancelled', { kind: reason, message: `the run was cancelled (${reason}) before a worker took it` });
      return 'removed';
    } catch {
      // taken meanwhile: the worker sees the request
    }
  }
  return 'requested';
}
