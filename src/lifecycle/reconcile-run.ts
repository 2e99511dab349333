import { existsSync } from 'node:fs';
import { appendFile, readFile, truncate } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '../process/process-identity.js';
import { captureChanges, parseNumstat } from '../repos/capture-diff.js';
import { runGit } from '../repos/git.js';
import { removeDeadTempFiles, writeFileAtomically, writeJsonAtomically } from '../runs/atomic-write.js';
import type { RunSummary } from '../runs/summary.js';
import { releaseReserve } from '../runs/disk-reserve.js';
import { stopRecordedRun } from './stop-recorded-run.js';

/**
 * A `running` summary whose dispatcher died (kill -9, reboot) becomes `abandoned`: every
 * process the agent left is stopped (found by the marker and cgroup recorded before it
 * started), the diff is captured, temp files of interrupted writes are removed, and
 * summary.json is rewritten. Returns the summary as it now stands. Runs of other hosts are
 * left alone.
 */
export async function reconcileRun(runDir: string, summary: RunSummary, now = new Date()): Promise<RunSummary> {
  if (summary.status !== 'running' || summary.host !== hostname() || isProcessAlive(summary.pid, summary.pid_start)) return summary;
  // Read again: the dispatcher may have finished between our read and the liveness check.
  const fresh = JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
  if (fresh.status !== 'running') return fresh;
  const stop = await stopRecordedRun(runDir, fresh);
  removeDeadTempFiles(runDir);
  await releaseReserve(runDir);
  const counts = await captureDiff(runDir, fresh);
  const abandoned: RunSummary = {
    ...fresh,
    ...counts,
    status: 'abandoned',
    outcome: 'abandoned',
    completed: now.toISOString(),
    duration_ms: now.getTime() - Date.parse(fresh.started),
    agent_pgid: null,
    error: { kind: 'abandoned', message: `the dispatcher (pid ${fresh.pid}) died before the run finished; partial output kept` },
    warnings: [...fresh.warnings, ...(stop.found > 0 ? [`stopped ${stop.found} process(es) the agent left running`] : [])],
  };
  await writeJsonAtomically(join(runDir, 'summary.json'), abandoned);
  const event = { ts: now.toISOString(), type: 'run.finished', status: 'abandoned', outcome: 'abandoned', exit_code: null };
  const events = join(runDir, 'events.jsonl');
  await dropPartialLine(events);
  await appendFile(events, `${JSON.stringify(event)}\n`);
  return abandoned;
}

/** A dispatcher killed mid-write leaves half a line at the end of events.jsonl: cut it, so every line parses. */
export async function dropPartialLine(path: string): Promise<void> {
  let text: Buffer;
  try {
    text = await readFile(path);
  } catch {
    return;
  }
  if (text.length === 0 || text[text.length - 1] === 0x0a) return;
  await truncate(path, text.lastIndexOf(0x0a) + 1);
}

type DiffCounts = Pick<RunSummary, 'files_changed' | 'insertions' | 'deletions'> & Partial<Pick<RunSummary, 'after_sha' | 'after_tree' | 'changes'>>;

/**
 * The counts the abandoned summary gives, always those of its diff.patch: captured afresh
 * from the workspace when there is one (the agent is stopped: it is final), else read
 * from the diff.patch the dead dispatcher had written.
 */
async function captureDiff(runDir: string, summary: RunSummary): Promise<DiffCounts> {
  const patchPath = join(runDir, 'diff.patch');
  const workspace = summary.workspace;
  if (summary.before_sha && workspace && existsSync(workspace)) {
    try {
      const captured = await captureChanges(workspace, summary.before_sha);
      await writeFileAtomically(patchPath, captured.patch);
      return {
        after_sha: captured.afterSha,
        after_tree: captured.afterTree,
        changes: captured.changes,
        files_changed: captured.filesChanged,
        insertions: captured.insertions,
        deletions: captured.deletions,
      };
    } catch {
      // a broken workspace: fall back on the patch, if any
    }
  }
  if (!existsSync(patchPath)) return { files_changed: 0, insertions: 0, deletions: 0 };
  const numstat = await runGit(['apply', '--numstat', '--', patchPath], { cwd: runDir, allowFailure: true });
  const stat = parseNumstat(numstat.stdout);
  return { files_changed: stat.filesChanged, insertions: stat.insertions, deletions: stat.deletions };
}
