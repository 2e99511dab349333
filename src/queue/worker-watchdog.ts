import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { reconcileRun } from '../lifecycle/reconcile-run.js';
import { packageRoot } from '../package-info.js';
import { readRunSummary } from '../runs/read-run.js';

/**
 * Node has no prctl(PR_SET_PDEATHSIG), and a worker's agents run in process groups (and
 * cgroups) of their own, so a SIGKILLed worker would leave them working. Each worker
 * therefore starts a watchdog in a session of its own, holding a pipe from the worker: when
 * the pipe closes (the worker exited, however it died) the watchdog stops every process of
 * the worker's still-running runs (marker, cgroup, group, as `dispatch cancel` does) and
 * marks those runs abandoned. The job itself is recovered by BullMQ's stalled-job check.
 */
export function startWatchdog(runsDir: string): void {
  // Beside the tsc output, not the bundle's chunk (import.meta.url is a chunk's under bin/dispatch).
  const script = join(packageRoot, 'dist', 'queue', 'watchdog-main.js');
  const child = spawn(process.execPath, [script, runsDir, String(process.pid)], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  child.unref();
  // The pipe stays open for the worker's whole life; nothing is ever written to it.
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  child.stdin.on('error', () => undefined);
}

/** The watchdog's side: every run of `workerPid` still `running` is stopped and reconciled. */
export async function reconcileWorkerRuns(runsDir: string, workerPid: number): Promise<number> {
  let stopped = 0;
  const names = await readdir(runsDir).catch(() => [] as string[]);
  for (const name of names) {
    const dir = join(runsDir, name);
    // The dead worker may be a zombie for a moment: retry until its pid is really gone.
    for (let tries = 0; tries < 50; tries++) {
      const summary = await readRunSummary(dir);
      if (!summary || summary.status !== 'running' || summary.pid !== workerPid) break;
      if ((await reconcileRun(dir, summary)).status !== 'running') {
        stopped++;
        break;
      }
      await sleep(100);
    }
  }
  return stopped;
}
