import { formatDuration } from '../duration.js';
import type { GroupMember, GroupRecord } from '../runs/group-record.js';
import type { ResultRow } from './result-table.js';

type RowSource = Pick<
  GroupMember,
  'executor' | 'attempt' | 'outcome' | 'check_passed' | 'files_changed' | 'insertions' | 'deletions' | 'tokens' | 'duration_ms' | 'fallback_of'
> & { run_id: string };

/** One member as a row of the result table. */
export function memberResultRow(member: RowSource, winner: boolean): ResultRow {
  return {
    runId: member.run_id,
    executor: member.fallback_of ? `${member.executor} (fallback)` : member.executor,
    attempt: member.attempt,
    outcome: member.outcome ?? 'running',
    check: member.check_passed === null ? '-' : member.check_passed ? 'passed' : 'failed',
    filesChanged: member.files_changed,
    insertions: member.insertions,
    deletions: member.deletions,
    tokens: member.tokens,
    durationMs: member.duration_ms,
    winner,
  };
}

/** The group's members as rows of the final result table (fallbacks included). */
export function groupResultRows(record: GroupRecord): ResultRow[] {
  return record.members.flatMap((member) =>
    member.run_id === null ? [] : [memberResultRow({ ...member, run_id: member.run_id }, member.run_id === record.winner)],
  );
}

/** The lines after the table: mode, winner and why, where its changes are, budget. */
export function renderGroupVerdict(record: GroupRecord, runsDir: string): string {
  const lines = [`group ${record.group_id} (${record.mode}) in ${formatDuration(record.duration_ms ?? 0)}: ${runsDir}/${record.group_id}/group.json`];
  const winner = record.members.find((member) => member.run_id !== null && member.run_id === record.winner);
  if (winner) {
    lines.push(`winner: ${winner.run_id} (${winner.executor}) — ${record.winner_reason ?? ''}`);
    lines.push(`  ${winner.files_changed} files changed, +${winner.insertions} -${winner.deletions}: ${winner.run_dir}/diff.patch`);
  } else if (record.winner_reason) {
    lines.push(`no winner: ${record.winner_reason}`);
  }
  lines.push(...describeDelivery(record));
  for (const member of record.members) {
    if (member.retry_of) lines.push(`${member.key}: ran again after the usage limit of ${member.retry_of} reset`);
    else if (member.outcome === 'quota' && member.error_message) lines.push(`${member.key}: ${member.error_message}`);
  }
  const notStarted = record.members.filter((member) => member.state === 'not_started').length;
  if (notStarted > 0) lines.push(`${notStarted} member(s) never started (the group ended first)`);
  if (record.budget?.exceeded) {
    lines.push(`budget exceeded: spent ${record.budget.spent_tokens} tokens, $${record.budget.spent_usd.toFixed(4)}; running members were stopped`);
  }
  return `${lines.join('\n')}\n`;
}

/** Where the winner went: its branch (and how to get at it), the push, the pull request, or what failed. */
export function describeDelivery(record: GroupRecord): string[] {
  const lines: string[] = [];
  const branch = record.applied_branch;
  if (branch && record.applied_in && !record.applied_in.endsWith('.git')) {
    lines.push(`applied: branch ${branch} in ${record.applied_in} (your HEAD, index and files are untouched; \`git switch ${branch}\` to try it)`);
  } else if (branch) {
    const mirror = record.applied_in ?? 'the mirror under repos/';
    lines.push(`applied: branch ${branch} in ${mirror} (get it with \`git fetch ${mirror} ${branch}:${branch}\`)`);
  }
  if (record.pushed_to) lines.push(`pushed: ${branch} to ${record.pushed_to}`);
  if (record.pr_url) lines.push(`pull request: ${record.pr_url}`);
  for (const error of [record.apply_error, record.delivery_error]) if (error) lines.push(`error: ${error}`);
  return lines;
}
