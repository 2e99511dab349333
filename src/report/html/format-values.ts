import { formatDuration } from '../../duration.js';
import { escapeHtml } from './escape.js';

const GOOD_OUTCOMES = new Set(['success', 'no_changes']);
const NEUTRAL_OUTCOMES = new Set(['cancelled', 'running', 'not_started', 'queued', 'waiting', 'abandoned']);

/** An outcome (or state) as a coloured badge. */
export function outcomeBadge(outcome: string): string {
  const tone = GOOD_OUTCOMES.has(outcome) ? 'good' : NEUTRAL_OUTCOMES.has(outcome) ? 'neutral' : 'bad';
  return `<span class="badge ${tone}">${escapeHtml(outcome)}</span>`;
}

export function checkBadge(passed: boolean | null): string {
  if (passed === null) return '<span class="muted">-</span>';
  return passed ? '<span class="badge good">passed</span>' : '<span class="badge bad">failed</span>';
}

export function formatTokens(tokens: number | null | undefined): string {
  return tokens === null || tokens === undefined ? '-' : tokens.toLocaleString('en-US');
}

export function formatCost(usd: number | null | undefined): string {
  return usd === null || usd === undefined ? '-' : `$${usd.toFixed(4)}`;
}

export function formatMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '-' : formatDuration(ms);
}

export function formatDiffstat(files: number, insertions: number, deletions: number): string {
  return `${files} file${files === 1 ? '' : 's'} <span class="ins">+${insertions}</span> <span class="del">−${deletions}</span>`;
}

/** A definition list of label → already-escaped HTML; rows whose value is null are left out. */
export function renderFacts(rows: [string, string | null][]): string {
  const shown = rows.filter((row): row is [string, string] => row[1] !== null);
  return `<dl class="facts">${shown.map(([label, html]) => `<dt>${escapeHtml(label)}</dt><dd>${html}</dd>`).join('')}</dl>`;
}

/** Plain text in a code element, escaped; null stays null so renderFacts can drop it. */
export function codeOf(text: string | null | undefined): string | null {
  return text === null || text === undefined || text === '' ? null : `<code>${escapeHtml(text)}</code>`;
}
