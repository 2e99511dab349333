import type { TimedEvent } from '../../events.js';
import { escapeHtml, toScriptJson } from './escape.js';
import { checkBadge, codeOf, formatCost, formatDiffstat, formatMs, formatTokens, outcomeBadge, renderFacts } from './format-values.js';
import { preparePatch } from './prepare-patch.js';
import type { RunInput, ShownFile } from './report-input.js';

/** How a run appears in the page: its anchor, its label in the group, whether it is shown open. */
export interface RunPlacement {
  anchor: string;
  label: string;
  open: boolean;
  winner: boolean;
  /** A single-run report shows the task in its run; a group report shows it once at the top. */
  showTask: boolean;
}

/** One run in full: facts, final message, the diff (drawn in the page by diff2html), commands, check output. */
export function renderRunSection(run: RunInput, place: RunPlacement): string {
  const { summary } = run;
  const outcome = summary.outcome ?? summary.status;
  const head = `${escapeHtml(place.label)} <span class="mono muted">${escapeHtml(run.id)}</span> ${outcomeBadge(outcome)}${place.winner ? ' <span class="badge star">winner</span>' : ''}`;
  return [
    `<details class="run" id="${place.anchor}" data-run-id="${escapeHtml(run.id)}"${place.open ? ' open' : ''}>`,
    `<summary>${head}</summary>`,
    renderRunFacts(run),
    place.showTask ? `<h3>Task</h3><pre class="task">${escapeHtml(run.task)}</pre>` : '',
    '<h3>Final message</h3>',
    summary.final_message ? `<pre class="message">${escapeHtml(summary.final_message)}</pre>` : '<p class="muted">The agent gave no final message.</p>',
    '<h3>Changes</h3>',
    renderDiff(run, place.anchor),
    '<h3>Commands the agent ran</h3>',
    renderCommands(run.events),
    renderCheck(run),
    '</details>',
  ].join('\n');
}

function renderRunFacts(run: RunInput): string {
  const { summary } = run;
  const usage = summary.usage;
  const tokens = usage ? usage.input_tokens + usage.output_tokens : null;
  const exits = `agent ${summary.exit_code ?? '-'}${summary.signal ? ` (${escapeHtml(summary.signal)})` : ''}, dispatch ${summary.dispatch_exit_code ?? '-'}`;
  return renderFacts([
    ['executor', `${escapeHtml(summary.executor)}${summary.model ? ` (${escapeHtml(summary.model)})` : ''}${summary.agent.version ? ` <span class="muted">CLI ${escapeHtml(summary.agent.version)}</span>` : ''}`],
    ['outcome', `${outcomeBadge(summary.outcome ?? summary.status)} <span class="muted">status ${escapeHtml(summary.status)}</span>`],
    ['exit codes', exits],
    ['duration', escapeHtml(formatMs(summary.duration_ms))],
    ['changes', `${formatDiffstat(summary.files_changed, summary.insertions, summary.deletions)} <span class="muted">(${escapeHtml(summary.changes ?? 'unknown')})</span>`],
    ['tokens', usage ? `${formatTokens(tokens)} <span class="muted">(${formatTokens(usage.input_tokens)} in, ${formatTokens(usage.cached_input_tokens)} cached, ${formatTokens(usage.output_tokens)} out)</span>` : null],
    ['cost', summary.cost_usd === null ? null : escapeHtml(formatCost(summary.cost_usd))],
    ['base commit', codeOf(summary.before_sha)],
    ['error', summary.error ? `<span class="del">${escapeHtml(`${summary.error.kind}: ${summary.error.message}`)}</span>` : null],
    ['warnings', summary.warnings.length > 0 ? summary.warnings.map(escapeHtml).join('<br>') : null],
    ['directory', codeOf(run.dir)],
  ]);
}

function renderDiff(run: RunInput, anchor: string): string {
  if (!run.patch) return `<p class="muted">No diff.patch: ${escapeHtml(run.summary.status === 'running' ? 'the run is still going' : 'its changes were never captured')}.</p>`;
  const prepared = preparePatch(run.patch);
  if (prepared.text.trim() === '') return run.patch.cut ? cutNote(run.patch, 0) : '<p class="muted">The run changed nothing.</p>';
  const id = `${anchor}-patch`;
  return [
    prepared.cut ? cutNote(run.patch, prepared.files) : '',
    `<div class="diff" data-patch="${id}" data-format="line-by-line">`,
    '<div class="diff-toolbar"><button type="button" data-format="line-by-line" aria-pressed="true">Line by line</button>',
    '<button type="button" data-format="side-by-side" aria-pressed="false">Side by side</button>',
    `<span class="muted">${prepared.files} file${prepared.files === 1 ? '' : 's'}; large files start folded</span></div>`,
    '<div class="diff-view"></div>',
    `<script type="application/json" id="${id}">${toScriptJson(prepared.text)}</script>`,
    '</div>',
  ].join('\n');
}

function cutNote(file: ShownFile, shownFiles: number): string {
  return `<p class="note">diff.patch is ${formatBytes(file.bytes)}: only its first ${shownFiles} file${shownFiles === 1 ? '' : 's'} are shown. The whole diff: <code>${escapeHtml(file.path)}</code></p>`;
}

function renderCommands(events: TimedEvent[]): string {
  const commands = events.filter((event): event is Extract<TimedEvent, { type: 'command' }> => event.type === 'command' && event.status !== 'in_progress');
  if (commands.length === 0) return '<p class="muted">None.</p>';
  const rows = commands.map((command) => {
    const failed = command.status === 'failed' || (typeof command.exit_code === 'number' && command.exit_code !== 0);
    const exit = typeof command.exit_code === 'number' ? `exit ${command.exit_code}` : command.status;
    const output = (command.output ?? '').trimEnd();
    const shown = output === '' ? '<span class="muted">no output</span>' : `<details class="output"><summary>output (${plural(output.split('\n').length, 'line')})</summary><pre>${escapeHtml(output)}</pre></details>`;
    return `<tr><td class="mono muted">${escapeHtml(clockOf(command.ts))}</td><td class="${failed ? 'exit-bad' : 'exit-ok'}">${escapeHtml(exit)}</td><td><code>${escapeHtml(command.command)}</code>${shown}</td></tr>`;
  });
  return `<table class="commands"><thead><tr><th>time (UTC)</th><th>exit</th><th>command and output</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function renderCheck(run: RunInput): string {
  const check = run.summary.check;
  if (!check) return '';
  const head = `<h3>Check ${checkBadge(check.passed)}</h3><p><code>${escapeHtml(check.command)}</code> <span class="muted">exit ${check.exit_code ?? '- (timed out)'}, ${escapeHtml(formatMs(check.duration_ms))}</span></p>`;
  const log = run.checkLog;
  if (!log) return `${head}<p class="muted">No check.log.</p>`;
  const note = log.cut ? `<p class="note">Only the last ${formatBytes(log.text.length)} of ${formatBytes(log.bytes)} are shown. The whole output: <code>${escapeHtml(log.path)}</code></p>` : '';
  return `${head}${note}<pre class="check-log">${escapeHtml(log.text)}</pre>`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function clockOf(ts: string): string {
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? '--:--:--' : date.toISOString().slice(11, 19);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
