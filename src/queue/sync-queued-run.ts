import type { ExecutorName } from '../executors/types.js';
import { readRunSummary } from '../runs/read-run.js';
import type { RunSummary } from '../runs/summary.js';
import { cancelJob, followQueuedRun, type FollowHooks } from './follow-queued-run.js';
import { openQueueClient } from './queue-client.js';
import { displayQueueUrl } from './queue-url.js';
import { readQueueSettings } from './queue-settings.js';
import { readQueueRecord, type QueueRecord } from './queued-run.js';

/** The URL to reach a run's queue: DISPATCH_QUEUE when it names the same queue (it may carry the password). */
function queueUrlOf(record: QueueRecord, env: NodeJS.ProcessEnv): string {
  const configured = env.DISPATCH_QUEUE;
  return configured && displayQueueUrl(configured) === record.queue ? configured : record.queue;
}

/**
 * For show, logs and cancel on the submitter's machine: brings a queued run's directory up
 * to date (collects the results of a finished job). Returns null for a run that is not on a
 * queue or is already final, else its summary as it now stands.
 */
export async function syncQueuedRun(runDir: string, env: NodeJS.ProcessEnv, hooks: FollowHooks = { once: true }): Promise<RunSummary | null> {
  const record = await readQueueRecord(runDir);
  const summary = await readRunSummary(runDir);
  if (!record || !summary || summary.status !== 'running') return null;
  const client = openQueueClient(queueUrlOf(record, env));
  try {
    return await followQueuedRun(client, runDir, summary.run_id, summary.executor as ExecutorName, env, hooks);
  } finally {
    await client.close();
  }
}

/** `dispatch cancel` of a queued run: removes a job not yet taken, or asks its worker to stop it and waits. */
export async function cancelQueuedRun(runDir: string, env: NodeJS.ProcessEnv, waitMs: number): Promise<{ before: string; after: string } | null> {
  const record = await readQueueRecord(runDir);
  const summary = await readRunSummary(runDir);
  if (!record || !summary) return null;
  if (summary.status !== 'running') return { before: summary.status, after: summary.status };
  const client = openQueueClient(queueUrlOf(record, env));
  try {
    await cancelJob(client, runDir, summary.run_id, summary.executor as ExecutorName, readQueueSettings(env).keyTtlSeconds);
    const deadline = AbortSignal.timeout(waitMs);
    const after = await Promise.race([
      followQueuedRun(client, runDir, summary.run_id, summary.executor as ExecutorName, env, { appendEvents: false }),
      new Promise<null>((resolve) => deadline.addEventListener('abort', () => resolve(null), { once: true })),
    ]);
    return { before: 'running', after: after?.status ?? 'running' };
  } finally {
    await client.close();
  }
}
