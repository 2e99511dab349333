import { newId } from './ids.js';
import type { OutputItem } from './scenarios.js';
import type { SseEvent } from './sse-writer.js';

type Json = Record<string, unknown>;

/** Deterministic usage per turn: 100 in, 20 out (5 of them reasoning when there is some). */
function buildUsage(items: OutputItem[]): Json {
  const reasoningTokens = items.some((item) => item.kind === 'reasoning') ? 5 : 0;
  return {
    input_tokens: 100,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 20,
    output_tokens_details: { reasoning_tokens: reasoningTokens },
    total_tokens: 120,
  };
}

/** The finished output item, as `response.output_item.done` and `response.completed` carry it. */
function toResponseItem(item: OutputItem): Json {
  switch (item.kind) {
    case 'reasoning':
      return { type: 'reasoning', id: newId('rs'), summary: [{ type: 'summary_text', text: item.text }] };
    case 'tool_call':
      return {
        type: 'function_call',
        id: newId('fc'),
        call_id: item.callId,
        ...(item.namespace ? { namespace: item.namespace } : {}),
        name: item.name,
        arguments: JSON.stringify(item.input),
        status: 'completed',
      };
    case 'text':
      return {
        type: 'message',
        id: newId('msg'),
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: item.text, annotations: [] }],
      };
  }
}

/** The incremental events leading up to an item's `output_item.done`. */
function buildItemDeltas(done: Json, outputIndex: number): Array<[string, Json]> {
  const at = { item_id: done.id, output_index: outputIndex };
  if (done.type === 'function_call') {
    const started = { ...done, arguments: '', status: 'in_progress' };
    return [
      ['response.output_item.added', { output_index: outputIndex, item: started }],
      ['response.function_call_arguments.delta', { ...at, delta: done.arguments }],
      ['response.function_call_arguments.done', { ...at, arguments: done.arguments }],
    ];
  }
  if (done.type === 'reasoning') {
    const text = (done.summary as Array<{ text: string }>)[0]?.text ?? '';
    const part = { type: 'summary_text', text };
    return [
      ['response.output_item.added', { output_index: outputIndex, item: { ...done, summary: [] } }],
      ['response.reasoning_summary_part.added', { ...at, summary_index: 0, part: { ...part, text: '' } }],
      ['response.reasoning_summary_text.delta', { ...at, summary_index: 0, delta: text }],
      ['response.reasoning_summary_text.done', { ...at, summary_index: 0, text }],
      ['response.reasoning_summary_part.done', { ...at, summary_index: 0, part }],
    ];
  }
  const text = (done.content as Array<{ text: string }>)[0]?.text ?? '';
  const part = { type: 'output_text', text, annotations: [] };
  return [
    ['response.output_item.added', { output_index: outputIndex, item: { ...done, status: 'in_progress', content: [] } }],
    ['response.content_part.added', { ...at, content_index: 0, part: { ...part, text: '' } }],
    ['response.output_text.delta', { ...at, content_index: 0, delta: text }],
    ['response.output_text.done', { ...at, content_index: 0, text }],
    ['response.content_part.done', { ...at, content_index: 0, part }],
  ];
}

function buildResponse(id: string, output: Json[], items: OutputItem[], model: string, createdAt: number): Json {
  return { id, object: 'response', created_at: createdAt, model, status: 'completed', output, usage: buildUsage(items) };
}

/** A complete non-streamed Responses API answer. */
export function buildResponsesJson(items: OutputItem[], model: string, createdAt: number): Json {
  return buildResponse(newId('resp'), items.map(toResponseItem), items, model, createdAt);
}

/** The SSE events of one streamed Responses API answer (what codex reads). */
export function buildResponsesEvents(items: OutputItem[], model: string, createdAt: number): SseEvent[] {
  const id = newId('resp');
  const started = { id, object: 'response', created_at: createdAt, model, status: 'in_progress', output: [] };
  const output = items.map(toResponseItem);
  const events: Array<[string, Json]> = [
    ['response.created', { response: started }],
    ['response.in_progress', { response: started }],
  ];
  for (const [index, done] of output.entries()) {
    events.push(...buildItemDeltas(done, index));
    events.push(['response.output_item.done', { output_index: index, item: done }]);
  }
  events.push(['response.completed', { response: buildResponse(id, output, items, model, createdAt) }]);
  return events.map(([type, data], sequence) => ({ event: type, data: { type, sequence_number: sequence, ...data } }));
}

const OPENAI_ERRORS: Record<number, Json> = {
  401: {
    message: 'Incorrect API key provided: scripted failure (outpost model server).',
    type: 'invalid_request_error',
    param: null,
    code: 'invalid_api_key',
  },
  429: {
    message: 'Rate limit reached for requests (outpost model server). Please try again in 1s.',
    type: 'requests',
    param: null,
    code: 'rate_limit_exceeded',
  },
  500: {
    message: 'The server had an error while processing your request (outpost model server).',
    type: 'server_error',
    param: null,
    code: null,
  },
  529: {
    message: 'The engine is currently overloaded, please try again later (outpost model server).',
    type: 'server_error',
    param: null,
    code: 'server_is_overloaded',
  },
};

/** An error body in the OpenAI API's shape. */
export function buildResponsesError(status: number): Json {
  return { error: OPENAI_ERRORS[status] ?? { message: `status ${status}`, type: 'server_error', param: null, code: null } };
}
