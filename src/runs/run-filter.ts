import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import { OUTCOMES, RUN_STATUSES, type Outcome, type RunStatus, type RunSummary } from './summary.js';
import { parseEntryId, parseRunId, type RunIdParts } from './run-id.js';

/** What `dispatch list` selects; an undefined field does not filter. */
export interface RunQuery {
  executors?: string[];
  status?: RunStatus;
  outcome?: Outcome;
  /** Substring of summary.repo or repo_url, case-insensitive. */
  repo?: string;
  since?: Date;
  /** All must match. */
  labels: Record<string, string>;
  /** null: no limit. */
  limit: number | null;
}


/** The summary fields that summary-based filters need (also one line of runs/.index.jsonl). */
export interface RunFields {
  run_id: string;
  status: string;
  outcome: string | null;
  repo: string;
  repo_url: string;
  labels: Record<string, string>;
}

/** The flags of `dispatch list` that select runs, as typed. */
export type { RunIdParts };

export interface RunQueryFlags {
  executor?: string;
  status?: string;
  outcome?: string;
  repo?: string;
  since?: string;
  labels: Record<string, string>;
  limit: number | null;
}


/** The runs (or the groups) among directory names, junk left out, newest first. */
export function sortRunIds(names: string[], kind: 'run' | 'group' = 'run'): RunIdParts[] {
  return names
    .map(kind === 'run' ? parseRunId : parseEntryId)
    .filter((parts): parts is RunIdParts => parts !== null && (kind === 'run' || parts.executor === 'group'))
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** Keeps the runs whose ids pass the query's id filters (executor, since), in their order. */
export function filterByIdParts(runs: RunIdParts[], query: RunQuery): RunIdParts[] {
  // Ids hold the start second only: compare with the cutoff's second so a run started in it counts.
  const sinceMs = query.since ? Math.floor(query.since.getTime() / 1_000) * 1_000 : -Infinity;
  return runs.filter((run) => run.startedMs >= sinceMs && (!query.executors || query.executors.includes(run.executor)));
}

/** The candidate runs among directory names, newest first, filtered on what their ids tell. */
export function selectCandidates(names: string[], query: RunQuery): RunIdParts[] {
  return filterByIdParts(sortRunIds(names), query);
}

/** Where a batch ending at `end` must end instead so that runs of one start second are read together. */
export function extendToSameSecond(runs: RunIdParts[], end: number): number {
  const last = runs[end - 1];
  let extended = end;
  while (last && runs[extended]?.startedMs === last.startedMs) extended += 1;
  return extended;
}

/** Newest first: by the id's start second, then by the summary's exact start, then by id. */
export function compareNewestFirst(a: { parts: RunIdParts; started: string }, b: { parts: RunIdParts; started: string }): number {
  if (a.parts.startedMs !== b.parts.startedMs) return b.parts.startedMs - a.parts.startedMs;
  const byStart = (Date.parse(b.started) || 0) - (Date.parse(a.started) || 0);
  if (byStart !== 0) return byStart;
  return a.parts.id < b.parts.id ? 1 : a.parts.id > b.parts.id ? -1 : 0;
}

/** Whether the query filters on summary fields (so summaries, or the index, must be read). */
export function needsSummaryFields(query: RunQuery): boolean {
  return query.status !== undefined || query.outcome !== undefined || query.repo !== undefined || Object.keys(query.labels).length > 0;
}

/** Whether a run's summary fields satisfy the query's summary filters. */
export function matchesFields(fields: RunFields, query: RunQuery): boolean {
  if (query.status !== undefined && fields.status !== query.status) return false;
  if (query.outcome !== undefined && fields.outcome !== query.outcome) return false;
  if (query.repo !== undefined && !matchesRepo(fields, query.repo)) return false;
  const labels = fields.labels ?? {};
  return Object.entries(query.labels).every(([key, value]) => labels[key] === value);
}

/** `--repo`: a case-insensitive substring of the repo as given or of its URL. */
export function matchesRepo(fields: { repo: string; repo_url: string }, needle: string): boolean {
  const lower = needle.toLowerCase();
  return `${fields.repo}`.toLowerCase().includes(lower) || `${fields.repo_url}`.toLowerCase().includes(lower);
}

/** The small fields of a summary kept in the index. */
export function fieldsOf(summary: RunSummary): RunFields {
  const { run_id, status, outcome, repo, repo_url, labels } = summary;
  return { run_id, status, outcome, repo, repo_url, labels: labels ?? {} };
}

/** Whether parsed JSON looks enough like a summary to list (hand-edited or foreign files are skipped). */
export function isListableSummary(value: unknown): value is RunSummary {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.run_id === 'string' && typeof record.status === 'string' && typeof record.started === 'string'
    && typeof record.repo === 'string';
}

/** Validates the flags of `dispatch list` into a query; every bad value is a UsageError (exit 2). */
export function parseRunQuery(flags: RunQueryFlags, now: Date): RunQuery {
  const query: RunQuery = { labels: flags.labels, limit: flags.limit };
  if (flags.executor !== undefined) query.executors = parseExecutors(flags.executor);
  if (flags.status !== undefined) query.status = parseChoice('--status', flags.status, RUN_STATUSES);
  if (flags.outcome !== undefined) query.outcome = parseChoice('--outcome', flags.outcome, OUTCOMES);
  if (flags.repo !== undefined) query.repo = flags.repo;
  if (flags.since !== undefined) query.since = parseSince(flags.since, now);
  return query;
}

/** `--since`: a duration back from now (`2d`, `12h`) or a date (`2026-01-31`, ISO 8601). */
export function parseSince(text: string, now: Date): Date {
  const ms = parseDuration(text);
  if (ms !== undefined && ms > 0) return new Date(now.getTime() - ms);
  const date = /^\d{4}-\d\d-\d\d/.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (Number.isNaN(date)) {
    throw new UsageError(`invalid --since '${text}'`, 'use a duration back from now (2d, 12h, 90m) or a date (2026-01-31, 2026-01-31T08:00Z)');
  }
  return new Date(date);
}

function parseExecutors(text: string): string[] {
  const names = text.split(',').map((name) => name.trim().toLowerCase());
  if (names.some((name) => !/^[a-z0-9]+$/.test(name))) {
    throw new UsageError(`invalid --executor '${text}'`, 'use an executor name (codex, claude) or a comma list');
  }
  return names;
}

function parseChoice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`invalid ${flag} '${value}'`, `use one of: ${choices.join(', ')}`);
}
