import { DelayedError, type Job } from 'bullmq';
import { planQuotaWait } from '../modes/quota-wait.js';
import type { RunSummary } from '../runs/summary.js';
import type { QueueJobData, QueueJobResult } from './job-spec.js';

/** `--on-quota wait` on the queue: what a job carries from one attempt to the next. */
export interface QueueQuotaWait {
  maxWaitMs: number;
  /** When the task first hit the limit (ISO): --max-wait counts from there. */
  first_limit_at?: string;
  /** While the job is delayed: when it runs again (ISO). */
  waiting_until?: string | null;
  /** Every limit hit so far: where that attempt ran, and until when the job waited. */
  waits?: { worker: string; run_dir: string; reset_at: string | null; until: string }[];
}

/**
 * A queued run that ended `quota` with `--on-quota wait`: the job goes back on the queue as a
 * DELAYED job until the limit resets (bounded by --max-wait), so no worker sleeps and no
 * submitter has to be there; any worker takes it then. Throws BullMQ's DelayedError once
 * the job is delayed (the worker leaves it alone); returns why it does not wait otherwise.
 */
export async function delayForQuotaReset(job: Job<QueueJobData, QueueJobResult>, token: string | undefined, summary: RunSummary, where: { worker: string; runDir: string }, now = new Date()): Promise<string> {
  const wait = job.data.quotaWait;
  if (!wait) return 'not asked to wait';
  const firstLimitAt = wait.first_limit_at ?? summary.completed ?? now.toISOString();
  const waits = wait.waits ?? [];
  const plan = planQuotaWait({ resetAt: summary.error?.reset_at, now, firstLimitAtMs: Date.parse(firstLimitAt), waitsSoFar: waits.length, maxWaitMs: wait.maxWaitMs });
  if (plan.kind === 'give_up') return plan.reason;
  const until = plan.until.toISOString();
  const next: QueueQuotaWait = {
    ...wait,
    first_limit_at: firstLimitAt,
    waiting_until: until,
    waits: [...waits, { worker: where.worker, run_dir: where.runDir, reset_at: summary.error?.reset_at ?? null, until }],
  };
  await job.updateData({ ...job.data, quotaWait: next });
  await job.moveToDelayed(plan.until.getTime(), token);
  throw new DelayedError();
}

/** Lines for the final summary's warnings: each limit the run waited out on the queue. */
export function describeQuotaWaits(wait: QueueQuotaWait | undefined): string[] {
  return (wait?.waits ?? []).map(
    (w) => `hit a usage limit on queue worker ${w.worker} (its run directory: ${w.run_dir}, moved under runs/.earlier-attempts/ there if the job came back to it); the job was delayed until ${w.until} (--on-quota wait) and ran again`,
  );
}
