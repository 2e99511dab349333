import { formatDuration } from '../../duration.js';
import { escapeHtml } from './escape.js';
import type { TimelineLane, TimelineMark, TimelineSpan } from './timeline.js';

const WIDTH = 1000;
const LABEL_WIDTH = 180;
const PLOT_WIDTH = WIDTH - LABEL_WIDTH - 20;
const AXIS_HEIGHT = 26;
const ROW_HEIGHT = 34;
const TICK_STEPS_MS = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200].map((seconds) => seconds * 1000);
const MAX_TICKS = 8;

/** Span kinds drawn first are drawn below: the run bar, then turns, commands, the check, quiet stretches. */
const SPAN_ORDER: TimelineSpan['kind'][] = ['wait', 'run', 'turn', 'quiet', 'command', 'check'];
const SPAN_BAND: Record<TimelineSpan['kind'], { top: number; height: number }> = {
  wait: { top: 14, height: 6 },
  run: { top: 6, height: 22 },
  turn: { top: 9, height: 16 },
  quiet: { top: 9, height: 16 },
  command: { top: 12, height: 10 },
  check: { top: 9, height: 16 },
};

/** The timeline as one inline SVG: a lane per member on one time axis; every label escaped, a tooltip on each shape. */
export function renderTimeline(timeline: { startMs: number; endMs: number; lanes: TimelineLane[] }): string {
  const height = AXIS_HEIGHT + ROW_HEIGHT * timeline.lanes.length + 6;
  const scale = (ms: number) => LABEL_WIDTH + ((ms - timeline.startMs) / (timeline.endMs - timeline.startMs)) * PLOT_WIDTH;
  const parts = [
    `<svg class="timeline" data-lanes="${timeline.lanes.length}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="activity of each run over time">`,
    ...renderAxis(timeline.endMs - timeline.startMs, height, scale, timeline.startMs),
    ...timeline.lanes.flatMap((lane, index) => renderLane(lane, AXIS_HEIGHT + index * ROW_HEIGHT, scale)),
    '</svg>',
  ];
  return parts.join('\n');
}

function renderAxis(totalMs: number, height: number, scale: (ms: number) => number, startMs: number): string[] {
  const step = TICK_STEPS_MS.find((candidate) => totalMs / candidate <= MAX_TICKS) ?? (TICK_STEPS_MS.at(-1) ?? 1000);
  const ticks: string[] = [];
  for (let offset = 0; offset <= totalMs; offset += step) {
    const x = scale(startMs + offset).toFixed(1);
    ticks.push(`<line class="tl-grid" x1="${x}" y1="${AXIS_HEIGHT - 6}" x2="${x}" y2="${height}"></line>`);
    ticks.push(`<text class="tl-tick" x="${x}" y="${AXIS_HEIGHT - 10}">${offset === 0 ? '0' : escapeHtml(formatDuration(offset))}</text>`);
  }
  return ticks;
}

function renderLane(lane: TimelineLane, top: number, scale: (ms: number) => number): string[] {
  const spans = [...lane.spans].sort((a, b) => SPAN_ORDER.indexOf(a.kind) - SPAN_ORDER.indexOf(b.kind));
  return [
    `<g class="tl-lane" data-label="${escapeHtml(lane.label)}">`,
    `<text class="tl-label" x="4" y="${top + 21}">${escapeHtml(lane.label)}</text>`,
    ...spans.map((span) => renderSpan(span, top, scale)),
    ...lane.marks.map((mark) => renderMark(mark, top, scale)),
    '</g>',
  ];
}

function renderSpan(span: TimelineSpan, top: number, scale: (ms: number) => number): string {
  const band = SPAN_BAND[span.kind];
  const x = scale(span.startMs);
  const width = Math.max(1.5, scale(span.endMs) - x);
  const title = `${span.title} (${formatDuration(span.endMs - span.startMs)})`;
  return (
    `<rect class="tl-${span.kind}${span.failed ? ' tl-failed' : ''}" x="${x.toFixed(1)}" y="${top + band.top}" width="${width.toFixed(1)}" height="${band.height}">` +
    `<title>${escapeHtml(title)}</title></rect>`
  );
}

function renderMark(mark: TimelineMark, top: number, scale: (ms: number) => number): string {
  const x = scale(mark.atMs).toFixed(1);
  const y = mark.kind === 'error' ? top + 4 : mark.kind === 'file' ? top + 30 : top + 17;
  return `<circle class="tl-mark tl-mark-${mark.kind}${mark.failed ? ' tl-failed' : ''}" cx="${x}" cy="${y}" r="3.5"><title>${escapeHtml(mark.title)}</title></circle>`;
}
