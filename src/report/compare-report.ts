import { compareChanges, parseChanges, type ChangeSet } from '../modes/diff-similarity.js';
import type { GroupMember, GroupRecord } from '../runs/group-record.js';
import { renderResultTable, type ResultRow } from './result-table.js';
import { memberResultRow } from './group-report.js';

/** One member of a compared group: its group.json numbers plus the files its diff touched. */
export type ComparedMember = Pick<
  GroupMember,
  | 'executor'
  | 'attempt'
  | 'outcome'
  | 'check_passed'
  | 'files_changed'
  | 'insertions'
  | 'deletions'
  | 'tokens'
  | 'cost_usd'
  | 'duration_ms'
  | 'fallback_of'
> & {
  run_id: string;
  label: string;
  winner: boolean;
  /** false when the run has no diff.patch (still running, or failed before capture) */
  has_diff: boolean;
  files: string[];
};

/** What `dispatch compare` shows, and prints with --json. */
export interface Comparison {
  group_id: string;
  mode: string;
  status: string;
  members: ComparedMember[];
  /** every touched path, sorted, with the labels of the members that touched it */
  files: { path: string; members: string[] }[];
  /** pairwise diff similarity in [0, 1], in member order; null where a member has no diff */
  similarity: (number | null)[][];
  winner: string | null;
  winner_reason: string | null;
  not_started: number;
}

const CHECK = '✓';
const DEFAULT_COLUMNS = 100;
const GIT_HEADER = 'diff --git ';

/** Builds the comparison from group.json and each member's diff.patch text (by run id). */
export function buildComparison(record: GroupRecord, patches: ReadonlyMap<string, string>): Comparison {
  const started = record.members.filter((member) => member.run_id !== null);
  const members = started.map((member): ComparedMember => {
    const runId = member.run_id ?? member.key;
    const patch = patches.get(runId);
    return {
      run_id: runId,
      label: member.key,
      executor: member.executor,
      attempt: member.attempt,
      outcome: member.outcome,
      check_passed: member.check_passed,
      files_changed: member.files_changed,
      insertions: member.insertions,
      deletions: member.deletions,
      tokens: member.tokens,
      cost_usd: member.cost_usd,
      duration_ms: member.duration_ms,
      fallback_of: member.fallback_of,
      winner: runId === record.winner,
      has_diff: patch !== undefined,
      files: patch === undefined ? [] : touchedFiles(patch),
    };
  });
  const changeSets = members.map((member) => {
    const patch = patches.get(member.run_id);
    return patch === undefined ? undefined : parseChanges(patch);
  });
  return {
    group_id: record.group_id,
    mode: record.mode,
    status: record.status,
    members,
    files: fileMatrix(members),
    similarity: changeSets.map((row) => changeSets.map((column) => similarityOf(row, column))),
    winner: record.winner,
    winner_reason: record.winner_reason,
    not_started: record.members.length - started.length,
  };
}

/** The human view: result table, files × members, similarity matrix, winner and why. */
export function renderComparison(comparison: Comparison, columns = DEFAULT_COLUMNS): string {
  const count = comparison.members.length;
  const sections = [
    `group ${comparison.group_id} (${comparison.mode}, ${comparison.status}): ${count} member${count === 1 ? '' : 's'}` +
      (comparison.not_started > 0 ? `, ${comparison.not_started} never started` : ''),
    renderResultTable(comparison.members.map(toResultRow), columns).trimEnd(),
    renderFiles(comparison, columns),
    renderSimilarity(comparison),
    renderWinner(comparison),
  ];
  return `${sections.join('\n\n')}\n`;
}

/** The paths a unified diff touches, in patch order (the new name of a renamed file). */
export function touchedFiles(patch: string): string[] {
  const files: string[] = [];
  for (const line of patch.split('\n')) {
    if (line.startsWith(GIT_HEADER)) files.push(pathOfHeader(line.slice(GIT_HEADER.length)));
    else if (line.startsWith('rename to ') && files.length > 0) files[files.length - 1] = line.slice('rename to '.length);
  }
  return [...new Set(files)];
}

function toResultRow(member: ComparedMember): ResultRow {
  return memberResultRow(member, member.winner);
}

function fileMatrix(members: ComparedMember[]): Comparison['files'] {
  const paths = [...new Set(members.flatMap((member) => member.files))].sort();
  return paths.map((path) => ({ path, members: members.filter((member) => member.files.includes(path)).map((member) => member.label) }));
}

function similarityOf(a: ChangeSet | undefined, b: ChangeSet | undefined): number | null {
  if (!a || !b) return null;
  return Math.round(compareChanges(a, b) * 10_000) / 10_000;
}

// A file × member grid of ✓ when it fits the width, else one line of paths per member.
function renderFiles(comparison: Comparison, columns: number): string {
  if (comparison.files.length === 0) return 'files touched: none';
  const labels = comparison.members.map((member) => member.label);
  const pathWidth = Math.max(...comparison.files.map((file) => file.path.length));
  const gridWidth = 2 + pathWidth + labels.reduce((sum, label) => sum + 2 + label.length, 0);
  if (gridWidth > columns) {
    const lists = comparison.members.map((member) => `  ${member.label}: ${member.has_diff ? member.files.join(', ') || '(none)' : '(no diff.patch)'}`);
    return ['files touched', ...lists].join('\n');
  }
  const rows = comparison.files.map((file) => labels.map((label) => (file.members.includes(label) ? CHECK : '')));
  return renderGrid('files touched', labels, comparison.files.map((file) => file.path), rows);
}

function renderSimilarity(comparison: Comparison): string {
  const labels = comparison.members.map((member) => member.label);
  const rows = comparison.similarity.map((row) => row.map((value) => (value === null ? '-' : value.toFixed(2))));
  return renderGrid('diff similarity', labels, labels, rows);
}

function renderWinner(comparison: Comparison): string {
  const winner = comparison.members.find((member) => member.winner);
  if (winner) return `winner: ${winner.run_id} (${winner.label}) — ${comparison.winner_reason ?? 'no reason recorded'}`;
  return comparison.winner_reason ? `no winner: ${comparison.winner_reason}` : `no winner (${comparison.mode} mode picks none)`;
}

// Row names left-aligned under the title, cells centred under their column labels.
function renderGrid(title: string, labels: string[], rowNames: string[], rows: string[][]): string {
  const nameWidth = Math.max(title.length, ...rowNames.map((name) => name.length + 2));
  const header = [title.padEnd(nameWidth), ...labels].join('  ');
  const lines = rows.map((cells, index) => {
    const centred = cells.map((cell, column) => centre(cell, (labels[column] ?? '').length));
    return [`  ${rowNames[index] ?? ''}`.padEnd(nameWidth), ...centred].join('  ').trimEnd();
  });
  return [header, ...lines].join('\n');
}

function centre(cell: string, width: number): string {
  const left = Math.floor((width - cell.length) / 2);
  return (' '.repeat(Math.max(0, left)) + cell).padEnd(width);
}

// `a/P b/P` when the file kept its name; otherwise (rename, quoting) what follows ` b/`.
function pathOfHeader(rest: string): string {
  const half = (rest.length - 5) / 2;
  if (Number.isInteger(half) && half > 0 && rest.startsWith('a/') && rest.slice(2 + half) === ` b/${rest.slice(2, 2 + half)}`) {
    return rest.slice(2, 2 + half);
  }
  const quoted = rest.lastIndexOf(' "b/');
  if (quoted !== -1) return rest.slice(quoted + 4).replace(/"$/, '');
  const plain = rest.lastIndexOf(' b/');
  return plain === -1 ? rest : rest.slice(plain + 3);
}
