import { stopContained, type Containment, type StopReport } from '../process/containment.js';
import { isGroupWorkingIn } from '../process/process-identity.js';
import { isRunCgroupPath } from '../process/run-cgroup.js';
import type { RunSummary } from '../runs/summary.js';

/**
 * How a later command finds a run's processes from what its summary recorded before the
 * agent started: the marker, the cgroup (only a path that is really this run's), and the
 * process group, trusted only while it still works in the run's directories.
 */
export function containmentOf(runDir: string, summary: RunSummary): Containment {
  const marker = summary.agent_marker ?? '';
  const cgroup = summary.agent_cgroup && marker && isRunCgroupPath(summary.agent_cgroup, marker) ? summary.agent_cgroup : null;
  const dirs = [runDir, ...(summary.workspace ? [summary.workspace] : [])];
  const pgid = summary.agent_pgid ?? null;
  return { marker, cgroup, pgid, pgidTrusted: pgid !== null && isGroupWorkingIn(pgid, dirs) };
}

/** Stops every process left of a run whose dispatcher is gone or does not answer. */
export async function stopRecordedRun(runDir: string, summary: RunSummary, graceMs = 2_000): Promise<StopReport> {
  return stopContained(containmentOf(runDir, summary), graceMs);
}
