import { formatDuration } from '../duration.js';
import type { GroupRecord } from '../runs/group-record.js';
import type { RunSummary } from '../runs/summary.js';

/** The pull request's title: the task's first line, cut to 72 characters. */
export function pullRequestTitle(task: string): string {
  const line = task.trim().split('\n')[0]?.trim() ?? '';
  if (line === '') return 'dispatch result';
  return line.length > 72 ? `${line.slice(0, 69)}...` : line;
}

/**
 * The pull request's body (markdown): the task, the winner and why it won, the check
 * result, and how every member of the group ended, so a reviewer needs no other tool. Pure.
 */
export function renderPullRequestBody(record: GroupRecord, winner: RunSummary, reportPath?: string): string {
  const lines = ['## Task', '', ...quote(record.task), ''];
  lines.push('## Winner', '');
  lines.push(`Run \`${winner.run_id}\` (${winner.executor}${winner.model ? `, ${winner.model}` : ''}): ${record.winner_reason ?? 'the only run'}.`);
  lines.push(`${winner.files_changed} file${winner.files_changed === 1 ? '' : 's'} changed, +${winner.insertions} -${winner.deletions}.`);
  lines.push('', '## Check', '');
  if (winner.check) {
    const exit = winner.check.exit_code === null ? 'no exit code' : `exit ${winner.check.exit_code}`;
    lines.push(`\`${winner.check.command}\`: **${winner.check.passed ? 'passed' : 'failed'}** (${exit}, ${formatDuration(winner.check.duration_ms)}).`);
  } else {
    lines.push('No `--check` command was given.');
  }
  lines.push('', '## Every run', '', '| run | executor | outcome | check | files | +/- |', '|---|---|---|---|---|---|');
  for (const member of record.members) {
    if (member.run_id === null) {
      lines.push(`| - | ${member.executor}#${member.attempt} | not started | - | - | - |`);
      continue;
    }
    const mark = member.run_id === record.winner ? ' (winner)' : '';
    const check = member.check_passed === null ? '-' : member.check_passed ? 'passed' : 'failed';
    const fallback = member.fallback_of ? ' (fallback)' : '';
    lines.push(
      `| \`${member.run_id}\`${mark} | ${member.executor}#${member.attempt}${fallback} | ${member.outcome ?? member.state} | ${check} | ${member.files_changed} | +${member.insertions} -${member.deletions} |`,
    );
  }
  lines.push('', `Dispatched by Outpost \`dispatch\`, group \`${record.group_id}\` (${record.mode}).`);
  // gh cannot attach a file to a pull request: name where the HTML report is, and how to open it.
  if (reportPath) lines.push(`HTML report (diffs, timeline, every run): \`${reportPath}\` on ${record.host}; \`dispatch report ${record.group_id} --open\` opens it.`);
  return `${lines.join('\n')}\n`;
}

function quote(text: string): string[] {
  return text.trimEnd().split('\n').map((line) => (line ? `> ${line}` : '>'));
}
