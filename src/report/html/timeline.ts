import type { TimedEvent } from '../../events.js';

/** A stretch of time on a member's lane. */
export interface TimelineSpan {
  kind: 'wait' | 'run' | 'turn' | 'command' | 'check' | 'quiet';
  startMs: number;
  endMs: number;
  title: string;
  failed?: boolean;
}

/** A moment on a member's lane. */
export interface TimelineMark {
  kind: 'command' | 'file' | 'error' | 'message' | 'tool';
  atMs: number;
  title: string;
  failed?: boolean;
}

export interface TimelineLane {
  label: string;
  spans: TimelineSpan[];
  marks: TimelineMark[];
}

/** What one member contributes: its events, and since when it waited (group start, or a usage-limit reset). */
export interface LaneSource {
  label: string;
  events: TimedEvent[];
  startedAt: string | null;
  completedAt: string | null;
  waitedFrom: string | null;
  waitReason: string;
}

/** Events this far apart, and this share of the run, count as a quiet stretch (the agent waits on its model). */
const QUIET_MIN_MS = 20_000;
const QUIET_MIN_SHARE = 0.15;

/** Folds each member's events into spans and marks on one time axis. Pure. */
export function buildTimeline(sources: LaneSource[]): { startMs: number; endMs: number; lanes: TimelineLane[] } {
  const lanes = sources.map(buildLane);
  const times = lanes.flatMap((lane) => [...lane.spans.flatMap((span) => [span.startMs, span.endMs]), ...lane.marks.map((mark) => mark.atMs)]);
  const startMs = times.length > 0 ? Math.min(...times) : 0;
  const endMs = times.length > 0 ? Math.max(...times) : 0;
  return { startMs, endMs: Math.max(endMs, startMs + 1), lanes };
}

function buildLane(source: LaneSource): TimelineLane {
  const spans: TimelineSpan[] = [];
  const marks: TimelineMark[] = [];
  const timed = source.events.map((event) => ({ event, atMs: Date.parse(event.ts) })).filter((item) => Number.isFinite(item.atMs));
  const startMs = parseMs(source.startedAt) ?? timed[0]?.atMs;
  const endMs = parseMs(source.completedAt) ?? timed.at(-1)?.atMs ?? startMs;
  if (startMs === undefined || endMs === undefined) return { label: source.label, spans, marks };
  const waitedFrom = parseMs(source.waitedFrom);
  if (waitedFrom !== undefined && startMs - waitedFrom > 0) spans.push({ kind: 'wait', startMs: waitedFrom, endMs: startMs, title: source.waitReason });
  spans.push({ kind: 'run', startMs, endMs, title: `run ${source.label}` });
  let turnFrom: number | undefined = startMs;
  const openCommands = new Map<string, number[]>();
  for (const { event, atMs } of timed) {
    switch (event.type) {
      case 'turn.started':
        turnFrom = atMs;
        break;
      case 'turn.completed':
      case 'turn.failed':
        spans.push({ kind: 'turn', startMs: turnFrom ?? atMs, endMs: atMs, title: event.type === 'turn.failed' ? `turn failed: ${event.error}` : 'turn', failed: event.type === 'turn.failed' });
        turnFrom = atMs;
        break;
      case 'command':
        foldCommand(event, atMs, openCommands, spans, marks);
        break;
      case 'file.change':
        marks.push({ kind: 'file', atMs, title: `edit ${event.changes.map((change) => `${change.path} (${change.kind})`).join(', ')}`, failed: event.status === 'failed' });
        break;
      case 'error':
        marks.push({ kind: 'error', atMs, title: `error: ${event.message}`, failed: true });
        break;
      case 'message':
        marks.push({ kind: 'message', atMs, title: `message: ${event.text.slice(0, 200)}` });
        break;
      case 'tool.call':
        marks.push({ kind: 'tool', atMs, title: `tool ${event.server ? `${event.server}/` : ''}${event.tool} (${event.status})`, failed: event.status === 'failed' });
        break;
      case 'check.finished':
        spans.push({ kind: 'check', startMs: checkStart(atMs, timed), endMs: atMs, title: event.passed ? 'check passed' : 'check failed', failed: !event.passed });
        break;
      default:
        break;
    }
  }
  spans.push(...quietStretches(timed.map((item) => item.atMs), startMs, endMs));
  return { label: source.label, spans, marks };
}

// An in_progress command opens a span that its completed/failed event (same text) closes; a lone one is a mark.
function foldCommand(
  event: Extract<TimedEvent, { type: 'command' }>,
  atMs: number,
  open: Map<string, number[]>,
  spans: TimelineSpan[],
  marks: TimelineMark[],
): void {
  const pending = open.get(event.command) ?? [];
  if (event.status === 'in_progress') {
    open.set(event.command, [...pending, atMs]);
    return;
  }
  const exit = typeof event.exit_code === 'number' ? `exit ${event.exit_code}` : event.status;
  const failed = event.status === 'failed' || (typeof event.exit_code === 'number' && event.exit_code !== 0);
  const title = `$ ${event.command} (${exit})`;
  const from = pending.shift();
  if (from !== undefined && atMs > from) spans.push({ kind: 'command', startMs: from, endMs: atMs, title, failed });
  marks.push({ kind: 'command', atMs, title, failed });
}

// The check runs after the agent: from the last event before check.finished.
function checkStart(atMs: number, timed: { event: TimedEvent; atMs: number }[]): number {
  const before = timed.filter((item) => item.atMs < atMs && item.event.type !== 'check.finished').at(-1);
  return before?.atMs ?? atMs;
}

function quietStretches(times: number[], startMs: number, endMs: number): TimelineSpan[] {
  const threshold = Math.max(QUIET_MIN_MS, (endMs - startMs) * QUIET_MIN_SHARE);
  const points = [startMs, ...times.filter((time) => time >= startMs && time <= endMs).sort((a, b) => a - b), endMs];
  const quiet: TimelineSpan[] = [];
  for (let index = 1; index < points.length; index += 1) {
    const from = points[index - 1] ?? startMs;
    const to = points[index] ?? endMs;
    if (to - from >= threshold) quiet.push({ kind: 'quiet', startMs: from, endMs: to, title: `no events for ${Math.round((to - from) / 1000)} s (waiting on the model or a command)` });
  }
  return quiet;
}

function parseMs(iso: string | null): number | undefined {
  if (iso === null) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}
