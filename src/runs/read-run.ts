import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '../process/process-identity.js';
import { writeJsonAtomically } from './atomic-write.js';
import type { GroupRecord } from './group-record.js';
import { settleRunningSummary } from './run-settler.js';
import type { RunSummary } from './summary.js';

/**
 * Reads a run's summary.json; a run whose dispatcher died is marked abandoned on the way
 * (DESIGN §2) by the installed settler (run-settler.ts). Returns null when the directory holds no readable summary.
 */
export async function readRunSummary(runDir: string): Promise<RunSummary | null> {
  let summary: RunSummary;
  try {
    summary = JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
  } catch {
    return null;
  }
  return summary.status === 'running' ? settleRunningSummary(runDir, summary) : summary;
}

/**
 * Reads a group's group.json, or null. A `running` group whose dispatcher died is marked
 * abandoned, its members reconciled on the way.
 */
export async function readGroupRecord(groupDir: string): Promise<GroupRecord | null> {
  let record: GroupRecord;
  try {
    record = JSON.parse(await readFile(join(groupDir, 'group.json'), 'utf8')) as GroupRecord;
  } catch {
    return null;
  }
  if (record.status !== 'running' || record.host !== hostname() || isProcessAlive(record.pid, record.pid_start)) return record;
  for (const member of record.members) {
    const summary = member.run_dir ? await readRunSummary(member.run_dir) : null;
    if (summary) Object.assign(member, { state: 'done', status: summary.status, outcome: summary.outcome });
    else if (member.state !== 'done') member.state = 'not_started';
  }
  const abandoned: GroupRecord = { ...record, status: 'abandoned', completed: new Date().toISOString() };
  await writeJsonAtomically(join(groupDir, 'group.json'), abandoned);
  return abandoned;
}
