import type { GroupMember, GroupRecord } from '../../runs/group-record.js';
import { describeDelivery } from '../group-report.js';
import { escapeHtml } from './escape.js';
import { checkBadge, codeOf, formatCost, formatDiffstat, formatMs, formatTokens, outcomeBadge, renderFacts } from './format-values.js';
import type { RunInput } from './report-input.js';
import { renderTimeline } from './render-timeline.js';
import { buildTimeline, type LaneSource } from './timeline.js';

/** The top of a group report: task, repo, base commit, mode, winner and why, the member table, the timeline. */
export function renderGroupHeader(record: GroupRecord, runs: RunInput[], anchors: ReadonlyMap<string, string>): string {
  const bases = [...new Set(runs.map((run) => run.summary.before_sha).filter((sha): sha is string => sha !== null))];
  const branch = runs.find((run) => run.summary.branch)?.summary.branch ?? null;
  const delivery = describeDelivery(record);
  return [
    `<h1>Group <span class="mono">${escapeHtml(record.group_id)}</span></h1>`,
    `<pre class="task">${escapeHtml(record.task)}</pre>`,
    renderFacts([
      ['repo', `${escapeHtml(record.repo)}${record.repo_url !== record.repo ? ` <span class="muted">${escapeHtml(record.repo_url)}</span>` : ''}`],
      ['branch', codeOf(branch)],
      ['base commit', bases.length === 0 ? null : bases.map((sha) => `<code>${escapeHtml(sha)}</code>`).join(', ')],
      ['mode', `${escapeHtml(record.mode)} <span class="muted">${escapeHtml(record.executors.join(', '))} × ${record.attempts}, concurrency ${record.concurrency}</span>`],
      ['status', escapeHtml(record.status)],
      ['check', codeOf(record.check)],
      ['started', escapeHtml(record.started)],
      ['duration', escapeHtml(formatMs(record.duration_ms))],
      ['budget', record.budget ? escapeHtml(`spent ${record.budget.spent_tokens} tokens, $${record.budget.spent_usd.toFixed(4)}${record.budget.exceeded ? ' (exceeded)' : ''}`) : null],
      ['delivery', delivery.length === 0 ? null : delivery.map(escapeHtml).join('<br>')],
    ]),
    renderWinner(record, anchors),
    '<h2>Members</h2>',
    renderMemberTable(record, anchors),
    '<h2>Timeline</h2>',
    renderTimeline(buildTimeline(laneSources(record, runs))),
    TIMELINE_LEGEND,
  ].join('\n');
}

const TIMELINE_LEGEND = `<ul class="legend"><li><i class="k-wait"></i>waiting (queue, usage limit)</li><li><i class="k-run"></i>run</li><li><i class="k-turn"></i>turn</li><li><i class="k-quiet"></i>no events</li><li><i class="k-command"></i>command</li><li><i class="k-check"></i>check</li><li><i class="k-message"></i>message</li><li><i class="k-file"></i>file change</li><li><i class="k-error"></i>error</li></ul>`;

function renderWinner(record: GroupRecord, anchors: ReadonlyMap<string, string>): string {
  const winner = record.members.find((member) => member.run_id !== null && member.run_id === record.winner);
  if (winner?.run_id) {
    const anchor = anchors.get(winner.run_id);
    const name = `${escapeHtml(winner.key)} <span class="mono">${escapeHtml(winner.run_id)}</span>`;
    return `<div class="winner-box"><strong>Winner:</strong> ${anchor ? `<a href="#${anchor}">${name}</a>` : name} — ${escapeHtml(record.winner_reason ?? 'no reason recorded')}</div>`;
  }
  const why = record.winner_reason ?? `${record.mode} mode picks none`;
  return `<div class="winner-box none"><strong>No winner:</strong> ${escapeHtml(why)}</div>`;
}

function renderMemberTable(record: GroupRecord, anchors: ReadonlyMap<string, string>): string {
  const head = '<tr><th>member</th><th>run</th><th>outcome</th><th>check</th><th>diffstat</th><th>tokens</th><th>cost</th><th>duration</th></tr>';
  const rows = record.members.map((member) => renderMemberRow(member, record.winner, anchors));
  return `<table class="members"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

function renderMemberRow(member: GroupMember, winner: string | null, anchors: ReadonlyMap<string, string>): string {
  const isWinner = member.run_id !== null && member.run_id === winner;
  const anchor = member.run_id ? anchors.get(member.run_id) : undefined;
  const runCell = member.run_id ? (anchor ? `<a class="mono" href="#${anchor}">${escapeHtml(member.run_id)}</a>` : `<span class="mono">${escapeHtml(member.run_id)}</span>`) : '<span class="muted">never started</span>';
  const label = `${escapeHtml(member.key)}${member.fallback_of ? ' <span class="muted">(fallback)</span>' : ''}${member.retry_of ? ' <span class="muted">(after a usage limit)</span>' : ''}${isWinner ? ' <span class="badge star">winner</span>' : ''}`;
  const cells = [
    label,
    runCell,
    outcomeBadge(member.outcome ?? member.state),
    checkBadge(member.check_passed),
    formatDiffstat(member.files_changed, member.insertions, member.deletions),
    escapeHtml(formatTokens(member.tokens)),
    escapeHtml(formatCost(member.cost_usd)),
    escapeHtml(formatMs(member.duration_ms)),
  ];
  const numeric = new Set([4, 5, 6, 7]);
  return `<tr class="member${isWinner ? ' winner' : ''}" data-run-id="${escapeHtml(member.run_id ?? '')}">${cells.map((cell, index) => `<td${numeric.has(index) ? ' class="num"' : ''}>${cell}</td>`).join('')}</tr>`;
}

// Each started member waits from the group's start (its queue slot) or, after a usage limit, from its first run's end.
function laneSources(record: GroupRecord, runs: RunInput[]): LaneSource[] {
  const byId = new Map(runs.map((run) => [run.id, run]));
  return record.members.flatMap((member): LaneSource[] => {
    const run = member.run_id ? byId.get(member.run_id) : undefined;
    if (!run) return [];
    const retried = member.retry_of ? byId.get(member.retry_of) : undefined;
    return [{
      label: member.key,
      events: run.events,
      startedAt: run.summary.started,
      completedAt: run.summary.completed,
      waitedFrom: retried?.summary.completed ?? record.started,
      waitReason: retried ? `waited for the usage limit of ${retried.id} to reset` : 'waited for a free slot (--concurrency) or its turn',
    }];
  });
}
