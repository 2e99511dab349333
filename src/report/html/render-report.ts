import type { ReportAssets } from './assets.js';
import { escapeHtml } from './escape.js';
import { renderGroupHeader } from './render-group.js';
import { renderPage } from './render-page.js';
import { renderRunSection } from './render-run.js';
import type { ReportInput } from './report-input.js';

/** The report of a group or a run as one self-contained HTML page. Pure: input, assets and clock in, HTML out. */
export function renderReport(input: ReportInput, assets: ReportAssets, now: Date): string {
  if (input.kind === 'run') {
    const { run } = input;
    const anchor = 'run-1';
    const intro = `<h1>Run <span class="mono">${escapeHtml(run.id)}</span></h1>${run.summary.group_id ? `<p class="muted">Part of group <span class="mono">${escapeHtml(run.summary.group_id)}</span>: <code>dispatch report ${escapeHtml(run.summary.group_id)}</code> shows all of it.</p>` : ''}`;
    const body = `${intro}\n${renderRunSection(run, { anchor, label: run.summary.executor, open: true, winner: false, showTask: true })}`;
    return renderPage({ title: `dispatch run ${run.id}`, body, assets, generatedAt: now });
  }
  const { record, runs } = input;
  const anchors = new Map(runs.map((run, index) => [run.id, `run-${index + 1}`]));
  const labels = new Map(record.members.flatMap((member) => (member.run_id ? [[member.run_id, member.key] as const] : [])));
  // The winner opens drawn; with no winner, the only run does. Others draw when opened.
  const openId = record.winner ?? (runs.length === 1 ? runs[0]?.id : undefined);
  const sections = runs.map((run) =>
    renderRunSection(run, {
      anchor: anchors.get(run.id) ?? 'run',
      label: labels.get(run.id) ?? run.summary.executor,
      open: run.id === openId,
      winner: run.id === record.winner,
      showTask: false,
    }),
  );
  const body = [renderGroupHeader(record, runs, anchors), '<h2>Runs</h2>', ...sections].join('\n');
  return renderPage({ title: `dispatch group ${record.group_id}`, body, assets, generatedAt: now });
}
