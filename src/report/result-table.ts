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
const NO_MARK = '  ';

/** An aligned plain-text table of a group's runs, the winner marked with `*`. */
export function renderResultTable(rows: ResultRow[]): string {
  const body = rows.map(toCells);
  const widths = HEADERS.map((header, column) => Math.max(header.length, ...body.map((cells) => (cells[column] ?? '').length)));
  const lines = [NO_MARK + alignCells(HEADERS, widths)];
  rows.forEach((row, index) => lines.push((row.winner ? WINNER_MARK : NO_MARK) + alignCells(body[index] ?? [], widths)));
  if (rows.some((row) => row.winner)) lines.push('', `${WINNER_MARK}winner`);
  return `${lines.join('\n')}\n`;
}

/** Token counts for people: `850`, `12.3k`, `1.2M`. */
export function formatTokens(tokens: number): string {
  if (tokens < 1_000) return String(tokens);
  if (tokens < 1_000_000) return `${(tokens / 1_000).toFixed(1)}k`;
  return `${(tokens / 1_000_000).toFixed(1)}M`;
}

function toCells(row: ResultRow): string[] {
  return [
    row.runId,
    `${row.executor}#${row.attempt}`,
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
