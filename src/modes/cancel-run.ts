import { setTimeout as sleep } from 'node:timers/promises';
import { stopRecordedRun } from '../lifecycle/stop-recorded-run.js';
import { requestCancel } from '../runs/cancel-request.js';
import type { RunRef } from '../runs/find-run.js';
import { readGroupRecord, readRunSummary } from '../runs/read-run.js';

export interface CancelReport {
  ref: RunRef;
  /** What the run or group was when asked, and what it is now. */
  before: string;
  after: string;
}

const POLL_MS = 200;

/**
 * Cancels a run or group from another shell: leaves a cancel request for its dispatcher
 * and waits until the run is final. A run whose dispatcher is gone is reconciled
 * (abandoned, orphans killed) by reading it; if the dispatcher does not answer in time,
 * the agent's process group is stopped directly.
 */
export async function cancelRunOrGroup(ref: RunRef, waitMs: number): Promise<CancelReport> {
  const before = await statusOf(ref);
  if (before !== 'running') return { ref, before, after: before };
  await requestCancel(ref.dir);
  const deadline = Date.now() + waitMs;
  let after = before;
  while (after === 'running' && Date.now() < deadline) {
    await sleep(POLL_MS);
    after = await statusOf(ref);
  }
  if (after === 'running' && ref.kind === 'run') {
    const summary = await readRunSummary(ref.dir);
    if (summary) await stopRecordedRun(ref.dir, summary);
  }
  return { ref, before, after };
}

async function statusOf(ref: RunRef): Promise<string> {
  if (ref.kind === 'run') return (await readRunSummary(ref.dir))?.status ?? 'missing';
  return (await readGroupRecord(ref.dir))?.status ?? 'missing';
}
