import { join } from 'node:path';
import { formatDuration } from '../duration.js';
import type { GroupRecord } from '../runs/group-record.js';
import type { RunSummary } from '../runs/summary.js';
import { groupResultRows } from './group-report.js';
import { formatChanges } from './list-report.js';
import { formatTokens, renderResultTable } from './result-table.js';

type Field = [label: string, value: string | null];

/** Everything `dispatch show <run>` prints: outcome, agent, repo, times, diffstat, check, usage, links, paths, then the final message. */
export function renderRunDetails(summary: RunSummary, runDir: string): string {
  const fields: Field[] = [
    ['outcome', summary.outcome ? `${summary.outcome} (status ${summary.status})` : summary.status],
    ['executor', [summary.executor, summary.agent?.version ? `(${summary.agent.cli ?? summary.executor} ${summary.agent.version})` : ''].join(' ').trim()],
    ['model', summary.model],
    ['mode', summary.mode],
    ['repo', `${summary.repo}${summary.branch ? `@${summary.branch}` : ''}${summary.repo_url && summary.repo_url !== summary.repo ? `  (${summary.repo_url})` : ''}`],
    ['commits', summary.before_sha ? `${shortSha(summary.before_sha)} → ${summary.after_sha ? shortSha(summary.after_sha) : '?'}` : null],
    ['started', formatTime(summary.started)],
    ['completed', summary.completed ? formatTime(summary.completed) : null],
    ['duration', typeof summary.duration_ms === 'number' ? formatDuration(summary.duration_ms) : null],
    ['changes', describeChanges(summary)],
    ['check', summary.check ? describeCheck(summary.check) : null],
    ['tokens', summary.usage ? describeUsage(summary.usage) : null],
    ['cost', typeof summary.cost_usd === 'number' ? `$${summary.cost_usd.toFixed(4)}` : null],
    ['session', summary.session_id],
    ['exit code', describeExitCodes(summary)],
    ['error', summary.error ? describeError(summary.error) : null],
    ...(summary.warnings ?? []).map((warning): Field => ['warning', warning]),
    ['labels', Object.entries(summary.labels ?? {}).map(([key, value]) => `${key}=${value}`).join(' ') || null],
    ['group', summary.group_id],
    ['parent', summary.parent_run_id],
    ['fallback of', summary.fallback_of],
    ['run dir', runDir],
    ['workspace', summary.workspace],
    ['diff', join(runDir, 'diff.patch')],
    ['output', join(runDir, 'output.log')],
  ];
  const header = `run ${summary.run_id}\n${renderFields(fields)}`;
  if (!summary.final_message) return header;
  const message = summary.final_message.trimEnd().split('\n').map((line) => (line ? `  ${line}` : ''));
  return `${header}\nfinal message:\n${message.join('\n')}\n`;
}

/**
 * Everything `dispatch show <group>` prints: mode, members, winner and why, budget, applied branch.
 * The table has full run ids unless `columns` (a terminal's width) is too narrow for them.
 */
export function renderGroupDetails(record: GroupRecord, groupDir: string, columns = Number.POSITIVE_INFINITY): string {
  const winner = record.members.find((member) => member.run_id !== null && member.run_id === record.winner);
  const budget = record.budget;
  const fields: Field[] = [
    ['mode', record.mode],
    ['status', record.exit_code === null ? record.status : `${record.status} (dispatch exited ${record.dispatch_exit_code ?? record.exit_code})`],
    ['repo', `${record.repo}${record.repo_url && record.repo_url !== record.repo ? `  (${record.repo_url})` : ''}`],
    ['executors', `${record.executors.join(', ')} × ${record.attempts}, concurrency ${record.concurrency}`],
    ['check', record.check],
    ['started', formatTime(record.started)],
    ['duration', typeof record.duration_ms === 'number' ? formatDuration(record.duration_ms) : null],
    ['winner', winner ? `${winner.run_id} (${winner.executor}#${winner.attempt})` : record.winner_reason ? 'none' : null],
    ['reason', record.winner_reason],
    ['budget', budget ? describeBudget(budget) : null],
    ['applied', record.applied_branch ? `branch ${record.applied_branch} in ${record.applied_in ?? "the repo's mirror under repos/"}` : null],
    ['pushed', record.pushed_to ?? null],
    ['pull request', record.pr_url ?? null],
    ['error', record.apply_error ?? record.delivery_error ?? null],
    ['group dir', groupDir],
  ];
  const table = renderResultTable(groupResultRows(record), columns);
  const task = `${record.task ?? ''}`.trimEnd();
  return `group ${record.group_id}\n${renderFields(fields)}\n${table}${task ? `\ntask:\n${task.split('\n').map((line) => `  ${line}`).join('\n')}\n` : ''}`;
}

function renderFields(fields: Field[]): string {
  const shown = fields.filter((field): field is [string, string] => field[1] !== null && field[1] !== '');
  const width = Math.max(...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `  ${`${label}:`.padEnd(width + 2)}${value}\n`).join('');
}

/** The agent's own exit code and dispatch's, which differ (an agent that exits 0 can still fail its check: 5). */
function describeExitCodes(summary: RunSummary): string | null {
  const agent = summary.exit_code === null ? (summary.signal ? `signal ${summary.signal}` : null) : String(summary.exit_code);
  const dispatch = summary.dispatch_exit_code ?? null;
  if (agent === null && dispatch === null) return null;
  return [agent === null ? null : `agent ${agent}`, dispatch === null ? null : `dispatch ${dispatch}`].filter(Boolean).join(', ');
}

function shortSha(sha: string): string {
  return sha.slice(0, 10);
}

/** A timestamp in the machine's local time, `2026-01-31 08:15:02`, or the text as stored if it does not parse. */
function formatTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function describeChanges(summary: RunSummary): string | null {
  if (summary.changes === null) return null;
  if (formatChanges(summary) === '-') return 'none';
  const files = `${summary.files_changed} file${summary.files_changed === 1 ? '' : 's'}`;
  return `${files}, +${summary.insertions} -${summary.deletions} (${summary.changes})`;
}

function describeCheck(check: NonNullable<RunSummary['check']>): string {
  const exit = check.exit_code === null ? 'no exit code' : `exit ${check.exit_code}`;
  return `${check.passed ? 'passed' : 'failed'} (${exit}, ${formatDuration(check.duration_ms)}): ${check.command}`;
}

function describeUsage(usage: NonNullable<RunSummary['usage']>): string {
  const parts = [`${formatTokens(usage.input_tokens)} in`, `${formatTokens(usage.cached_input_tokens)} cached`, `${formatTokens(usage.output_tokens)} out`];
  return `${parts.join(', ')}, ${formatTokens(usage.reasoning_tokens)} reasoning`;
}

function describeError(error: NonNullable<RunSummary['error']>): string {
  return `${error.kind}: ${error.message}${error.reset_at ? ` (resets at ${formatTime(error.reset_at)})` : ''}`;
}

function describeBudget(budget: NonNullable<GroupRecord['budget']>): string {
  const limits = [budget.usd === null ? null : `$${budget.usd}`, budget.tokens === null ? null : `${formatTokens(budget.tokens)} tokens`].filter(Boolean);
  const spent = `spent $${budget.spent_usd.toFixed(4)}, ${formatTokens(budget.spent_tokens)} tokens`;
  return `${limits.join(' / ') || 'none'}: ${spent}${budget.exceeded ? ' — exceeded, running members were stopped' : ''}`;
}
