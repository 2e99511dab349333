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
  if (record.apply_error) lines.push(`warning: ${record.apply_error}`);
  if (record.applied_branch) lines.push(`applied on branch ${record.applied_branch} in repos/ (git fetch <mirror> ${record.applied_branch})`);
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
