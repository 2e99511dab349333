import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AgentEvent, ErrorKind } from '../../src/events.js';
import { createClaudeParser } from '../../src/executors/claude-events.js';

const FIXTURES = new URL('../fixtures/transcripts/', import.meta.url);

function readLines(name: string): string[] {
  return readFileSync(new URL(name, FIXTURES), 'utf8').split('\n');
}

function parseTranscript(name: string): AgentEvent[] {
  const parse = createClaudeParser();
  return readLines(name).flatMap((line) => parse(line));
}

function parseLines(values: unknown[]): AgentEvent[] {
  const parse = createClaudeParser();
  return values.flatMap((value) => parse(JSON.stringify(value)));
}

function ofType<T extends AgentEvent['type']>(events: AgentEvent[], type: T): Extract<AgentEvent, { type: T }>[] {
  return events.filter((event): event is Extract<AgentEvent, { type: T }> => event.type === type);
}

function toolUse(id: string, name: string, input: unknown): unknown {
  return { type: 'assistant', message: { model: 'claude-opus-4-8', content: [{ type: 'tool_use', id, name, input }] } };
}

function toolResult(id: string, content: unknown, isError = false, toolUseResult?: unknown): unknown {
  const block = { type: 'tool_result', tool_use_id: id, content, is_error: isError };
  return { type: 'user', message: { role: 'user', content: [block] }, tool_use_result: toolUseResult };
}

function failedResult(result: string | undefined, subtype = 'success'): unknown {
  return { type: 'result', subtype, is_error: true, api_error_status: null, result };
}

const claudeTranscripts = readdirSync(FIXTURES).filter(
  (name) => (name.endsWith('.jsonl') || name.endsWith('.json')) && name.includes('claude'),
);

describe('createClaudeParser on real transcripts', () => {
  it('maps the golden run exactly', () => {
    expect(parseTranscript('golden-claude.jsonl')).toEqual([
      { type: 'session.started', session_id: 'b89800df-0d32-4f93-8c42-64f80bae4a55', model: 'claude-opus-4-8[1m]' },
      {
        type: 'file.change',
        changes: [{ path: '/home/user/work/demo-claude-repo.oBXZ/hello.txt', kind: 'add' }],
        status: 'completed',
      },
      { type: 'message', text: 'done' },
      {
        type: 'turn.completed',
        // modelUsage: the two turns and the title side call (result.usage leaves the title out).
        usage: { input_tokens: 300, cached_input_tokens: 0, output_tokens: 60, reasoning_tokens: 0 },
        usage_cumulative: false,
        cost_usd: 0.003,
        final_text: 'done',
      },
    ]);
  });

  it('opens a Bash command on tool_use and closes it on tool_result', () => {
    expect(ofType(parseTranscript('claude-bash-tool.jsonl'), 'command')).toEqual([
      { type: 'command', command: 'echo hi > hello.txt', status: 'in_progress' },
      {
        type: 'command',
        command: 'echo hi > hello.txt',
        status: 'completed',
        exit_code: 0,
        output: '(Bash completed with no output)',
      },
    ]);
  });

  it('reads structured output from the single-document --json-schema result', () => {
    const document = readFileSync(new URL('claude-json-schema.json', FIXTURES), 'utf8');
    const events = createClaudeParser()(document);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'turn.completed',
      structured_output: { status: 'done' },
      final_text: '{"status":"done"}',
      cost_usd: 0.002,
    });
  });

  it('keeps the session id across a resume; usage covers the invocation only', () => {
    const first = parseTranscript('claude-resume-1.jsonl');
    const second = parseTranscript('claude-resume-2.jsonl');
    const sessionId = '56c253c7-b83b-465e-87ce-f62a42955567';
    expect(ofType(first, 'session.started')[0]?.session_id).toBe(sessionId);
    expect(ofType(second, 'session.started')[0]).toEqual({
      type: 'session.started',
      session_id: sessionId,
      model: 'claude-opus-4-8',
    });
    expect(ofType(second, 'turn.completed')[0]).toMatchObject({
      usage: { input_tokens: 100, cached_input_tokens: 0, output_tokens: 20, reasoning_tokens: 0 },
      cost_usd: 0.001,
    });
  });

  it('a cut stream that claude recovers from still completes', () => {
    for (const name of ['err-claude-cut.jsonl', 'err-claude-cut-maxretries2.jsonl']) {
      const events = parseTranscript(name);
      expect(ofType(events, 'turn.failed')).toEqual([]);
      expect(ofType(events, 'file.change')[0]?.changes).toEqual([{ path: '/home/user/work/probe-repo/hello.txt', kind: 'add' }]);
      expect(ofType(events, 'turn.completed')).toHaveLength(1);
    }
  });

  it.each(claudeTranscripts)('%s: no unknown events', (name) => {
    const events = parseTranscript(name);
    expect(events.length).toBeGreaterThan(0);
    expect(ofType(events, 'unknown')).toEqual([]);
  });
});

describe('createClaudeParser on failures', () => {
  it.each([
    ['err-claude-401-maxretries2.jsonl', 'auth', 2, 'Invalid API key · Fix external API key'],
    ['err-claude-429-maxretries2.jsonl', 'rate_limit', 2, 'API Error: Request rejected (429) · fake: rate limited'],
    ['err-claude-500-maxretries2.jsonl', 'server', 2, 'API Error: 500 fake: internal server error.'],
    ['err-claude-529-maxretries2.jsonl', 'server', 2, 'API Error: 529 fake: overloaded.'],
    ['err-claude-cutall.jsonl', 'network', 0, 'API Error: Connection to the API was lost (ECONNRESET).'],
    ['err-claude-cutall-maxretries2.jsonl', 'network', 0, 'API Error: Connection to the API was lost (ECONNRESET).'],
    ['err-claude-refused-maxretries2.jsonl', 'network', 2, 'API Error: Unable to connect to API (ConnectionRefused)'],
    ['err-claude-hang-timeout3s.jsonl', 'network', 1, 'Request timed out'],
    ['noauth-claude.jsonl', 'auth', 0, 'Not logged in · Please run /login'],
  ] as const)('%s → turn.failed %s', (name, kind: ErrorKind, retries, text) => {
    const events = parseTranscript(name);
    const failed = ofType(events, 'turn.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.error_kind).toBe(kind);
    expect(failed[0]?.error.startsWith(text)).toBe(true);
    const errors = ofType(events, 'error');
    expect(errors.filter((event) => event.message.startsWith('API retry'))).toHaveLength(retries);
    const synthetic = errors.filter((event) => !event.message.startsWith('API retry'));
    expect(synthetic).toEqual([{ type: 'error', message: failed[0]?.error, error_kind: kind, fatal: false }]);
    expect(ofType(events, 'message')).toEqual([]);
  });

  it('api_retry errors: a second auth retry is fatal; the first auth retry, short rate-limit retries, server and network are not', () => {
    const retries = (name: string) => ofType(parseTranscript(name), 'error').filter((e) => e.message.startsWith('API retry'));
    // The first auth retry is claude re-reading its login store (another claude may have refreshed it).
    expect(retries('err-claude-401-maxretries2.jsonl').slice(0, 2)).toEqual([
      { type: 'error', message: expect.stringMatching(/^API retry 1\/2: authentication_failed \(HTTP 401\), next in \d+ ms$/) as string, error_kind: 'auth', fatal: false },
      { type: 'error', message: expect.stringMatching(/^API retry 2\/2: authentication_failed \(HTTP 401\), next in \d+ ms$/) as string, error_kind: 'auth', fatal: true },
    ]);
    expect(retries('err-claude-429.jsonl')).toHaveLength(9);
    for (const retry of retries('err-claude-429.jsonl')) expect(retry).toMatchObject({ error_kind: 'rate_limit', fatal: false });
    for (const retry of retries('err-claude-401.jsonl').slice(1)) expect(retry).toMatchObject({ error_kind: 'auth', fatal: true });
    for (const retry of retries('err-claude-500.jsonl')) expect(retry).toMatchObject({ error_kind: 'server', fatal: false });
    expect(retries('err-claude-529-maxretries2.jsonl')[1]?.message).toMatch(/^API retry 2\/2: overloaded \(HTTP 529\), next in \d+ ms$/);
    expect(retries('err-claude-refused-maxretries2.jsonl')[0]).toEqual({
      type: 'error',
      message: expect.stringMatching(/^API retry 1\/2: unknown, next in \d+ ms$/) as string,
      error_kind: 'network',
      fatal: false,
    });
  });

  it.each([
    ['Claude AI usage limit reached|1764000000', 'usage_limit', '2025-11-24T16:00:00.000Z'],
    ["You've hit your session limit · resets 7:20am (Europe/Paris)", 'usage_limit', '2026-12-02T06:20:00.000Z'],
    ["You've hit your limit · resets 3pm (Europe/Rome)", 'usage_limit', '2026-12-01T14:00:00.000Z'],
    ['Credit balance is too low', 'usage_limit', undefined],
    ['OAuth token has expired. Please obtain a new token or refresh your existing token.', 'auth', undefined],
    ['Invalid API key · Please run /login', 'auth', undefined],
  ] as const)('subscription result text %s → %s', (text, kind, resetAt) => {
    const parse = createClaudeParser(() => new Date('2026-12-01T12:22:19Z'));
    const expected = { type: 'turn.failed', error: text, error_kind: kind, ...(resetAt ? { reset_at: resetAt } : {}) };
    expect(parse(JSON.stringify(failedResult(text)))).toEqual([expected]);
  });

  it('uses the subtype when a failing result has no text', () => {
    expect(parseLines([failedResult(undefined, 'error_max_turns')])).toEqual([
      { type: 'turn.failed', error: 'error_max_turns', error_kind: 'other' },
    ]);
    expect(parseLines([{ type: 'result', subtype: 'error_during_execution' }])).toEqual([
      { type: 'turn.failed', error: 'error_during_execution', error_kind: 'other' },
    ]);
  });
});

describe('createClaudeParser on tools', () => {
  it('maps TodoWrite, thinking and other tools', () => {
    const todos = [
      { content: 'write tests', status: 'completed', activeForm: 'Writing tests' },
      { content: 'ship', status: 'in_progress', activeForm: 'Shipping' },
    ];
    const thinking = { type: 'assistant', message: { content: [{ type: 'thinking', thinking: 'hmm', signature: 's' }] } };
    expect(
      parseLines([thinking, toolUse('t1', 'TodoWrite', { todos }), toolResult('t1', 'ok'), toolUse('t2', 'Read', {}), toolResult('t2', 'x')]),
    ).toEqual([
      { type: 'reasoning', text: 'hmm' },
      { type: 'todo', items: [{ text: 'write tests', completed: true }, { text: 'ship', completed: false }] },
      { type: 'tool.call', tool: 'Read', status: 'in_progress' },
      { type: 'tool.call', tool: 'Read', status: 'completed' },
    ]);
  });

  it('splits mcp__server__tool names and reports failures', () => {
    expect(parseLines([toolUse('m1', 'mcp__my_server__do__thing', { a: 1 }), toolResult('m1', 'boom', true)])).toEqual([
      { type: 'tool.call', tool: 'do__thing', server: 'my_server', status: 'in_progress' },
      { type: 'tool.call', tool: 'do__thing', server: 'my_server', status: 'failed' },
    ]);
  });

  it('closes Edit, MultiEdit, NotebookEdit and Write as file changes', () => {
    const events = parseLines([
      toolUse('e1', 'Edit', { file_path: 'src/a.ts', old_string: 'a', new_string: 'b' }),
      toolUse('e2', 'MultiEdit', { file_path: 'src/b.ts', edits: [] }),
      toolUse('e3', 'NotebookEdit', { notebook_path: 'n.ipynb', new_source: '' }),
      toolUse('e4', 'Write', { file_path: 'README.md', content: 'x' }),
      toolResult('e1', 'ok'),
      toolResult('e2', 'nope', true),
      toolResult('e3', 'ok'),
      toolResult('e4', 'ok', false, { type: 'update', filePath: 'README.md' }),
    ]);
    expect(events).toEqual([
      { type: 'file.change', changes: [{ path: 'src/a.ts', kind: 'update' }], status: 'completed' },
      { type: 'file.change', changes: [{ path: 'src/b.ts', kind: 'update' }], status: 'failed' },
      { type: 'file.change', changes: [{ path: 'n.ipynb', kind: 'update' }], status: 'completed' },
      { type: 'file.change', changes: [{ path: 'README.md', kind: 'update' }], status: 'completed' },
    ]);
  });

  it('takes a failed command exit code from its output', () => {
    const output = [{ type: 'text', text: 'Exit code 2\nls: cannot access x' }];
    const [, closed] = parseLines([toolUse('b1', 'Bash', { command: 'ls x' }), toolResult('b1', output, true)]);
    expect(closed).toEqual({ type: 'command', command: 'ls x', status: 'failed', exit_code: 2, output: 'Exit code 2\nls: cannot access x' });
    const [, plain] = parseLines([toolUse('b2', 'Bash', { command: 'oops' }), toolResult('b2', 'Error', true)]);
    expect(plain).toMatchObject({ status: 'failed', exit_code: 1 });
  });

  it('counts cache tokens as input and reports cache reads as cached', () => {
    const usage = { input_tokens: 10, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000, output_tokens: 5 };
    expect(parseLines([{ type: 'result', subtype: 'success', is_error: false, result: 'ok', usage }])).toEqual([
      {
        type: 'turn.completed',
        usage: { input_tokens: 1110, cached_input_tokens: 1000, output_tokens: 5, reasoning_tokens: 0 },
        usage_cumulative: false,
        final_text: 'ok',
      },
    ]);
  });
});

describe('createClaudeParser on odd input', () => {
  const parse = createClaudeParser();

  it.each([
    ['garbage', 'garbage'],
    ['[]', []],
    ['null', null],
    ['true', true],
    ['{"type":"system","subtype":"compact_boundary"}', { type: 'system', subtype: 'compact_boundary' }],
    ['{"type":"system","subtype":"init"}', { type: 'system', subtype: 'init' }],
    ['{"type":"stream_event","event":{}}', { type: 'stream_event', event: {} }],
    ['{"type":"assistant","message":"x"}', { type: 'assistant', message: 'x' }],
    ['{"type":"user","message":{"content":"a prompt"}}', { type: 'user', message: { content: 'a prompt' } }],
  ])('%s → unknown', (line, raw) => {
    expect(parse(line)).toEqual([{ type: 'unknown', raw }]);
  });

  it('ignores blank lines and keeps odd blocks as unknown', () => {
    expect(parse('  ')).toEqual([]);
    const block = { type: 'redacted_thinking', data: 'x' };
    expect(parse(JSON.stringify({ type: 'assistant', message: { content: [block] } }))).toEqual([{ type: 'unknown', raw: block }]);
    const orphan = { type: 'tool_result', tool_use_id: 'nobody', content: 'x' };
    expect(parse(JSON.stringify({ type: 'user', message: { content: [orphan] } }))).toEqual([{ type: 'unknown', raw: orphan }]);
  });

  it('never throws on any prefix of a real transcript line', () => {
    const lines = claudeTranscripts.flatMap(readLines);
    for (const line of lines) {
      for (let end = 0; end <= line.length; end += 11) expect(() => parse(line.slice(0, end))).not.toThrow();
    }
    expect(() => parse('{"a":'.repeat(100_000))).not.toThrow();
  });
});

describe('createClaudeParser: usage limits, rate limits, background tasks', () => {
  const retry = (attempt: number, delay: number) => ({
    type: 'system', subtype: 'api_retry', attempt, max_retries: 10, retry_delay_ms: delay, error_status: 429, error: 'rate_limit',
  });

  it('a rejected rate_limit_event is a fatal usage limit with its reset', () => {
    const line = { type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt: 1796131282, rateLimitType: 'five_hour', isUsingOverage: false } };
    expect(parseLines([line])).toEqual([
      { type: 'error', message: 'usage limit reached (five_hour window), resets at 2026-12-01T13:21:22.000Z', error_kind: 'usage_limit', fatal: true, reset_at: '2026-12-01T13:21:22.000Z' },
    ]);
  });

  it('a warning, an overage and an allowed window do not stop the agent', () => {
    const info = (rate_limit_info: unknown) => ({ type: 'rate_limit_event', rate_limit_info });
    expect(parseLines([info({ status: 'allowed_warning', resetsAt: 1796131282, rateLimitType: 'seven_day', utilization: 0.85 })])).toEqual([
      { type: 'warning', message: 'close to the usage limit (seven_day window, 85% used), resets at 2026-12-01T13:21:22.000Z' },
    ]);
    expect(parseLines([info({ status: 'rejected', rateLimitType: 'five_hour', isUsingOverage: true })])).toEqual([
      { type: 'warning', message: 'usage limit reached, going on with overage credits (five_hour window)' },
    ]);
    expect(parseLines([info({ status: 'allowed', resetsAt: 1796131282 })])).toEqual([]);
    // claude 2.1.197 with a subscription login reports any other 429 this way, and does not retry it.
    expect(parseLines([info({ status: 'rejected', isUsingOverage: false })])).toEqual([
      { type: 'error', message: 'rate limited (HTTP 429, no usage window named)', error_kind: 'rate_limit', fatal: false },
    ]);
    expect(parseLines([{ type: 'rate_limit_event' }])).toMatchObject([{ type: 'unknown' }]);
  });

  it('short rate-limit retries run on; a long wait or too long in all stops the agent', () => {
    const fatal = (lines: unknown[]) => parseLines(lines).map((event) => event.type === 'error' && event.fatal);
    expect(fatal([retry(1, 1000), retry(2, 1217), retry(3, 2114)])).toEqual([false, false, false]);
    expect(fatal([retry(1, 61_000)])).toEqual([true]);
    const many = Array.from({ length: 10 }, (_, index) => retry(index + 1, 35_000));
    expect(fatal(many)).toEqual([false, false, false, false, false, false, false, false, true, true]);
  });

  it('maps background tasks (task_started, task_progress, task_notification)', () => {
    const base = { type: 'system', task_id: 'bxjns68bl', tool_use_id: 'toolu_1' };
    expect(
      parseLines([
        { ...base, subtype: 'task_started', description: 'Run a slow step', task_type: 'local_bash' },
        { ...base, subtype: 'task_progress', description: 'Run a slow step' },
        { ...base, subtype: 'task_notification', status: 'completed', output_file: '', summary: 'Run a slow step' },
        { type: 'system', subtype: 'task_updated', task_id: 'bxjns68bl', patch: { status: 'killed' } },
      ]),
    ).toEqual([
      { type: 'task', id: 'bxjns68bl', status: 'started', description: 'Run a slow step' },
      { type: 'task', id: 'bxjns68bl', status: 'running', description: 'Run a slow step' },
      { type: 'task', id: 'bxjns68bl', status: 'completed', summary: 'Run a slow step' },
      { type: 'task', id: 'bxjns68bl', status: 'killed' },
    ]);
  });

  it('usage after the non-streaming recovery comes from modelUsage, not the all-zero result.usage', () => {
    const done = ofType(parseTranscript('err-claude-cut.jsonl'), 'turn.completed')[0];
    expect(done?.usage).toEqual({ input_tokens: 200, cached_input_tokens: 0, output_tokens: 40, reasoning_tokens: 0 });
    const twoModels = {
      type: 'result', subtype: 'success', is_error: false, result: 'ok',
      usage: { input_tokens: 0, output_tokens: 0 },
      modelUsage: {
        a: { inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 100, cacheCreationInputTokens: 1 },
        b: { inputTokens: 3, outputTokens: 2, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
      },
    };
    expect(ofType(parseLines([twoModels]), 'turn.completed')[0]?.usage).toEqual({ input_tokens: 114, cached_input_tokens: 100, output_tokens: 7, reasoning_tokens: 0 });
  });
});
