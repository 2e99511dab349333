/**
 * Maps `codex exec --json` stdout (AGENT-PROTOCOLS §2) onto the normalized events
 * (DESIGN §4). Pure: one line in, events out; never throws.
 *
 * Choices beyond the table: `command` is emitted on item.started and item.completed;
 * `file.change` only on item.completed (claude can only report it on completion, and one
 * event per patch keeps counts honest); `tool.call` on started and completed; `todo` on
 * every phase; `message` / `reasoning` / item `error` on completed only.
 */
import { truncateOutput, type AgentEvent, type FileChangeKind, type Usage } from '../events.js';
import { attachOutputJson } from '../event-json.js';
import { classifyCodexError } from './classify-error.js';
import { parseQuotaResetAt } from './quota-reset.js';
import type { LineParser } from './types.js';
import { arrayField, createJsonLineParser, isObject, numberField, stringField, type JsonObject } from './json-fields.js';

type Phase = 'started' | 'updated' | 'completed';

type CommandEvent = Extract<AgentEvent, { type: 'command' }>;

const ITEM_PHASES = new Map<unknown, Phase>([
  ['item.started', 'started'],
  ['item.updated', 'updated'],
  ['item.completed', 'completed'],
]);

/** `now` dates the reset codex prints as a local clock time ("try again at 3:15 PM"). */
export function createCodexParser(now: () => Date = () => new Date()): LineParser {
  return createJsonLineParser((value, line) => mapCodexEvent(value, line, now));
}

/** undefined means "not recognised": the caller emits `unknown`. */
function mapCodexEvent(value: unknown, line: string, now: () => Date): AgentEvent[] | undefined {
  if (!isObject(value)) return undefined;
  const type = value.type;
  if (type === 'thread.started') {
    const sessionId = stringField(value, 'thread_id');
    return sessionId === undefined ? undefined : [{ type: 'session.started', session_id: sessionId }];
  }
  if (type === 'turn.started') return [{ type: 'turn.started' }];
  if (type === 'turn.completed') return [mapTurnCompleted(value)];
  if (type === 'turn.failed') return [mapTurnFailed(value, now)];
  if (type === 'error') return mapTopLevelError(value, now);
  const phase = ITEM_PHASES.get(type);
  if (phase !== undefined && isObject(value.item)) return mapItem(value.item, phase, line);
  return undefined;
}

function mapTurnCompleted(value: JsonObject): AgentEvent {
  const usage = isObject(value.usage) ? mapUsage(value.usage) : undefined;
  if (usage === undefined) return { type: 'turn.completed', usage_cumulative: true };
  return { type: 'turn.completed', usage, usage_cumulative: true };
}

function mapUsage(usage: JsonObject): Usage {
  return {
    input_tokens: numberField(usage, 'input_tokens') ?? 0,
    cached_input_tokens: numberField(usage, 'cached_input_tokens') ?? 0,
    output_tokens: numberField(usage, 'output_tokens') ?? 0,
    reasoning_tokens: numberField(usage, 'reasoning_output_tokens') ?? 0,
  };
}

function mapTurnFailed(value: JsonObject, now: () => Date): AgentEvent {
  const error = value.error;
  const message =
    (isObject(error) ? stringField(error, 'message') : typeof error === 'string' ? error : undefined) ??
    'turn failed';
  const kind = classifyCodexError(message);
  const resetAt = kind === 'usage_limit' ? parseQuotaResetAt(message, now()) : undefined;
  return resetAt ? { type: 'turn.failed', error: message, error_kind: kind, reset_at: resetAt } : { type: 'turn.failed', error: message, error_kind: kind };
}

/**
 * Top-level `error`: retry notices ("Reconnecting... 2/5 (…)") and the final error before
 * turn.failed. A usage limit is fatal: codex 0.169 does not retry it, nor should we wait.
 */
function mapTopLevelError(value: JsonObject, now: () => Date): AgentEvent[] | undefined {
  const message = stringField(value, 'message');
  if (message === undefined) return undefined;
  const kind = classifyCodexError(message);
  if (kind !== 'usage_limit') return [{ type: 'error', message, error_kind: kind, fatal: false }];
  const resetAt = parseQuotaResetAt(message, now());
  return [{ type: 'error', message, error_kind: kind, fatal: true, ...(resetAt ? { reset_at: resetAt } : {}) }];
}

/** Item `error`: codex's warnings ("Model metadata for `X` not found…"); the turn goes on. */
function mapWarningItem(item: JsonObject): AgentEvent[] | undefined {
  const message = stringField(item, 'message');
  return message === undefined ? undefined : [{ type: 'warning', message }];
}

function mapItem(item: JsonObject, phase: Phase, line: string): AgentEvent[] | undefined {
  switch (item.type) {
    case 'agent_message':
      return mapTextItem(item, phase, 'message');
    case 'reasoning':
      return mapTextItem(item, phase, 'reasoning');
    case 'command_execution':
      return phase === 'updated' ? [] : mapCommand(item, phase, line);
    case 'file_change':
      return phase === 'completed' ? mapFileChange(item) : [];
    case 'mcp_tool_call':
      return phase === 'updated' ? [] : mapToolCall(item, phase);
    case 'todo_list':
      return mapTodoList(item);
    case 'error':
      return phase === 'completed' ? mapWarningItem(item) : [];
    default:
      return undefined;
  }
}

function mapTextItem(
  item: JsonObject,
  phase: Phase,
  type: 'message' | 'reasoning',
): AgentEvent[] | undefined {
  if (phase !== 'completed') return [];
  const text = stringField(item, 'text');
  return text === undefined ? undefined : [{ type, text }];
}

/** `line`: the item's JSON line, whose text of the output events.jsonl reuses (event-json.ts). */
function mapCommand(item: JsonObject, phase: Phase, line: string): AgentEvent[] | undefined {
  const command = stringField(item, 'command');
  if (command === undefined) return undefined;
  const exitCode = numberField(item, 'exit_code') ?? null;
  const event: CommandEvent = {
    type: 'command',
    command,
    status: toCommandStatus(stringField(item, 'status'), phase, exitCode),
    exit_code: exitCode,
  };
  const output = stringField(item, 'aggregated_output');
  if (output !== undefined && (output !== '' || phase === 'completed')) {
    event.output = truncateOutput(output);
    attachOutputJson(event, line, 'aggregated_output', output);
  }
  return [event];
}

function toCommandStatus(
  status: string | undefined,
  phase: Phase,
  exitCode: number | null,
): CommandEvent['status'] {
  if (status === 'in_progress' || status === 'completed' || status === 'failed') return status;
  if (status === 'declined') return 'failed';
  if (phase === 'started') return 'in_progress';
  return exitCode === 0 ? 'completed' : 'failed';
}

function mapFileChange(item: JsonObject): AgentEvent[] {
  const changes = arrayField(item, 'changes')
    .filter(isObject)
    .flatMap((change) => {
      const path = stringField(change, 'path');
      return path === undefined ? [] : [{ path, kind: toFileChangeKind(change.kind) }];
    });
  const status = stringField(item, 'status');
  return [status === undefined ? { type: 'file.change', changes } : { type: 'file.change', changes, status }];
}

function toFileChangeKind(kind: unknown): FileChangeKind {
  return kind === 'add' || kind === 'delete' ? kind : 'update';
}

function mapToolCall(item: JsonObject, phase: Phase): AgentEvent[] | undefined {
  const tool = stringField(item, 'tool');
  if (tool === undefined) return undefined;
  const status = stringField(item, 'status') ?? (phase === 'started' ? 'in_progress' : 'completed');
  const server = stringField(item, 'server');
  if (server === undefined) return [{ type: 'tool.call', tool, status }];
  return [{ type: 'tool.call', tool, server, status }];
}

function mapTodoList(item: JsonObject): AgentEvent[] {
  const items = arrayField(item, 'items')
    .filter(isObject)
    .flatMap((entry) => {
      const text = stringField(entry, 'text');
      return text === undefined ? [] : [{ text, completed: entry.completed === true }];
    });
  return [{ type: 'todo', items }];
}
