import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AgentEvent, ErrorKind } from '../../src/events.js';
import { createCodexParser } from '../../src/executors/codex-events.js';

const FIXTURES = new URL('../fixtures/transcripts/', import.meta.url);

function readLines(name: string): string[] {
  return readFileSync(new URL(name, FIXTURES), 'utf8').split('\n');
}

function parseTranscript(name: string): AgentEvent[] {
  const parse = createCodexParser();
  return readLines(name).flatMap((line) => parse(line));
}

function ofType<T extends AgentEvent['type']>(events: AgentEvent[], type: T): Extract<AgentEvent, { type: T }>[] {
  return events.filter((event): event is Extract<AgentEvent, { type: T }> => event.type === type);
}

// codex's item `error` is a warning: the run goes on (and usually succeeds).
const MODEL_WARNING = {
  type: 'warning',
  message:
    'Model metadata for `mock-model` not found. Defaulting to fallback metadata; this can degrade performance and cause issues.',
} as const satisfies AgentEvent;
const USAGE_200 = { input_tokens: 200, cached_input_tokens: 20, output_tokens: 40, reasoning_tokens: 10 };
const CODEX_NOISE = /^(WARNING: proceeding|Reading additional input from stdin)/;
const codexTranscripts = readdirSync(FIXTURES).filter((name) => name.endsWith('.jsonl') && name.includes('codex'));

describe('createCodexParser on real transcripts', () => {
  it('maps the golden run exactly', () => {
    const command = "/bin/bash -lc 'echo hi > hello.txt'";
    expect(parseTranscript('golden-codex.jsonl')).toEqual([
      { type: 'session.started', session_id: '01a20b89-effe-77f0-849a-02d985ed6686' },
      MODEL_WARNING,
      { type: 'turn.started' },
      { type: 'command', command, status: 'in_progress', exit_code: null },
      { type: 'command', command, status: 'completed', exit_code: 0, output: '' },
      { type: 'message', text: 'done' },
      { type: 'turn.completed', usage: USAGE_200, usage_cumulative: true },
    ]);
  });

  it('maps reasoning and apply_patch file changes (one file.change per patch)', () => {
    const events = parseTranscript('codex-apply-patch-reasoning.jsonl');
    expect(ofType(events, 'reasoning')).toEqual([{ type: 'reasoning', text: '**Planning** I will create hello.txt.' }]);
    expect(ofType(events, 'file.change')).toEqual([
      { type: 'file.change', changes: [{ path: '/home/user/work/repo5/hello.txt', kind: 'add' }], status: 'completed' },
    ]);
    expect(ofType(events, 'message').map((event) => event.text)).toEqual(['done']);
  });

  it('maps mcp tool calls and keeps non-JSON noise as unknown strings', () => {
    const events = parseTranscript('codex-mcp.jsonl');
    expect(ofType(events, 'tool.call')).toEqual([
      { type: 'tool.call', tool: 'echo', server: 'echo', status: 'in_progress' },
      { type: 'tool.call', tool: 'echo', server: 'echo', status: 'completed' },
    ]);
    const unknown = ofType(events, 'unknown');
    expect(unknown).toHaveLength(2);
    expect(unknown[0]?.raw).toMatch(/^WARNING: proceeding/);
    expect(unknown[1]?.raw).toBe('Reading additional input from stdin...');
  });

  it('maps todo_list items on started and completed', () => {
    const todos = ofType(parseTranscript('codex-update-plan.jsonl'), 'todo');
    const items = [
      { text: 'create hello.txt', completed: false },
      { text: 'say done', completed: false },
    ];
    expect(todos).toEqual([
      { type: 'todo', items },
      { type: 'todo', items },
    ]);
  });

  it('keeps the structured answer as message text', () => {
    const messages = ofType(parseTranscript('codex-output-schema.jsonl'), 'message');
    expect(messages.map((event) => JSON.parse(event.text) as unknown)).toEqual([{ status: 'done', files: [] }]);
  });

  it('leaves no command for a command blocked by the read-only sandbox', () => {
    const events = parseTranscript('codex-default-readonly.jsonl');
    expect(ofType(events, 'command')).toEqual([]);
    expect(ofType(events, 'turn.completed')).toHaveLength(1);
  });

  it('reports thread-cumulative usage after a resume under the same thread id', () => {
    const first = parseTranscript('codex-resume-1.jsonl');
    const second = parseTranscript('codex-resume-2.jsonl');
    expect(ofType(first, 'session.started')[0]?.session_id).toBe('01a20b6d-337d-7c63-a921-b07646738ed5');
    expect(ofType(second, 'session.started')[0]?.session_id).toBe('01a20b6d-337d-7c63-a921-b07646738ed5');
    expect(ofType(second, 'turn.completed')[0]).toEqual({
      type: 'turn.completed',
      usage: { input_tokens: 300, cached_input_tokens: 30, output_tokens: 60, reasoning_tokens: 15 },
      usage_cumulative: true,
    });
  });

  it.each(codexTranscripts)('%s: unknown only for non-JSON noise lines', (name) => {
    const unknown = ofType(parseTranscript(name), 'unknown');
    for (const event of unknown) expect(event.raw).toMatch(CODEX_NOISE);
  });
});

describe('createCodexParser on failures', () => {
  it.each([
    ['err-codex-401-noretry.jsonl', 'auth', 0],
    ['err-codex-401-defretry.jsonl', 'auth', 5],
    ['err-codex-429-noretry.jsonl', 'rate_limit', 0],
    ['err-codex-429-defretry.jsonl', 'rate_limit', 5],
    ['err-codex-500-noretry.jsonl', 'server', 0],
    ['err-codex-500-defretry.jsonl', 'server', 5],
    ['err-codex-cut-noretry.jsonl', 'network', 0],
    ['err-codex-cut-defretry.jsonl', 'network', 5],
    ['err-codex-refused-noretry-nounbounded.jsonl', 'network', 0],
    ['err-codex-refused-defretry-nounbounded.jsonl', 'network', 5],
    ['err-codex-stall-idle3s.jsonl', 'network', 0],
    ['noauth-codex-envkey-unset.jsonl', 'auth', 0],
  ] as const)('%s ends in turn.failed of kind %s', (name, kind: ErrorKind, retries) => {
    const events = parseTranscript(name);
    const failed = ofType(events, 'turn.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.error_kind).toBe(kind);
    const errors = ofType(events, 'error');
    expect(errors).toHaveLength(retries + 1);
    expect(errors.filter((event) => event.message.startsWith('Reconnecting...'))).toHaveLength(retries);
    for (const error of errors) expect(error).toMatchObject({ error_kind: kind, fatal: false });
    expect(errors.at(-1)?.message).toBe(failed[0]?.error);
  });

  it('keeps the exact failure text', () => {
    const [failed] = ofType(parseTranscript('err-codex-429-noretry.jsonl'), 'turn.failed');
    expect(failed).toEqual({
      type: 'turn.failed',
      error: 'exceeded retry limit, last status: 429 Too Many Requests',
      error_kind: 'rate_limit',
    });
  });

  it.each(['err-codex-refused-noretry.jsonl', 'err-codex-refused-defretry.jsonl', 'noauth-codex-empty.jsonl'])(
    '%s: endless network retries without turn.failed',
    (name) => {
      const events = parseTranscript(name);
      expect(ofType(events, 'turn.failed')).toEqual([]);
      const retries = ofType(events, 'error').filter((event) => event.message.startsWith('Reconnecting...'));
      expect(retries.length).toBeGreaterThanOrEqual(4);
      for (const retry of retries) expect(retry).toMatchObject({ error_kind: 'network', fatal: false });
    },
  );

  it('a hang leaves only the start of a turn', () => {
    const events = parseTranscript('err-codex-hang-idle3s.jsonl');
    expect(events.map((event) => event.type)).toEqual(['session.started', 'warning', 'turn.started']);
  });
});

describe('createCodexParser on odd input', () => {
  const parse = createCodexParser();

  it('ignores blank lines', () => {
    expect(parse('')).toEqual([]);
    expect(parse('   \t\r')).toEqual([]);
  });

  it.each([
    ['not json at all', 'not json at all'],
    ['{"type":', '{"type":'],
    ['[1,2]', [1, 2]],
    ['null', null],
    ['42', 42],
    ['"text"', 'text'],
    ['{}', {}],
    ['{"type":"thread.started"}', { type: 'thread.started' }],
    ['{"type":"item.completed"}', { type: 'item.completed' }],
    ['{"type":"item.completed","item":[1]}', { type: 'item.completed', item: [1] }],
    ['{"type":"constructor","item":{"type":"agent_message","text":"x"}}', { type: 'constructor', item: { type: 'agent_message', text: 'x' } }],
    ['{"type":"item.completed","item":{"type":"web_search","query":"x"}}', { type: 'item.completed', item: { type: 'web_search', query: 'x' } }],
    ['{"type":"item.completed","item":{"type":"command_execution","command":5}}', { type: 'item.completed', item: { type: 'command_execution', command: 5 } }],
    ['{"type":"error"}', { type: 'error' }],
  ])('%s → unknown', (line, raw) => {
    expect(parse(line)).toEqual([{ type: 'unknown', raw }]);
  });

  it('defaults missing fields instead of failing', () => {
    expect(parse('{"type":"turn.failed"}')).toEqual([{ type: 'turn.failed', error: 'turn failed', error_kind: 'other' }]);
    expect(parse('{"type":"turn.completed","usage":{"input_tokens":"x"}}')).toEqual([
      {
        type: 'turn.completed',
        usage: { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, reasoning_tokens: 0 },
        usage_cumulative: true,
      },
    ]);
    const failedCommand = { type: 'command_execution', command: 'false', exit_code: 1, status: 'failed', aggregated_output: 'no' };
    expect(parse(JSON.stringify({ type: 'item.completed', item: failedCommand }))).toEqual([
      { type: 'command', command: 'false', status: 'failed', exit_code: 1, output: 'no' },
    ]);
  });

  it('truncates long command output and survives huge lines', () => {
    const item = { type: 'command_execution', command: 'yes', aggregated_output: 'y\n'.repeat(500_000), exit_code: 0, status: 'completed' };
    const [event] = parse(JSON.stringify({ type: 'item.completed', item }));
    expect(event?.type).toBe('command');
    const output = event?.type === 'command' ? (event.output ?? '') : '';
    expect(output.length).toBeLessThan(5_000);
    expect(output).toContain('more characters');
    // A huge garbage line is kept, cut, as one unknown event: events.jsonl stays bounded.
    const [garbage] = parse('['.repeat(200_000));
    const raw = garbage?.type === 'unknown' ? String(garbage.raw) : '';
    expect(raw.startsWith('['.repeat(8_000))).toBe(true);
    expect(raw).toContain('[192000 more characters]');
  });

  it('never throws on any prefix of a real transcript line', () => {
    const lines = codexTranscripts.flatMap(readLines);
    for (const line of lines) {
      for (let end = 0; end <= line.length; end += 7) expect(() => parse(line.slice(0, end))).not.toThrow();
    }
  });
});
