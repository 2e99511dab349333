import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GroupRecord } from './group-record.js';
import { reconcileRun } from './reconcile-run.js';
import type { RunSummary } from './summary.js';

/**
 * Reads a run's summary.json; a run whose dispatcher died is marked abandoned on the way
 * (DESIGN §2). Returns null when the directory holds no readable summary.
 */
export async function readRunSummary(runDir: string): Promise<RunSummary | null> {
  let summary: RunSummary;
  try {
    summary = JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
  } catch {
    return null;
  }
  return summary.status === 'running' ? reconcileRun(runDir, summary) : summary;
}

/** Reads a group's group.json, or null. */
export async function readGroupRecord(groupDir: string): Promise<GroupRecord | null> {
  try {
    return JSON.parse(await readFile(join(groupDir, 'group.json'), 'utf8')) as GroupRecord;
  } catch {
    return null;
  }
}
