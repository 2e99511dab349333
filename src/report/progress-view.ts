import { liveLog } from './live-log.js';
import { formatDuration } from '../duration.js';
import { formatTokens, renderResultTable, type ResultRow } from './result-table.js';

/** What the progress display knows about one group member. */
export interface MemberProgress {
  /** run id, or a placeholder before it exists */
  id: string;
  executor: string;
  attempt: number;
  state: 'queued' | 'starting' | 'running' | 'checking' | 'waiting' | 'done';
  outcome?: string;
  /** While waiting (`--on-quota wait`): when the usage limit resets, epoch ms. */
  waitingUntil?: number;
  /** epoch ms */
  startedAt?: number;
  /** e.g. `$ npm test`, `edit src/a.ts` */
  lastActivity?: string;
  tokens?: number;
  runDir?: string;
}

/** The live (TTY) or line-per-state-change (pipe, cron) progress of a group. */
export interface ProgressView {
  update(key: string, patch: Partial<MemberProgress>): void;
  /** stops the live view and prints the final result table */
  finish(rows: ResultRow[]): void;
}

/** The stream the view writes to; `columns` is the terminal width when it is one. */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** `forceTTY` true/false overrides `stream.isTTY`; `refreshMs` bounds the live view's redraw rate. */
export interface ProgressViewOptions {
  now?: () => number;
  refreshMs?: number;
  forceTTY?: boolean;
}

interface Member {
  progress: MemberProgress;
  finishedAt?: number;
}

type Members = Map<string, Member>;

const DEFAULT_REFRESH_MS = 250;
const DEFAULT_COLUMNS = 80;
// C0 and C1 controls: agents' text must not move the cursor or break our lines.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]+/g;

/** Creates the progress display: a live view on a TTY (after loadLiveLog()), plain timestamped lines otherwise. */
export function createProgressView(
  stream: ProgressStream,
  members: { key: string; executor: string; attempt: number }[],
  opts: ProgressViewOptions = {},
): ProgressView {
  const now = opts.now ?? Date.now;
  const tracked: Members = new Map(
    members.map((member) => [member.key, { progress: { id: member.key, executor: member.executor, attempt: member.attempt, state: 'queued' } }]),
  );
  const live = opts.forceTTY ?? stream.isTTY === true;
  return live ? createLiveView(stream, tracked, now, opts.refreshMs ?? DEFAULT_REFRESH_MS) : createPlainView(stream, tracked, now);
}

function createPlainView(stream: ProgressStream, members: Members, now: () => number): ProgressView {
  let finished = false;
  return {
    update(key, patch) {
      if (finished) return;
      const member = applyPatch(members, key, patch, now());
      if (member) stream.write(`${formatStateLine(member, now())}\n`);
    },
    finish(rows) {
      if (finished) return;
      finished = true;
      stream.write(renderResultTable(rows, stream.columns ?? DEFAULT_COLUMNS));
    },
  };
}

function createLiveView(stream: ProgressStream, members: Members, now: () => number, refreshMs: number): ProgressView {
  // showCursor: log-update 7.2 hides the cursor through cli-cursor, which writes to
  // process.stderr rather than to our stream and installs an exit hook; we leave it alone.
  const log = liveLog()(stream, { showCursor: true, defaultWidth: DEFAULT_COLUMNS });
  const render = (): void => log(renderFrame(members, now(), stream.columns ?? DEFAULT_COLUMNS));
  const timer = setInterval(render, refreshMs);
  timer.unref();
  render();
  let finished = false;
  return {
    update(key, patch) {
      if (finished) return;
      // Activity and token updates wait for the next tick; state changes show at once.
      if (applyPatch(members, key, patch, now())) render();
    },
    finish(rows) {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      log.clear();
      log.done();
      stream.write(renderResultTable(rows, stream.columns ?? DEFAULT_COLUMNS));
    },
  };
}

/** Merges a patch into a member (adding unknown keys); returns the member if its state changed. */
function applyPatch(members: Members, key: string, patch: Partial<MemberProgress>, nowMs: number): Member | undefined {
  const member = members.get(key) ?? addMember(members, key, patch);
  const previousState = member.progress.state;
  member.progress = { ...member.progress, ...patch, state: patch.state ?? previousState };
  const progress = member.progress;
  if (progress.state === previousState) return undefined;
  if (progress.state !== 'queued' && progress.startedAt === undefined) progress.startedAt = nowMs;
  member.finishedAt = progress.state === 'done' ? nowMs : undefined;
  return member;
}

function addMember(members: Members, key: string, patch: Partial<MemberProgress>): Member {
  const member: Member = { progress: { id: key, executor: patch.executor ?? key, attempt: patch.attempt ?? 1, state: 'queued' } };
  members.set(key, member);
  return member;
}

/** `2026-11-24T03:04:05Z codex#1 running <run-id>` or `… codex#1 done success 41.2s`. */
function formatStateLine(member: Member, nowMs: number): string {
  const { progress } = member;
  const stamp = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const words = [stamp, labelOf(progress), progress.state];
  if (progress.state === 'done') {
    if (progress.outcome) words.push(progress.outcome);
    const elapsed = elapsedMs(member, nowMs);
    if (elapsed !== undefined) words.push(formatDuration(elapsed));
  } else if (progress.state === 'waiting') {
    words.splice(2, 1, describeWaiting(progress, nowMs), progress.id);
  } else if (progress.state !== 'queued') {
    words.push(progress.id);
  }
  return sanitize(words.join(' '));
}

// Label, status, elapsed and tokens are aligned; the last activity takes what is left.
function renderFrame(members: Members, nowMs: number, columns: number): string {
  const rows = [...members.values()].map((member) => formatMemberCells(member, nowMs));
  const widths = [0, 1, 2, 3].map((column) => Math.max(0, ...rows.map((cells) => (cells[column] ?? '').length)));
  const lines = rows.map((cells) => {
    const aligned = cells.map((cell, column) => (column < widths.length ? cell.padEnd(widths[column] ?? 0) : cell));
    return truncate(aligned.join('  ').trimEnd(), columns);
  });
  return lines.join('\n');
}

/** label, status, elapsed, tokens, last activity */
function formatMemberCells(member: Member, nowMs: number): string[] {
  const { progress } = member;
  const status =
    progress.state === 'done' ? (progress.outcome ?? 'done') : progress.state === 'waiting' ? describeWaiting(progress, nowMs) : progress.state;
  const elapsed = elapsedMs(member, nowMs);
  return [
    labelOf(progress),
    status,
    elapsed === undefined ? '' : formatElapsed(elapsed),
    progress.tokens === undefined ? '' : `${formatTokens(progress.tokens)} tok`,
    progress.lastActivity ?? '',
  ].map(sanitize);
}

/** `waiting for the usage limit to reset at 14:00` (local time; the date too when not today). */
export function describeWaiting(progress: Pick<MemberProgress, 'waitingUntil'>, nowMs: number): string {
  if (progress.waitingUntil === undefined) return 'waiting for the usage limit to reset';
  return `waiting for the usage limit to reset at ${formatLocalClock(progress.waitingUntil, nowMs)}`;
}

function formatLocalClock(ms: number, nowMs: number): string {
  const at = new Date(ms);
  const clock = `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
  if (at.toDateString() === new Date(nowMs).toDateString()) return clock;
  return `${at.toLocaleDateString('en-US', { month: 'short', day: 'numeric' })} ${clock}`;
}

function labelOf(progress: MemberProgress): string {
  return `${progress.executor}#${progress.attempt}`;
}

function elapsedMs(member: Member, nowMs: number): number | undefined {
  const { startedAt } = member.progress;
  if (startedAt === undefined) return undefined;
  return Math.max(0, (member.finishedAt ?? nowMs) - startedAt);
}

/** Whole seconds, so a live line changes once a second: `9s`, `1m05s`, `1h02m05s`. */
function formatElapsed(ms: number): string {
  const totalSeconds = Math.floor(ms / 1_000);
  const hours = Math.floor(totalSeconds / 3_600);
  const minutes = Math.floor((totalSeconds % 3_600) / 60);
  const seconds = String(totalSeconds % 60).padStart(2, '0');
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, '0')}m${seconds}s`;
  return minutes > 0 ? `${minutes}m${seconds}s` : `${totalSeconds}s`;
}

function sanitize(text: string): string {
  return text.replace(CONTROL_CHARS, ' ');
}

// Cuts by code point so a multi-byte character is never split in half.
function truncate(line: string, columns: number): string {
  const chars = [...line];
  if (chars.length <= columns) return line;
  return `${chars.slice(0, Math.max(0, columns - 1)).join('')}…`;
}
