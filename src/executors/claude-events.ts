/**
 * Maps `claude -p --output-format stream-json --verbose` stdout (AGENT-PROTOCOLS §2) onto
 * the normalized events (DESIGN §4). One parser per run: it remembers open tool_use blocks
 * by id so their tool_result can close them. Never throws.
 *
 * Usage from `result`: input_tokens = input + cache_creation + cache_read (every prompt
 * token, as codex counts them), cached_input_tokens = cache_read, reasoning_tokens = 0
 * (claude does not report it). It is the sum over `modelUsage`, which counts every model call
 * of the invocation — side calls (the session title) and subagents included, as
 * `total_cost_usd` does — and stays right after claude's non-streaming recovery, where
 * `result.usage` is all zeros (2.1.197); `result.usage` only when modelUsage is missing. It
 * covers this invocation only: after a resume it does not include the earlier run (unlike
 * codex's thread-cumulative usage).
 */
import { truncateOutput, type AgentEvent, type FileChangeKind, type Usage } from '../events.js';
import { classifyClaudeError } from './classify-error.js';
import { createSystemState, mapRateLimitEvent, mapSystem, type SystemState } from './claude-system-events.js';
import { parseQuotaResetAt } from './quota-reset.js';
import type { LineParser } from './types.js';
import { arrayField, createJsonLineParser, isObject, numberField, stringField, type JsonObject } from './json-fields.js';

type TurnCompleted = Extract<AgentEvent, { type: 'turn.completed' }>;
interface OpenTool {
  name: string;
  input: JsonObject;
}
interface ParserState {
  tools: Map<string, OpenTool>;
  /** The `error` code of the last synthetic assistant message, for the failing `result`. */
  syntheticError: string | undefined;
  system: SystemState;
  now: () => Date;
}

const FILE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);

/** `now` dates reset times the agent prints as a clock time ("resets 9am (Europe/Berlin)"). */
export function createClaudeParser(now: () => Date = () => new Date()): LineParser {
  const state: ParserState = { tools: new Map(), syntheticError: undefined, system: createSystemState(), now };
  return createJsonLineParser((value) => mapClaudeEvent(value, state));
}

/** undefined means "not recognised": the caller emits `unknown`. */
function mapClaudeEvent(value: unknown, state: ParserState): AgentEvent[] | undefined {
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case 'system':
      return mapSystem(value, state.system);
    case 'rate_limit_event':
      return mapRateLimitEvent(value);
    case 'assistant':
      return isObject(value.message) ? mapAssistant(value, value.message, state) : undefined;
    case 'user':
      return isObject(value.message) ? mapUser(value, value.message, state) : undefined;
    case 'result':
      return [mapResult(value, state)];
    default:
      return undefined;
  }
}

function mapAssistant(value: JsonObject, message: JsonObject, state: ParserState): AgentEvent[] {
  const syntheticError = message.model === '<synthetic>' ? stringField(value, 'error') : undefined;
  state.syntheticError = syntheticError;
  return arrayField(message, 'content').flatMap((block) => mapAssistantBlock(block, syntheticError, state));
}

function mapAssistantBlock(
  block: unknown,
  syntheticError: string | undefined,
  state: ParserState,
): AgentEvent[] {
  if (!isObject(block)) return [{ type: 'unknown', raw: block }];
  const text = stringField(block, 'text');
  if (block.type === 'text' && text !== undefined) {
    if (syntheticError === undefined) return [{ type: 'message', text }];
    const kind = classifyClaudeError(syntheticError, text);
    if (kind !== 'usage_limit') return [{ type: 'error', message: text, error_kind: kind, fatal: false }];
    // "You've hit your session limit · resets 9am (Europe/Berlin)": nothing to wait out.
    const resetAt = parseQuotaResetAt(text, state.now());
    return [{ type: 'error', message: text, error_kind: kind, fatal: true, ...(resetAt ? { reset_at: resetAt } : {}) }];
  }
  const thinking = stringField(block, 'thinking');
  if (block.type === 'thinking' && thinking !== undefined) return [{ type: 'reasoning', text: thinking }];
  if (block.type === 'tool_use') return openTool(block, state);
  return [{ type: 'unknown', raw: block }];
}

function openTool(block: JsonObject, state: ParserState): AgentEvent[] {
  const name = stringField(block, 'name');
  if (name === undefined) return [{ type: 'unknown', raw: block }];
  const input = isObject(block.input) ? block.input : {};
  const id = stringField(block, 'id');
  if (id !== undefined) state.tools.set(id, { name, input });
  if (name === 'Bash') {
    return [{ type: 'command', command: stringField(input, 'command') ?? '', status: 'in_progress' }];
  }
  if (FILE_TOOLS.has(name)) return [];
  if (name === 'TodoWrite') return [mapTodoWrite(input)];
  return [toToolCall(name, 'in_progress')];
}

function mapTodoWrite(input: JsonObject): AgentEvent {
  const items = arrayField(input, 'todos')
    .filter(isObject)
    .flatMap((todo) => {
      const text = stringField(todo, 'content');
      return text === undefined ? [] : [{ text, completed: todo.status === 'completed' }];
    });
  return { type: 'todo', items };
}

/** `mcp__server__tool` → {server, tool}; other names are the tool itself. */
function toToolCall(name: string, status: string): AgentEvent {
  const match = /^mcp__(.+?)__(.+)$/.exec(name);
  if (match?.[1] === undefined || match[2] === undefined) return { type: 'tool.call', tool: name, status };
  return { type: 'tool.call', tool: match[2], server: match[1], status };
}

function mapUser(value: JsonObject, message: JsonObject, state: ParserState): AgentEvent[] | undefined {
  const results = arrayField(message, 'content').filter(
    (block): block is JsonObject => isObject(block) && block.type === 'tool_result',
  );
  if (results.length === 0) return undefined;
  // tool_use_result describes the message's only result; with several it is ambiguous.
  const detail = results.length === 1 && isObject(value.tool_use_result) ? value.tool_use_result : undefined;
  return results.flatMap((block) => closeTool(block, detail, state));
}

function closeTool(block: JsonObject, detail: JsonObject | undefined, state: ParserState): AgentEvent[] {
  const id = stringField(block, 'tool_use_id');
  const tool = id === undefined ? undefined : state.tools.get(id);
  if (id === undefined || tool === undefined) return [{ type: 'unknown', raw: block }];
  state.tools.delete(id);
  const failed = block.is_error === true;
  const status = failed ? 'failed' : 'completed';
  const { name, input } = tool;
  if (name === 'Bash') {
    const output = contentText(block.content);
    const command = stringField(input, 'command') ?? '';
    const exitCode = failed ? exitCodeOf(output) : 0;
    return [{ type: 'command', command, status, exit_code: exitCode, output: truncateOutput(output) }];
  }
  if (FILE_TOOLS.has(name)) {
    return [{ type: 'file.change', changes: fileChangesOf(name, input, detail), status }];
  }
  if (name === 'TodoWrite') return [];
  return [toToolCall(name, status)];
}

/** Claude prefixes a failed command's output with "Exit code N". */
function exitCodeOf(output: string): number {
  const match = /^Exit code (\d+)/.exec(output);
  return match?.[1] === undefined ? 1 : Number(match[1]);
}

function fileChangesOf(
  name: string,
  input: JsonObject,
  detail: JsonObject | undefined,
): { path: string; kind: FileChangeKind }[] {
  const path = stringField(input, name === 'NotebookEdit' ? 'notebook_path' : 'file_path');
  if (path === undefined) return [];
  const kind: FileChangeKind = name === 'Write' && detail?.type === 'create' ? 'add' : 'update';
  return [{ path, kind }];
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter(isObject)
    .map((part) => stringField(part, 'text'))
    .filter((text): text is string => text !== undefined)
    .join('\n');
}

/** `subtype` may say "success" while `is_error` is true: is_error decides. */
function mapResult(value: JsonObject, state: ParserState): AgentEvent {
  const subtype = stringField(value, 'subtype');
  const failed =
    value.is_error === true || (value.is_error !== false && subtype?.startsWith('error') === true);
  const text = stringField(value, 'result');
  if (failed) {
    const error = text !== undefined && text !== '' ? text : (subtype ?? 'claude reported an error');
    const status = value.api_error_status === null ? null : numberField(value, 'api_error_status');
    const kind = classifyClaudeError(state.syntheticError, error, status);
    const resetAt = kind === 'usage_limit' ? parseQuotaResetAt(error, state.now()) : undefined;
    return resetAt ? { type: 'turn.failed', error, error_kind: kind, reset_at: resetAt } : { type: 'turn.failed', error, error_kind: kind };
  }
  const event: TurnCompleted = { type: 'turn.completed', usage_cumulative: false };
  const usage = sumModelUsage(value.modelUsage) ?? (isObject(value.usage) ? mapUsage(value.usage) : undefined);
  if (usage) event.usage = usage;
  const cost = numberField(value, 'total_cost_usd');
  if (cost !== undefined) event.cost_usd = cost;
  if (text !== undefined) event.final_text = text;
  if (value.structured_output !== undefined) event.structured_output = value.structured_output;
  return event;
}

/** `modelUsage`: {"<model>": {inputTokens, outputTokens, cacheReadInputTokens, cacheCreationInputTokens, …}}. */
function sumModelUsage(modelUsage: unknown): Usage | undefined {
  if (!isObject(modelUsage)) return undefined;
  const models = Object.values(modelUsage).filter(isObject);
  if (models.length === 0) return undefined;
  const total: Usage = { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, reasoning_tokens: 0 };
  for (const model of models) {
    const cacheRead = numberField(model, 'cacheReadInputTokens') ?? 0;
    total.input_tokens += (numberField(model, 'inputTokens') ?? 0) + (numberField(model, 'cacheCreationInputTokens') ?? 0) + cacheRead;
    total.cached_input_tokens += cacheRead;
    total.output_tokens += numberField(model, 'outputTokens') ?? 0;
  }
  return total;
}

function mapUsage(usage: JsonObject): Usage {
  const cacheRead = numberField(usage, 'cache_read_input_tokens') ?? 0;
  const cacheCreation = numberField(usage, 'cache_creation_input_tokens') ?? 0;
  return {
    input_tokens: (numberField(usage, 'input_tokens') ?? 0) + cacheCreation + cacheRead,
    cached_input_tokens: cacheRead,
    output_tokens: numberField(usage, 'output_tokens') ?? 0,
    reasoning_tokens: 0,
  };
}
