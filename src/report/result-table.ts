import { formatDuration } from '../duration.js';

/** One member of a group in the final result table. */
export interface ResultRow {
  runId: string;
  executor: string;
  attempt: number;
  outcome: string;
  /** 'passed' | 'failed' | '-' */
  check: string;
  filesChanged: number;
  insertions: number;
  deletions: number;
  tokens: number | null;
  durationMs: number | null;
  winner: boolean;
}

const HEADERS = ['RUN', 'EXECUTOR', 'OUTCOME', 'CHECK', 'FILES', 'INS', 'DEL', 'TOKENS', 'TIME'];
const FIRST_NUMERIC_COLUMN = 4;
const WINNER_MARK = '* ';
const FALLBACK_SUFFIX = ' (fallback)';
const NO_MARK = '  ';

/** How much of each cell the table shows: full run ids first; narrower when that does not fit. */
interface CellStyle {
  shortIds: boolean;
  shortLabels: boolean;
}

const STYLES: CellStyle[] = [
  { shortIds: false, shortLabels: false },
  { shortIds: true, shortLabels: false },
  { shortIds: true, shortLabels: true },
];

/**
 * An aligned plain-text table of a group's runs, the winner marked with `*`, that fits in
 * `columns` (80 by default, a mail or a small terminal): when full run ids do not fit, the
 * RUN column shows their last 6 characters, which every command accepts as the id.
 */
export function renderResultTable(rows: ResultRow[], columns = DEFAULT_TABLE_COLUMNS): string {
  let lines: string[] = [];
  for (const style of STYLES) {
    lines = layoutTable(rows, style);
    if (Math.max(...lines.map((line) => line.length)) <= columns) break;
  }
  if (rows.some((row) => row.winner)) lines.push('', `${WINNER_MARK}winner`);
  return `${lines.join('\n')}\n`;
}

export const DEFAULT_TABLE_COLUMNS = 80;

function layoutTable(rows: ResultRow[], style: CellStyle): string[] {
  const body = rows.map((row) => toCells(row, style));
  const widths = HEADERS.map((header, column) => Math.max(header.length, ...body.map((cells) => (cells[column] ?? '').length)));
  const lines = [NO_MARK + alignCells(HEADERS, widths)];
  rows.forEach((row, index) => lines.push((row.winner ? WINNER_MARK : NO_MARK) + alignCells(body[index] ?? [], widths)));
  return lines;
}

/** Token counts for people: `850`, `12.3k`, `1.2M`. */
export function formatTokens(tokens: number): string {
  if (tokens < 1_000) return String(tokens);
  if (tokens < 1_000_000) return `${(tokens / 1_000).toFixed(1)}k`;
  return `${(tokens / 1_000_000).toFixed(1)}M`;
}

function toCells(row: ResultRow, style: CellStyle): string[] {
  const fallback = row.executor.endsWith(FALLBACK_SUFFIX);
  const executor = fallback ? row.executor.slice(0, -FALLBACK_SUFFIX.length) : row.executor;
  const mark = fallback ? (style.shortLabels ? ' fb' : FALLBACK_SUFFIX) : '';
  return [
    style.shortIds ? row.runId.slice(-6) : row.runId,
    `${executor}#${row.attempt}${mark}`,
    row.outcome,
    row.check,
    String(row.filesChanged),
    `+${row.insertions}`,
    `-${row.deletions}`,
    row.tokens === null ? '-' : formatTokens(row.tokens),
    row.durationMs === null ? '-' : formatDuration(row.durationMs),
  ];
}

function alignCells(cells: string[], widths: number[]): string {
  const padded = widths.map((width, column) => {
    const cell = cells[column] ?? '';
    return column >= FIRST_NUMERIC_COLUMN ? cell.padStart(width) : cell.padEnd(width);
  });
  return padded.join('  ').trimEnd();
}
