import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { TimedEvent } from '../../events.js';
import { UsageError } from '../../errors.js';
import { resolveRunRef } from '../../runs/find-run.js';
import type { GroupRecord } from '../../runs/group-record.js';
import { readGroupRecord, readRunSummary } from '../../runs/read-run.js';
import { runPaths } from '../../runs/run-dir.js';
import type { RunSummary } from '../../runs/summary.js';
import { parseEventLine } from '../event-format.js';

/** A file shown in part: its text (maybe cut), its size, and where the whole of it is. */
export interface ShownFile {
  text: string;
  bytes: number;
  cut: boolean;
  path: string;
}

/** Everything the report shows of one run, read from its directory. */
export interface RunInput {
  id: string;
  dir: string;
  summary: RunSummary;
  task: string;
  events: TimedEvent[];
  patch: ShownFile | null;
  checkLog: ShownFile | null;
}

export type ReportInput =
  | { kind: 'group'; id: string; dir: string; record: GroupRecord; runs: RunInput[] }
  | { kind: 'run'; id: string; dir: string; run: RunInput };

/** The diff text a report embeds, at most (the rest is named, not shown). */
export const PATCH_SHOWN_BYTES = 1024 * 1024;
/** The end of check.log a report shows, at most. */
export const LOG_SHOWN_BYTES = 64 * 1024;

/**
 * Reads what a report of `ref` needs: a group and its started members, or one run.
 * `latest` is the newest run, or its group when it belongs to one.
 */
export async function readReportInput(runsDir: string, ref: string): Promise<ReportInput> {
  const found = resolveRunRef(runsDir, ref);
  if (found.kind === 'run') {
    const run = await readRunInput(found.dir, found.id);
    if (ref === 'latest' && run.summary.group_id) return readGroupInput(runsDir, run.summary.group_id);
    return { kind: 'run', id: found.id, dir: found.dir, run };
  }
  return readGroupInput(runsDir, found.id);
}

async function readGroupInput(runsDir: string, groupId: string): Promise<ReportInput> {
  const dir = join(runsDir, groupId);
  const record = await readGroupRecord(dir);
  if (!record || !Array.isArray(record.members)) throw new UsageError(`group ${groupId} has no readable group.json`, 'it may still be starting, or was pruned');
  const runs: RunInput[] = [];
  for (const member of record.members) {
    if (member.run_id === null) continue;
    const run = await readRunInput(member.run_dir ?? join(runsDir, member.run_id), member.run_id).catch(() => null);
    if (run) runs.push(run);
  }
  return { kind: 'group', id: groupId, dir, record, runs };
}

async function readRunInput(dir: string, id: string): Promise<RunInput> {
  const summary = await readRunSummary(dir);
  if (!summary) throw new UsageError(`run ${id} has no readable summary.json`, `look into ${dir}`);
  const paths = runPaths(join(dir, '..'), id);
  const [task, events, patch, checkLog] = await Promise.all([
    readFile(paths.task, 'utf8').catch(() => ''),
    readEvents(paths.events),
    readHead(paths.diff, PATCH_SHOWN_BYTES),
    readTail(paths.checkLog, LOG_SHOWN_BYTES),
  ]);
  return { id, dir, summary, task, events, patch, checkLog };
}

async function readEvents(path: string): Promise<TimedEvent[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').flatMap((line) => {
    const event = line.trim() === '' ? undefined : parseEventLine(line);
    return event ? [event] : [];
  });
}

/** The first `maxBytes` of a file (a patch is cut at a file boundary later), or null when it is missing. */
async function readHead(path: string, maxBytes: number): Promise<ShownFile | null> {
  return readPart(path, maxBytes, 'head');
}

/** The last `maxBytes` of a file (a log's end says why it failed), or null when it is missing. */
async function readTail(path: string, maxBytes: number): Promise<ShownFile | null> {
  return readPart(path, maxBytes, 'tail');
}

async function readPart(path: string, maxBytes: number, end: 'head' | 'tail'): Promise<ShownFile | null> {
  let bytes: number;
  try {
    bytes = (await stat(path)).size;
  } catch {
    return null;
  }
  const length = Math.min(bytes, maxBytes);
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, end === 'head' ? 0 : bytes - length);
    // A cut may split a UTF-8 sequence: the decoder's replacement character marks it, harmlessly.
    return { text: buffer.toString('utf8'), bytes, cut: length < bytes, path };
  } finally {
    await handle.close();
  }
}
