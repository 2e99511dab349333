import { newId } from './ids.js';
import type { OutputItem } from './scenarios.js';
import type { SseEvent } from './sse-writer.js';

type Json = Record<string, unknown>;

const INPUT_TOKENS = 100;
const OUTPUT_TOKENS = 20;

/** Usage of one turn in the Messages API's shape (deterministic). */
function buildUsage(outputTokens: number): Json {
  return {
    input_tokens: INPUT_TOKENS,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: outputTokens,
  };
}

function stopReasonOf(items: OutputItem[]): string {
  return items.some((item) => item.kind === 'tool_call') ? 'tool_use' : 'end_turn';
}

// claude keeps thinking blocks and sends them back; nothing checks the signature here.
function signatureOf(text: string): string {
  return Buffer.from(`outpost:${text.length}`).toString('base64');
}

/** A finished content block, as a non-streamed Message carries it. */
function toContentBlock(item: OutputItem): Json {
  switch (item.kind) {
    case 'reasoning':
      return { type: 'thinking', thinking: item.text, signature: signatureOf(item.text) };
    case 'tool_call':
      return { type: 'tool_use', id: item.callId, name: item.name, input: item.input };
    case 'text':
      return { type: 'text', text: item.text };
  }
}

/** The start block and deltas of one content block. */
function buildBlockEvents(item: OutputItem, index: number): Array<[string, Json]> {
  const start = (block: Json): [string, Json] => ['content_block_start', { index, content_block: block }];
  const delta = (value: Json): [string, Json] => ['content_block_delta', { index, delta: value }];
  const stop: [string, Json] = ['content_block_stop', { index }];
  switch (item.kind) {
    case 'reasoning':
      return [
        start({ type: 'thinking', thinking: '', signature: '' }),
        delta({ type: 'thinking_delta', thinking: item.text }),
        delta({ type: 'signature_delta', signature: signatureOf(item.text) }),
        stop,
      ];
    case 'tool_call': {
      // Split the arguments in two deltas, as the real API streams them.
      const json = JSON.stringify(item.input);
      const half = Math.floor(json.length / 2);
      return [
        start({ type: 'tool_use', id: item.callId, name: item.name, input: {} }),
        delta({ type: 'input_json_delta', partial_json: json.slice(0, half) }),
        delta({ type: 'input_json_delta', partial_json: json.slice(half) }),
        stop,
      ];
    }
    case 'text':
      return [start({ type: 'text', text: '' }), delta({ type: 'text_delta', text: item.text }), stop];
  }
}

/** The SSE events of one streamed Messages API answer (what claude reads). */
export function buildMessagesEvents(items: OutputItem[], model: string): SseEvent[] {
  const message = {
    id: newId('msg'),
    type: 'message',
    role: 'assistant',
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: buildUsage(1),
  };
  const events: Array<[string, Json]> = [['message_start', { message }]];
  for (const [index, item] of items.entries()) events.push(...buildBlockEvents(item, index));
  events.push(
    ['message_delta', { delta: { stop_reason: stopReasonOf(items), stop_sequence: null }, usage: { output_tokens: OUTPUT_TOKENS } }],
    ['message_stop', {}],
  );
  return events.map(([type, data]) => ({ event: type, data: { type, ...data } }));
}

/** A complete non-streamed Message (claude falls back to it after a broken stream). */
export function buildMessagesJson(items: OutputItem[], model: string): Json {
  return {
    id: newId('msg'),
    type: 'message',
    role: 'assistant',
    model,
    content: items.map(toContentBlock),
    stop_reason: stopReasonOf(items),
    stop_sequence: null,
    usage: buildUsage(OUTPUT_TOKENS),
  };
}

const ANTHROPIC_ERRORS: Record<number, Json> = {
  401: { type: 'authentication_error', message: 'invalid x-api-key (outpost model server)' },
  429: { type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit (outpost model server).' },
  500: { type: 'api_error', message: 'Internal server error (outpost model server)' },
  529: { type: 'overloaded_error', message: 'Overloaded (outpost model server)' },
};

/** An error body in the Anthropic API's shape. */
export function buildMessagesError(status: number, requestId: string): Json {
  const error = ANTHROPIC_ERRORS[status] ?? { type: 'api_error', message: `status ${status}` };
  return { type: 'error', error, request_id: requestId };
}

/** A rough, deterministic token count for `count_tokens` (4 characters a token). */
export function countTokens(bodyText: string): number {
  return Math.max(1, Math.ceil(bodyText.length / 4));
}
