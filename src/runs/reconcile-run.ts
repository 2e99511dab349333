import { existsSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { terminateGroup } from '../process/process-group.js';
import { isGroupWorkingIn, isProcessAlive } from '../process/process-identity.js';
import { captureChanges } from '../repos/capture-diff.js';
import { writeFileAtomically, writeJsonAtomically } from './atomic-write.js';
import type { RunSummary } from './summary.js';

/**
 * A `running` summary whose dispatcher died (kill -9, reboot) becomes `abandoned`: any agent
 * group it left is killed, the partial diff is captured, and summary.json is rewritten.
 * Returns the summary as it now stands. Runs of other hosts are left alone.
 */
export async function reconcileRun(runDir: string, summary: RunSummary, now = new Date()): Promise<RunSummary> {
  if (summary.status !== 'running' || summary.host !== hostname() || isProcessAlive(summary.pid, summary.pid_start)) return summary;
  // Read again: the dispatcher may have finished between our read and the liveness check.
  const fresh = JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
  if (fresh.status !== 'running') return fresh;
  const dirs = [runDir, ...(fresh.workspace ? [fresh.workspace] : [])];
  if (fresh.agent_pgid !== null && isGroupWorkingIn(fresh.agent_pgid, dirs)) await terminateGroup(fresh.agent_pgid, 2_000);
  await captureIfMissing(runDir, fresh);
  const abandoned: RunSummary = {
    ...fresh,
    status: 'abandoned',
    outcome: 'abandoned',
    completed: now.toISOString(),
    duration_ms: now.getTime() - Date.parse(fresh.started),
    agent_pgid: null,
    error: { kind: 'abandoned', message: `the dispatcher (pid ${fresh.pid}) died before the run finished; partial output kept` },
  };
  await writeJsonAtomically(join(runDir, 'summary.json'), abandoned);
  const event = { ts: now.toISOString(), type: 'run.finished', status: 'abandoned', outcome: 'abandoned', exit_code: null };
  await appendFile(join(runDir, 'events.jsonl'), `${JSON.stringify(event)}\n`);
  return abandoned;
}

async function captureIfMissing(runDir: string, summary: RunSummary): Promise<void> {
  const workspace = summary.workspace;
  if (existsSync(join(runDir, 'diff.patch')) || !summary.before_sha || !workspace || !existsSync(workspace)) return;
  try {
    const captured = await captureChanges(workspace, summary.before_sha);
    await writeFileAtomically(join(runDir, 'diff.patch'), captured.patch);
    Object.assign(summary, {
      after_sha: captured.afterSha,
      changes: captured.changes,
      files_changed: captured.filesChanged,
      insertions: captured.insertions,
      deletions: captured.deletions,
    });
  } catch {
    // a broken workspace: the summary still says abandoned
  }
}
