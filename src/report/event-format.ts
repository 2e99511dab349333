import type { EventType, NormalizedEvent, TimedEvent, Usage } from '../events.js';
import { createPalette, type Palette } from './term-style.js';

/** How `dispatch logs` renders: `color` adds ANSI styles (the caller decides: TTY, NO_COLOR). */
export interface EventFormatOptions {
  color: boolean;
}

type EventOf<T extends EventType> = Extract<NormalizedEvent, { type: T }>;
type Formatter<T extends EventType> = (event: EventOf<T>, style: Palette) => string[];
/** One formatter per event type: a new event type without a rendering does not compile. */
type EventFormatters = { [T in EventType]: Formatter<T> };

const CLOCK_WIDTH = 'HH:MM:SS '.length;
const INDENT = ' '.repeat(CLOCK_WIDTH);
const NO_CLOCK = '--:--:--';
const OUTPUT_PREVIEW_LINES = 5;
const COMMAND_LABEL_CHARS = 60;
const RAW_PREVIEW_CHARS = 160;
// C0/C1 controls except tab and newline: an agent's text must not drive the terminal.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

const FORMATTERS: EventFormatters = {
  'session.started': (event) => [`session ${clean(event.session_id)}${event.model ? ` (model ${clean(event.model)})` : ''}`],
  'turn.started': (_event, style) => [style.dim('turn started')],
  message: (event) => splitLines(clean(event.text)),
  reasoning: (event, style) => splitLines(`thinking: ${clean(event.text)}`).map(style.dim),
  command: formatCommand,
  'file.change': (event, style) =>
    event.changes.map((change) => `edit ${clean(change.path)} (${change.kind})${event.status === 'failed' ? style.red(' failed') : ''}`),
  'tool.call': (event, style) => {
    const line = `tool ${event.server ? `${clean(event.server)}/` : ''}${clean(event.tool)} (${clean(event.status)})`;
    return [event.status === 'failed' ? style.red(line) : line];
  },
  todo: (event, style) => [
    `todo ${event.items.filter((item) => item.completed).length}/${event.items.length} done`,
    ...event.items.map((item) => (item.completed ? style.green(`[x] ${clean(item.text)}`) : `[ ] ${clean(item.text)}`)),
  ],
  'turn.completed': (event) => [`turn completed${formatUsage(event.usage)}${event.cost_usd === undefined ? '' : `, $${event.cost_usd.toFixed(4)}`}`],
  'turn.failed': (event, style) =>
    splitLines(`turn failed${event.error_kind ? ` [${event.error_kind}]` : ''}: ${clean(event.error)}`).map((line) => style.bold(style.red(line))),
  error: (event, style) =>
    splitLines(`error${event.error_kind ? ` [${event.error_kind}]` : ''}: ${clean(event.message)}${formatReset(event.reset_at)}`).map((line) =>
      style.red(line),
    ),
  warning: (event, style) => splitLines(`warning: ${clean(event.message)}`).map((line) => style.yellow(line)),
  task: (event, style) => {
    const what = clean(event.summary ?? event.description ?? '');
    const line = `task ${clean(event.id)} ${clean(event.status)}${what ? `: ${previewText(what, COMMAND_LABEL_CHARS)}` : ''}`;
    return [event.status === 'failed' ? style.red(line) : style.dim(line)];
  },
  unknown: (event, style) => [style.yellow(`? ${previewRaw(event.raw)}`)],
  'run.started': (event, style) => [style.bold(`run ${clean(event.run_id)} started (${clean(event.executor)})`)],
  'run.finished': (event, style) => [paintStatus(event.status, style)(formatFinish(event))],
  'check.finished': (event, style) => {
    const exit = event.exit_code === null ? '' : ` (exit ${event.exit_code})`;
    return [event.passed ? style.green(`check passed${exit}`) : style.red(`check failed${exit}`)];
  },
};

/** Renders one event as `HH:MM:SS text`, further lines indented under the text; ends with a newline. */
export function formatEvent(event: TimedEvent, opts: EventFormatOptions): string {
  const style = createPalette(opts.color);
  let body: string[];
  try {
    body = renderBody(event, style);
  } catch {
    // An event of a known type but an unexpected shape (another dispatcher version): show it raw.
    body = FORMATTERS.unknown({ type: 'unknown', raw: event }, style);
  }
  return joinLines(style.dim(formatClock(event.ts)), body);
}

/**
 * Renders one line of events.jsonl: an event as formatEvent does, a line that is no event
 * as a `! corrupt line skipped` marker, an empty line as nothing.
 */
export function formatEventLine(line: string, opts: EventFormatOptions): string {
  if (line.trim() === '') return '';
  const event = parseEventLine(line);
  if (event) return formatEvent(event, opts);
  const style = createPalette(opts.color);
  return joinLines(style.dim(NO_CLOCK), [style.yellow(`! corrupt line skipped: ${previewText(clean(line), RAW_PREVIEW_CHARS)}`)]);
}

/** Parses a line into a timed event; an object of a type we have no formatter for becomes `unknown`. */
export function parseEventLine(line: string): TimedEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const ts = typeof record.ts === 'string' ? record.ts : '';
  if (typeof record.type === 'string' && Object.hasOwn(FORMATTERS, record.type)) return { ...record, ts } as TimedEvent;
  return { type: 'unknown', raw: record, ts };
}

/** `HH:MM:SS` in local time; `--:--:--` for a missing or invalid timestamp. */
export function formatClock(ts: string): string {
  const date = new Date(ts);
  if (ts === '' || Number.isNaN(date.getTime())) return NO_CLOCK;
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}

function renderBody(event: NormalizedEvent, style: Palette): string[] {
  // The mapped type guarantees the formatter matches event.type; TS cannot correlate the two.
  const format = FORMATTERS[event.type] as (event: NormalizedEvent, style: Palette) => string[];
  return format(event, style);
}

function formatCommand(event: EventOf<'command'>, style: Palette): string[] {
  if (event.status === 'in_progress') return [style.bold(`$ ${clean(event.command)}`)];
  const ok = event.status === 'completed' && (event.exit_code === 0 || event.exit_code === undefined || event.exit_code === null);
  const exit = typeof event.exit_code === 'number' ? `exit ${event.exit_code}` : event.status;
  const head = `${ok ? style.green(`✓ ${exit}`) : style.red(`✗ ${exit}`)} ${style.dim(previewText(clean(event.command), COMMAND_LABEL_CHARS))}`;
  return [head, ...previewOutput(event.output ?? '', style)];
}

function previewOutput(output: string, style: Palette): string[] {
  const lines = clean(output).replace(/\n+$/, '').split('\n');
  if (lines.length === 1 && lines[0] === '') return [];
  const shown = lines.slice(0, OUTPUT_PREVIEW_LINES).map((line) => style.dim(`  ${line}`));
  const more = lines.length - OUTPUT_PREVIEW_LINES;
  return more > 0 ? [...shown, style.dim(`  … ${more} more line${more === 1 ? '' : 's'}`)] : shown;
}

function formatReset(resetAt: string | undefined): string {
  if (!resetAt) return '';
  const date = new Date(resetAt);
  return Number.isNaN(date.getTime()) ? '' : ` (resets ${date.toLocaleString()})`;
}

function formatUsage(usage: Usage | undefined): string {
  if (!usage) return '';
  const cached = usage.cached_input_tokens > 0 ? ` (${usage.cached_input_tokens} cached)` : '';
  const reasoning = usage.reasoning_tokens > 0 ? ` (${usage.reasoning_tokens} reasoning)` : '';
  return `: tokens ${usage.input_tokens} in${cached}, ${usage.output_tokens} out${reasoning}`;
}

function formatFinish(event: EventOf<'run.finished'>): string {
  const details = [event.outcome === event.status ? '' : event.status, event.exit_code === null ? '' : `exit ${event.exit_code}`];
  const detail = details.filter((part) => part !== '').join(', ');
  return `run finished: ${clean(event.outcome)}${detail === '' ? '' : ` (${detail})`}`;
}

function paintStatus(status: string, style: Palette): (text: string) => string {
  if (status === 'success') return (text) => style.bold(style.green(text));
  if (status === 'cancelled' || status === 'abandoned') return (text) => style.bold(style.yellow(text));
  return (text) => style.bold(style.red(text));
}

function joinLines(clock: string, body: string[]): string {
  const [first = '', ...rest] = body;
  return `${[`${clock} ${first}`, ...rest.map((line) => `${INDENT}${line}`)].join('\n')}\n`;
}

function splitLines(text: string): string[] {
  return text.replace(/\n+$/, '').split('\n');
}

function clean(text: string | undefined): string {
  return (text ?? '').replace(/\r\n?/g, '\n').replace(CONTROL_CHARS, '');
}

function previewRaw(raw: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(raw) ?? 'undefined';
  } catch {
    text = '(unprintable)';
  }
  return previewText(clean(text), RAW_PREVIEW_CHARS);
}

// Cuts by code point so a multi-byte character is never split in half; newlines become spaces.
function previewText(text: string, max: number): string {
  const chars = [...text.replace(/\s*\n\s*/g, ' ')];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}
