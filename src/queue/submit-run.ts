import { hostname } from 'node:os';
import type { DispatchRequest } from '../modes/dispatch-task.js';
import { createRunId } from '../runs/run-id.js';
import { pingRedis } from './connection.js';
import { displayQueueUrl } from './queue-url.js';
import { jobDataOf, rejectLocalOnlyFlags } from './job-spec.js';
import type { QueueClient } from './queue-client.js';
import { JOB_RETENTION, queueNameFor, readQueueSettings } from './queue-settings.js';
import { createQueuedRunDir } from './queued-run.js';
import { acquireQueueLock } from './overlap-lock.js';
import { canAnyWorkerRun, listLiveWorkers } from './worker-registry.js';

export interface Submitted {
  runId: string;
  runDir: string;
  /** Set when no live worker takes this executor's jobs right now. */
  noWorkerNow: boolean;
}

/**
 * Queues one run: its runs/<run-id>/ is created here at once (task.md, queue.json, a
 * `running` summary), then the job goes on the executor's queue under the run id, so a
 * submit retried after a timeout cannot queue the same run twice.
 */
export async function submitRun(client: QueueClient, queueUrl: string, request: DispatchRequest): Promise<Submitted> {
  rejectLocalOnlyFlags(request);
  await pingRedis(queueUrl);
  const settings = readQueueSettings(request.template.env);
  const executor = request.executors[0] ?? 'codex';
  const now = new Date();
  const runId = createRunId(executor, now);
  const data = jobDataOf(request, runId, executor, hostname());
  const record = { queue: displayQueueUrl(queueUrl), queue_name: queueNameFor(executor), job_id: runId, submitted: now.toISOString() };
  // --no-overlap: held by the run id until the run is collected (or its --timeout and an hour pass).
  if (request.overlapKey) await acquireQueueLock(client.redis, request.overlapKey, runId, request.template.timeoutMs + 3_600_000);
  const runDir = await createQueuedRunDir(request.template.home.runsDir, data, { ...record, ...(request.overlapKey ? { lock_key: request.overlapKey } : {}) }, now);
  await client.queueFor(executor).add('run', data, {
    jobId: runId,
    attempts: settings.attempts,
    backoff: { type: 'fixed', delay: 5_000 },
    ...JOB_RETENTION,
  });
  const noWorkerNow = !canAnyWorkerRun(await listLiveWorkers(client.redis), executor);
  return { runId, runDir, noWorkerNow };
}
