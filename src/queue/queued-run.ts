import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomically } from '../runs/atomic-write.js';
import { exitCodeForOutcome } from '../runs/outcome.js';
import { readRunSummary } from '../runs/read-run.js';
import { createRunDir, renderTaskFile, runPaths } from '../runs/run-dir.js';
import type { Outcome, RunSummary } from '../runs/summary.js';
import { statusForOutcome } from '../runs/summary.js';
import { createRunningSummary } from '../runs/summary-init.js';
import type { QueueJobData } from './job-spec.js';

/** queue.json in the submitter's run directory: the run is on a queue, not on this machine. */
export interface QueueRecord {
  queue: string;
  queue_name: string;
  job_id: string;
  submitted: string;
  /** --no-overlap's key, released once the run is final here. */
  lock_key?: string;
  /** `--on-quota wait`: the job is delayed on the queue until then (ISO), after a usage limit. */
  waiting_until?: string | null;
}

const RECORD = 'queue.json';

/**
 * The submitter's runs/<run-id>/ from the moment the job is queued: task.md, queue.json and a
 * `running` summary whose host names the queue, so no command on this machine takes the run
 * for one whose dispatcher died (the submitter may have detached); the worker's files replace it.
 */
export async function createQueuedRunDir(runsDir: string, data: QueueJobData, record: QueueRecord, now: Date): Promise<string> {
  const paths = runPaths(runsDir, data.runId);
  const summary = createRunningSummary({
    runId: data.runId,
    groupId: data.groupId,
    repo: data.repo.split('/').pop()?.replace(/\.git$/, '') ?? data.repo,
    repoUrl: data.repo,
    branch: data.branch ?? null,
    executor: data.executor,
    model: data.model ?? null,
    mode: data.mode,
    started: now,
    sandbox: data.sandbox,
    labels: data.labels,
    parentRunId: null,
    fallbackOf: null,
  });
  summary.host = `queue ${record.queue}`;
  await createRunDir(paths, renderTaskFile(data.task, data.instructions), summary);
  await writeJsonAtomically(join(paths.dir, RECORD), record);
  return paths.dir;
}

export async function readQueueRecord(runDir: string): Promise<QueueRecord | null> {
  if (!existsSync(join(runDir, RECORD))) return null;
  return JSON.parse(await readFile(join(runDir, RECORD), 'utf8')) as QueueRecord;
}

/** Notes in queue.json that the job waits, delayed, for a usage limit to reset (null: no longer). */
export async function recordQueueWaiting(runDir: string, until: string | null): Promise<void> {
  const record = await readQueueRecord(runDir);
  if (record && (record.waiting_until ?? null) !== until) await writeJsonAtomically(join(runDir, RECORD), { ...record, waiting_until: until });
}

/** A run the queue ended without a worker's record (cancelled before it started, nobody could run it, failed). */
export async function finishQueuedRunLocally(runDir: string, outcome: Outcome, error: { kind: string; message: string }): Promise<RunSummary | null> {
  const summary = await readRunSummary(runDir);
  if (!summary || summary.status !== 'running') return summary;
  const now = new Date();
  const finished: RunSummary = {
    ...summary,
    status: statusForOutcome(outcome),
    outcome,
    completed: now.toISOString(),
    duration_ms: now.getTime() - Date.parse(summary.started),
    dispatch_exit_code: exitCodeForOutcome(outcome, { requireChanges: false }),
    error,
  };
  await writeJsonAtomically(join(runDir, 'summary.json'), finished);
  return finished;
}
