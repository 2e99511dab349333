import { readFileSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InfraError } from '../errors.js';
import { resolveRunRef } from './find-run.js';
import type { GroupMember, GroupRecord } from './group-record.js';
import { readGroupRecord, readRunSummary } from './read-run.js';
import {
  compareNewestFirst,
  extendToSameSecond,
  fieldsOf,
  filterByIdParts,
  isListableSummary,
  matchesFields,
  matchesRepo,
  needsSummaryFields,
  sortRunIds,
  type RunFields,
  type RunIdParts,
  type RunQuery,
} from './run-filter.js';
import { appendRunIndex, compactRunIndex, readRunIndex, type RunIndex } from './run-index.js';
import type { RunSummary } from './summary.js';

/** One run found by `list`: its id, directory and summary (abandoned runs already reconciled). */
export interface ListedRun {
  id: string;
  dir: string;
  summary: RunSummary;
}

/** A started scan: how many runs runs/ holds, the matching runs newest first, and whether it stopped at the limit. */
export interface RunScan {
  total: number;
  runs: AsyncGenerator<ListedRun>;
  hasMore: () => boolean;
}

const MAX_BATCH = 64;
const MIN_FILTERED_BATCH = 16;
const TASK_TITLE_BYTES = 4_096;

/**
 * Runs matching the query, newest first. Order, --executor and --since come from the
 * directory names alone; summaries are read newest first, a batch at a time, only until
 * the limit is met. Summary filters skip runs by runs/.index.jsonl when it knows them.
 */
export async function scanRuns(runsDir: string, query: RunQuery): Promise<RunScan> {
  const all = sortRunIds(await readEntryNames(runsDir));
  const candidates = filterByIdParts(all, query);
  const index = needsSummaryFields(query) ? await readRunIndex(runsDir) : null;
  const pending = index ? candidates.filter((run) => isPossibleMatch(index, run, query)) : candidates;
  const state = { consumed: 0, pending: pending.length };
  const onDone = async (learned: RunFields[]) => {
    if (!index) return;
    await appendRunIndex(runsDir, index, learned);
    await compactRunIndex(runsDir, index, () => new Set(all.map((run) => run.id)));
  };
  return {
    total: all.length,
    runs: readMatchingRuns(runsDir, pending, query, index, state, onDone),
    hasMore: () => state.consumed < state.pending,
  };
}

/** The first page of a listing, with each run's task title (first line of task.md). */
export async function listRuns(runsDir: string, query: RunQuery): Promise<{ total: number; more: boolean; runs: (ListedRun & { task: string })[] }> {
  const scan = await scanRuns(runsDir, query);
  const runs: ListedRun[] = [];
  for await (const run of scan.runs) runs.push(run);
  const titles = await Promise.all(runs.map((run) => readTaskTitle(run.dir)));
  return { total: scan.total, more: scan.hasMore(), runs: runs.map((run, i) => ({ ...run, task: titles[i] ?? '' })) };
}

async function* readMatchingRuns(
  runsDir: string,
  pending: RunIdParts[],
  query: RunQuery,
  index: RunIndex | null,
  state: { consumed: number },
  onDone: (learned: RunFields[]) => Promise<void>,
): AsyncGenerator<ListedRun> {
  const learned: RunFields[] = [];
  let found = 0;
  try {
    while (state.consumed < pending.length) {
      const end = extendToSameSecond(pending, state.consumed + batchSize(query, found));
      for (const { parts, summary } of await readBatch(runsDir, pending.slice(state.consumed, end))) {
        state.consumed += 1;
        if (!summary) continue;
        if (index && !index.entries.has(parts.id)) learned.push({ ...fieldsOf(summary), run_id: parts.id });
        if (!matchesFields(fieldsOf(summary), query)) continue;
        yield { id: parts.id, dir: join(runsDir, parts.id), summary };
        found += 1;
        if (query.limit !== null && found >= query.limit) return;
      }
    }
  } finally {
    await onDone(learned);
  }
}

/** Reads a batch of summaries, in list order (runs of one second by their exact start); unreadable ones last. */
async function readBatch(runsDir: string, batch: RunIdParts[]): Promise<{ parts: RunIdParts; summary: RunSummary | null }[]> {
  const read: { parts: RunIdParts; summary: RunSummary | null }[] = [];
  for (const parts of batch) read.push({ parts, summary: await readListableSummary(join(runsDir, parts.id)) });
  const byOrder = (x: (typeof read)[number], y: (typeof read)[number]) =>
    compareNewestFirst({ parts: x.parts, started: x.summary?.started ?? '' }, { parts: y.parts, started: y.summary?.started ?? '' });
  return read.sort(byOrder);
}

/** How many summaries to read at once: just the rest of the page when nothing can be skipped. */
function batchSize(query: RunQuery, found: number): number {
  const rest = query.limit === null ? MAX_BATCH : query.limit - found;
  const size = needsSummaryFields(query) ? Math.max(rest, MIN_FILTERED_BATCH) : rest;
  return Math.max(1, Math.min(size, MAX_BATCH));
}

/** An index entry rules a run out only when it is there and does not match. */
function isPossibleMatch(index: RunIndex, run: RunIdParts, query: RunQuery): boolean {
  const entry = index.entries.get(run.id);
  return !entry || matchesFields(entry, query);
}

/**
 * A run's summary, or null for a missing, corrupt or foreign file. Finished summaries are read
 * synchronously: over thousands of small files that is ~5x faster than fs.promises (measured,
 * 10,000 summaries: 180 ms against 870 ms on 2 cores). Running ones go through readRunSummary,
 * which marks a dead dispatcher's run abandoned.
 */
async function readListableSummary(dir: string): Promise<RunSummary | null> {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as unknown;
    if (!isListableSummary(parsed)) return null;
    if (parsed.status !== 'running') return parsed;
    const summary = await readRunSummary(dir);
    return isListableSummary(summary) ? summary : null;
  } catch {
    return null;
  }
}

async function readEntryNames(runsDir: string): Promise<string[]> {
  try {
    return await readdir(runsDir);
  } catch {
    return [];
  }
}

/** The first non-empty line of task.md (read from its first few KiB only), or ''. */
export async function readTaskTitle(dir: string): Promise<string> {
  try {
    const file = await open(join(dir, 'task.md'), 'r');
    try {
      const { buffer, bytesRead } = await file.read(Buffer.alloc(TASK_TITLE_BYTES), 0, TASK_TITLE_BYTES, 0);
      const text = buffer.subarray(0, bytesRead).toString('utf8');
      return text.split('\n').map((line) => line.trim()).find((line) => line !== '') ?? '';
    } finally {
      await file.close();
    }
  } catch {
    return '';
  }
}

/** One group found by `list --groups`. */
export interface ListedGroup {
  id: string;
  dir: string;
  record: GroupRecord;
}

/** Groups newest first (--since and --repo apply; run filters do not), reading group.json until the limit. */
export async function listGroups(runsDir: string, query: RunQuery): Promise<{ total: number; more: boolean; groups: ListedGroup[] }> {
  const all = sortRunIds(await readEntryNames(runsDir), 'group');
  const candidates = filterByIdParts(all, { labels: {}, limit: null, ...(query.since ? { since: query.since } : {}) });
  const groups: ListedGroup[] = [];
  let consumed = 0;
  for (const candidate of candidates) {
    if (query.limit !== null && groups.length >= query.limit) break;
    consumed += 1;
    const dir = join(runsDir, candidate.id);
    const record = await readGroupRecord(dir);
    if (!record || !Array.isArray(record.members)) continue;
    if (query.repo !== undefined && !matchesRepo(record, query.repo)) continue;
    groups.push({ id: candidate.id, dir, record });
  }
  return { total: all.length, more: consumed < candidates.length, groups };
}

/** What `show` displays: a run's summary or a group's record, abandoned runs reconciled. */
export type ShownEntry = ({ kind: 'run'; summary: RunSummary } | { kind: 'group'; record: GroupRecord }) & { id: string; dir: string };

/** Resolves a run or group reference (`latest`, id, prefix, suffix) and reads what it records. */
export async function loadEntry(runsDir: string, ref: string): Promise<ShownEntry> {
  const found = resolveRunRef(runsDir, ref);
  if (found.kind === 'run') {
    const summary = await readListableSummary(found.dir);
    if (!summary) throw new InfraError(`run ${found.id} has no readable summary.json`, `look into ${found.dir}`);
    return { kind: 'run', id: found.id, dir: found.dir, summary };
  }
  const record = await readGroupRecord(found.dir);
  if (!record || !Array.isArray(record.members)) throw new InfraError(`group ${found.id} has no readable group.json`, `look into ${found.dir}`);
  const members = record.status === 'running' ? await Promise.all(record.members.map(reconcileMember)) : record.members;
  return { kind: 'group', id: found.id, dir: found.dir, record: { ...record, members } };
}

/** A member still marked running in group.json, as its own (reconciled) summary now stands. */
async function reconcileMember(member: GroupMember): Promise<GroupMember> {
  if (member.state !== 'running' || !member.run_dir) return member;
  const summary = await readListableSummary(member.run_dir);
  if (!summary || summary.status === 'running') return member;
  const { status, outcome, exit_code, dispatch_exit_code, files_changed, insertions, deletions, duration_ms } = summary;
  const dispatchCode = dispatch_exit_code ?? member.exit_code;
  return {
    ...member, state: 'done', status, outcome, exit_code: dispatchCode, dispatch_exit_code: dispatchCode, agent_exit_code: exit_code,
    files_changed, insertions, deletions, duration_ms,
  };
}
