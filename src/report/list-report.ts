import { formatDuration } from '../duration.js';
import type { GroupRecord } from '../runs/group-record.js';
import type { RunSummary } from '../runs/summary.js';

/** One line of the `list` table: a run, its summary and the first line of its task. */
export interface RunTableRow {
  id: string;
  summary: RunSummary;
  task: string;
}

/** One line of the `list --groups` table. */
export interface GroupTableRow {
  id: string;
  record: GroupRecord;
}

const RUN_HEADERS = ['RUN', 'OUTCOME', 'EXECUTOR', 'REPO', 'STARTED', 'DURATION', 'CHANGES', 'TASK'];
const GROUP_HEADERS = ['GROUP', 'MODE', 'STATUS', 'RUNS', 'REPO', 'STARTED', 'DURATION', 'WINNER', 'TASK'];
const REPO_WIDTH = 24;
const TASK_WIDTH = 60;

/** An aligned table of runs, newest first, as `dispatch list` prints it. */
export function renderRunTable(rows: RunTableRow[], now: Date): string {
  return renderTable(RUN_HEADERS, rows.map((row) => runCells(row, now)));
}

/** An aligned table of groups, as `dispatch list --groups` prints it. */
export function renderGroupTable(rows: GroupTableRow[], now: Date): string {
  return renderTable(GROUP_HEADERS, rows.map((row) => groupCells(row, now)));
}

/** The line printed when nothing is listed: no runs at all, or none that match. */
export function renderEmptyListing(runsDir: string, total: number, noun: 'runs' | 'groups'): string {
  if (total === 0) return `no ${noun} yet in ${runsDir}\n`;
  return `no ${noun} match (${total} ${noun} in ${runsDir})\n`;
}

/** The hint after a table cut at --limit. */
export function renderMoreHint(shown: number, noun: 'runs' | 'groups'): string {
  return `(the newest ${shown} ${shown === 1 ? noun.slice(0, -1) : noun}; more with --limit N or --all)\n`;
}

/** When a run started, for people: an age within the last day (`5m ago`), else a local date and time. */
export function formatStarted(iso: string, now: Date): string {
  const started = Date.parse(iso);
  if (Number.isNaN(started)) return '-';
  const ageMs = now.getTime() - started;
  if (ageMs >= 0 && ageMs < 60_000) return `${Math.floor(ageMs / 1_000)}s ago`;
  if (ageMs >= 0 && ageMs < 3_600_000) return `${Math.floor(ageMs / 60_000)}m ago`;
  if (ageMs >= 0 && ageMs < 86_400_000) return `${Math.floor(ageMs / 3_600_000)}h ago`;
  const date = new Date(started);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A run's diffstat for a table cell: `+12 -3 / 2`, or `-` when it changed nothing. */
export function formatChanges(summary: Pick<RunSummary, 'changes' | 'files_changed' | 'insertions' | 'deletions'>): string {
  if (!summary.changes || summary.changes === 'none' || !summary.files_changed) return '-';
  return `+${summary.insertions} -${summary.deletions} / ${summary.files_changed}`;
}

/** Cuts text to `width` characters, marking the cut with `…`. */
export function truncate(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

function runCells(row: RunTableRow, now: Date): string[] {
  const { summary } = row;
  const labels = Object.entries(summary.labels ?? {}).map(([key, value]) => `${key}=${value}`).join(' ');
  return [
    row.id,
    summary.outcome ?? summary.status,
    summary.executor,
    truncate(summary.repo, REPO_WIDTH),
    formatStarted(summary.started, now),
    typeof summary.duration_ms === 'number' ? formatDuration(summary.duration_ms) : '-',
    formatChanges(summary),
    truncate(oneLine(row.task || labels), TASK_WIDTH),
  ];
}

function groupCells(row: GroupTableRow, now: Date): string[] {
  const { record } = row;
  const winner = record.members.find((member) => member.run_id !== null && member.run_id === record.winner);
  return [
    row.id,
    record.mode,
    record.status,
    String(record.members.filter((member) => member.run_id !== null).length),
    truncate(`${record.repo}`, REPO_WIDTH),
    formatStarted(record.started, now),
    typeof record.duration_ms === 'number' ? formatDuration(record.duration_ms) : '-',
    winner ? `${winner.executor}#${winner.attempt}` : '-',
    truncate(oneLine(`${record.task ?? ''}`), TASK_WIDTH),
  ];
}

function oneLine(text: string): string {
  return (text.split('\n').find((line) => line.trim() !== '') ?? '').trim();
}

function renderTable(headers: string[], body: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...body.map((cells) => (cells[column] ?? '').length)));
  const align = (cells: string[]) => widths.map((width, column) => (cells[column] ?? '').padEnd(width)).join('  ').trimEnd();
  return `${[headers, ...body].map(align).join('\n')}\n`;
}
