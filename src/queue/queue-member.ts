import { hostname } from 'node:os';
import type { TimedEvent } from '../events.js';
import type { RunResult } from '../modes/execute-run.js';
import type { RunHooks, RunPlan } from '../modes/run-plan.js';
import { exitCodeForOutcome } from '../runs/outcome.js';
import { createRunId } from '../runs/run-id.js';
import { followQueuedRun } from './follow-queued-run.js';
import { jobDataFromPlan } from './job-spec.js';
import type { QueueClient } from './queue-client.js';
import { displayQueueUrl } from './queue-url.js';
import { JOB_RETENTION, queueNameFor, readQueueSettings } from './queue-settings.js';
import { createQueuedRunDir } from './queued-run.js';

/**
 * executeRun's stand-in for a group on the queue: each member becomes a job (on its
 * executor's queue), its run directory here fills as the worker reports, and aborting the
 * member (race lost, budget, Ctrl-C) cancels the job, running or not yet started.
 */
export function createQueueMemberRunner(client: QueueClient, queueUrl: string, env: NodeJS.ProcessEnv): (plan: RunPlan, hooks?: RunHooks) => Promise<RunResult> {
  const settings = readQueueSettings(env);
  return async (plan, hooks = {}) => {
    const now = new Date();
    const runId = createRunId(plan.executor, now);
    const data = jobDataFromPlan(plan, runId, hostname());
    const record = { queue: displayQueueUrl(queueUrl), queue_name: queueNameFor(plan.executor), job_id: runId, submitted: now.toISOString() };
    const runDir = await createQueuedRunDir(plan.home.runsDir, data, record, now);
    await client.queueFor(plan.executor).add('run', data, { jobId: runId, attempts: settings.attempts, backoff: { type: 'fixed', delay: 5_000 }, ...JOB_RETENTION });
    hooks.onRunCreated?.(runId, runDir);
    const summary = await followQueuedRun(client, runDir, runId, plan.executor, env, {
      signal: hooks.signal,
      onLine: (line) => hooks.onEvent?.(runId, JSON.parse(line) as TimedEvent),
    });
    if (!summary) throw new Error(`the queued run ${runId} left no summary`);
    return { runId, runDir, summary, exitCode: exitCodeForOutcome(summary.outcome ?? 'infra', { requireChanges: plan.requireChanges }) };
  };
}
