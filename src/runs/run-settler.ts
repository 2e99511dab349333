import type { RunSummary } from './summary.js';

/**
 * What readers do with a `running` summary: settle it (lifecycle/reconcile-run.ts marks a
 * dead dispatcher's run abandoned and stops what it left). This layer only reads and writes
 * records, so the lifecycle layer installs its settler here (cli/entry.ts); until then a
 * running summary is returned as it is.
 */
export type RunSettler = (runDir: string, summary: RunSummary) => Promise<RunSummary>;

let settler: RunSettler = (_dir, summary) => Promise.resolve(summary);

export function installRunSettler(settle: RunSettler): void {
  settler = settle;
}

export function settleRunningSummary(runDir: string, summary: RunSummary): Promise<RunSummary> {
  return settler(runDir, summary);
}
