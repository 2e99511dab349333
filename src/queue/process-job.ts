import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { WaitingError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import { executeRun } from '../modes/execute-run.js';
import { fetchBase } from '../modes/run-checkout.js';
import type { DispatchHome } from '../runs/home.js';
import { createRedactor } from '../runs/redact.js';
import { createEventPublisher } from './event-stream.js';
import type { QueueJobData, QueueJobResult } from './job-spec.js';
import { runPlanOf } from './job-spec.js';
import { keys } from './queue-settings.js';
import { delayForQuotaReset, describeQuotaWaits } from './quota-delay.js';
import { uploadResults } from './run-results.js';

/** One running job on this worker: how to stop it, whether stopping means "requeue", its result. */
export interface ActiveJob {
  controller: AbortController;
  requeue: boolean;
  /** The job's lock went to another worker: this attempt reports nothing. */
  superseded?: boolean;
  done?: Promise<QueueJobResult>;
}

export interface JobContext {
  redis: Redis;
  workerId: string;
  home: DispatchHome;
  env: NodeJS.ProcessEnv;
  bin: string;
  ttlSeconds: number;
  active: Map<string, ActiveJob>;
}

/**
 * Runs one queued job through executeRun, the code path of a local run, in this worker's
 * home; publishes its events for live progress, then puts its files in Redis for the
 * submitter. A run stopped by the worker's own shutdown is requeued instead of reported.
 */
export async function processJob(ctx: JobContext, job: Job<QueueJobData, QueueJobResult>, token: string | undefined): Promise<QueueJobResult> {
  // A job this worker still runs came back (its lock lapsed while Redis was away): the run
  // goes on once, and this attempt reports its result.
  const running = ctx.active.get(job.data.runId)?.done;
  if (running) return running;
  const entry: ActiveJob = { controller: new AbortController(), requeue: false };
  entry.done = runJob(ctx, job, token, entry);
  return entry.done;
}

async function runJob(ctx: JobContext, job: Job<QueueJobData, QueueJobResult>, token: string | undefined, entry: ActiveJob): Promise<QueueJobResult> {
  const data = job.data;
  const attempt = `${ctx.workerId}.${nanoid(6)}`;
  ctx.active.set(data.runId, entry);
  try {
    const cancelled = await ctx.redis.get(keys.cancel(data.runId));
    if (cancelled) entry.controller.abort(cancelled);
    await setAsideEarlierAttempt(ctx.home.runsDir, data.runId);
    const redact = createRedactor(ctx.env);
    const publish = createEventPublisher(ctx.redis, data.runId, attempt, ctx.ttlSeconds);
    const plan = runPlanOf(data, ctx);
    // A group member starts from the group's commit: this worker's mirror, fetched, at that sha.
    if (data.baseSha) plan.base = { ...(await fetchBase(plan, entry.controller.signal)), sha: data.baseSha };
    const result = await executeRun(plan, {
      signal: entry.controller.signal,
      onEvent: (_runId, event) => publish(redact(JSON.stringify(event))),
    });
    if (entry.superseded) throw new Error('the job was taken over by another worker (its lock lapsed); this attempt was stopped');
    if (entry.requeue) {
      await job.moveToWait(token);
      throw new WaitingError();
    }
    const notes = describeQuotaWaits(data.quotaWait);
    if (result.summary.outcome === 'quota' && data.quotaWait && !entry.controller.signal.aborted) {
      notes.push(`not waiting for the usage limit: ${await delayForQuotaReset(job, token, result.summary, { worker: ctx.workerId, runDir: result.runDir })}`);
    }
    await uploadResults(ctx.redis, result.runDir, data.runId, attempt, ctx.workerId, ctx.ttlSeconds, notes);
    return { attempt, status: result.summary.status, exitCode: result.exitCode };
  } finally {
    ctx.active.delete(data.runId);
  }
}

/** A job recovered onto the same home finds its earlier attempt's directory: keep it, aside. */
async function setAsideEarlierAttempt(runsDir: string, runId: string): Promise<void> {
  const dir = join(runsDir, runId);
  if (!existsSync(dir)) return;
  const aside = join(runsDir, '.earlier-attempts');
  await mkdir(aside, { recursive: true });
  await rename(dir, join(aside, `${runId}.${Date.now()}`));
}
