import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from './atomic-write.js';
import type { RunFields } from './run-filter.js';

/**
 * runs/.index.jsonl: a cache of FINISHED runs' filterable fields, so `list --status/--outcome/
 * --repo/--label` need not open every summary.json. Readers build it as they go (append-only,
 * one JSON line per run). It is never the truth: an entry counts only while its run directory
 * exists (callers look entries up by the ids they found with readdir), running runs are never
 * in it, and a missing, torn or corrupt line just means that summary is read again.
 */
export const RUN_INDEX_FILE = '.index.jsonl';

const COMPACT_MIN_LINES = 1_000;

/** Entries by run id, the number of lines the file holds (to decide when to compact), and whether its last line is torn. */
export interface RunIndex {
  entries: Map<string, RunFields>;
  lines: number;
  torn: boolean;
}

/** Reads the index; an absent or unreadable file is an empty index. */
export async function readRunIndex(runsDir: string): Promise<RunIndex> {
  const entries = new Map<string, RunFields>();
  let text: string;
  try {
    text = await readFile(join(runsDir, RUN_INDEX_FILE), 'utf8');
  } catch {
    return { entries, lines: 0, torn: false };
  }
  let lines = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    lines += 1;
    const entry = parseEntry(line);
    if (entry) entries.set(entry.run_id, entry);
  }
  return { entries, lines, torn: text !== '' && !text.endsWith('\n') };
}

/**
 * Appends entries of finished runs (after a newline if a crash tore the last line) and adds them
 * to `index` in memory; a read-only runs/ keeps the file as it was.
 */
export async function appendRunIndex(runsDir: string, index: RunIndex, entries: RunFields[]): Promise<void> {
  const finished = entries.filter((entry) => entry.status !== 'running');
  if (finished.length === 0) return;
  const text = finished.map((entry) => `${JSON.stringify(entry)}\n`).join('');
  for (const entry of finished) index.entries.set(entry.run_id, entry);
  try {
    await appendFile(join(runsDir, RUN_INDEX_FILE), index.torn ? `\n${text}` : text);
    index.lines += finished.length;
    index.torn = false;
  } catch {
    // a cache: failing to write it costs reads later, nothing else
  }
}

/**
 * Rewrites the index without entries of deleted runs and duplicates once they are most of it.
 * A line another reader appends meanwhile may be lost; it is only a cache miss.
 */
export async function compactRunIndex(runsDir: string, index: RunIndex, listLiveIds: () => ReadonlySet<string>): Promise<void> {
  if (index.lines < COMPACT_MIN_LINES) return;
  const liveIds = listLiveIds();
  const live = [...index.entries.values()].filter((entry) => liveIds.has(entry.run_id));
  if (index.lines < 2 * live.length) return;
  try {
    await writeFileAtomically(join(runsDir, RUN_INDEX_FILE), live.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
  } catch {
    // left as it was
  }
}

function parseEntry(line: string): RunFields | null {
  try {
    const value = JSON.parse(line) as Partial<RunFields> | null;
    if (!value || typeof value.run_id !== 'string' || typeof value.status !== 'string' || value.status === 'running') return null;
    if (typeof value.repo !== 'string' || typeof value.repo_url !== 'string') return null;
    if (typeof value.labels !== 'object' || value.labels === null) return null;
    const outcome = typeof value.outcome === 'string' ? value.outcome : null;
    return { run_id: value.run_id, status: value.status, outcome, repo: value.repo, repo_url: value.repo_url, labels: value.labels };
  } catch {
    return null;
  }
}
