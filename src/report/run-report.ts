import { formatDuration } from '../duration.js';
import type { RunSummary } from '../runs/summary.js';

const MESSAGE_PREVIEW_LINES = 12;

/** The short human report printed after a run: outcome, diffstat, run dir, final message. */
export function renderRunReport(summary: RunSummary, runDir: string): string {
  const lines: string[] = [];
  const duration = summary.duration_ms === null ? '' : ` in ${formatDuration(summary.duration_ms)}`;
  lines.push(`${summary.outcome ?? summary.status}: ${summary.executor} on ${summary.repo}${duration}`);
  if (summary.changes && summary.changes !== 'none') {
    lines.push(
      `changes: ${summary.files_changed} file${summary.files_changed === 1 ? '' : 's'} changed, +${summary.insertions} -${summary.deletions} (${summary.changes})`,
    );
  } else if (summary.changes === 'none') {
    lines.push('changes: none');
  }
  if (summary.usage) {
    const cost = summary.cost_usd === null ? '' : `, $${summary.cost_usd.toFixed(4)}`;
    lines.push(`tokens: ${summary.usage.input_tokens} in, ${summary.usage.output_tokens} out${cost}`);
  }
  if (summary.error) lines.push(`error: ${summary.error.message}`);
  if (summary.error?.reset_at) lines.push(`the ${summary.error.kind.replace('_', ' ')} resets at ${new Date(summary.error.reset_at).toLocaleString()} (--on-quota wait runs the task again then)`);
  for (const warning of summary.warnings) lines.push(`warning: ${warning}`);
  lines.push(`run: ${runDir}`);
  if (summary.final_message) {
    const messageLines = summary.final_message.trimEnd().split('\n');
    const shown = messageLines.slice(0, MESSAGE_PREVIEW_LINES);
    lines.push('', ...shown.map((line) => `  ${line}`));
    if (messageLines.length > shown.length) lines.push(`  … (${messageLines.length - shown.length} more lines in last-message.md)`);
  }
  return `${lines.join('\n')}\n`;
}
