import { afterEach, describe, expect, it } from 'vitest';
import { claudeEnv, codexConfigToml, startModelServer, type ModelServer } from '../../src/model-server/index.js';

type Json = Record<string, unknown>;

let server: ModelServer | undefined;

async function start(options: Parameters<typeof startModelServer>[0] = {}): Promise<ModelServer> {
  server = await startModelServer(options);
  return server;
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

function parseSse(text: string): Array<{ event: string; data: Json }> {
  return text
    .split('\n\n')
    .filter((chunk) => chunk.trim() !== '')
    .map((chunk) => {
      const event = /^event: (.*)$/m.exec(chunk)?.[1] ?? '';
      const data = JSON.parse(/^data: (.*)$/m.exec(chunk)?.[1] ?? '{}') as Json;
      return { event, data };
    });
}

function codexRequest(task: string, outputs = 0): Json {
  const history = Array.from({ length: outputs }, (_, index) => ({ type: 'function_call_output', call_id: `c${index}`, output: 'ok' }));
  return {
    model: 'outpost-scripted',
    stream: true,
    input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: task }] }, ...history],
    tools: [{ type: 'function', name: 'exec_command' }],
  };
}

function claudeRequest(task: string, stream = true): Json {
  return {
    model: 'claude-test',
    stream,
    system: [{ type: 'text', text: ' - Primary working directory: /tmp/repo' }],
    messages: [{ role: 'user', content: task }],
    tools: [{ name: 'Write' }, { name: 'Bash' }],
  };
}

describe('scripted model server over HTTP', () => {
  it('listens on 127.0.0.1 and answers side requests harmlessly', async () => {
    const { url, port, requests } = await start();
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${url}/v1/models`)).status).toBe(404);
    const counted = await post(`${url}/v1/messages/count_tokens`, { messages: [{ role: 'user', content: 'hi' }] });
    expect(await counted.json()).toEqual({ input_tokens: expect.any(Number) as number });
    expect(requests.map((request) => [request.api, request.method, request.path, request.scenario])).toEqual([
      ['other', 'HEAD', '/', null],
      ['other', 'GET', '/v1/models', null],
      ['messages', 'POST', '/v1/messages/count_tokens', null],
    ]);
  });

  it('responses: streams a function call, then the final message once the output is in the history', async () => {
    const { url, requests } = await start();
    const first = parseSse(await (await post(`${url}/v1/responses`, codexRequest('go [scenario:multi-turn]'))).text());
    expect(first.map((event) => event.event)).toEqual([
      'response.created', 'response.in_progress', 'response.output_item.added',
      'response.function_call_arguments.delta', 'response.function_call_arguments.done',
      'response.output_item.done', 'response.completed',
    ]);
    expect(first[5]?.data.item).toMatchObject({ type: 'function_call', name: 'exec_command', call_id: 'call_outpost_01' });
    expect(first[6]?.data.response).toMatchObject({ usage: { input_tokens: 100, output_tokens: 20, total_tokens: 120 } });
    const last = parseSse(await (await post(`${url}/v1/responses`, codexRequest('go [scenario:multi-turn]', 3))).text());
    const done = last.find((event) => event.event === 'response.output_item.done');
    expect(done?.data.item).toMatchObject({ type: 'message', content: [{ type: 'output_text', text: 'Created hello.txt in three steps.' }] });
    expect(requests.map((request) => request.scenario)).toEqual(['multi-turn', 'multi-turn']);
  });

  it('messages: streams with event lines; answers a non-streamed request with one JSON Message', async () => {
    const { url } = await start({ defaultScenario: 'edit' });
    const streamed = await post(`${url}/v1/messages?beta=true`, claudeRequest('go'));
    expect(streamed.headers.get('content-type')).toBe('text/event-stream');
    const events = parseSse(await streamed.text());
    expect(events[0]?.event).toBe('message_start');
    expect(events.at(-2)?.data).toMatchObject({ delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 20 } });
    const plain = (await (await post(`${url}/v1/messages`, claudeRequest('go', false))).json()) as Json;
    expect(plain).toMatchObject({
      type: 'message',
      model: 'claude-test',
      stop_reason: 'tool_use',
      content: [
        { type: 'tool_use', name: 'Write', input: { file_path: '/tmp/repo/hello.txt' } },
        { type: 'tool_use', name: 'Bash' },
      ],
      usage: { input_tokens: 100, output_tokens: 20 },
    });
  });

  it('errors come in each API’s own shape; 429 carries retry-after', async () => {
    const { url } = await start();
    const codex401 = await post(`${url}/v1/responses`, codexRequest('[scenario:http-401]'));
    expect(codex401.status).toBe(401);
    expect(await codex401.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
    const claude429 = await post(`${url}/v1/messages`, claudeRequest('[scenario:http-429]'));
    expect(claude429.status).toBe(429);
    expect(claude429.headers.get('retry-after')).toBe('1');
    expect(await claude429.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    const claude500 = await post(`${url}/v1/messages`, claudeRequest('[scenario:http-500]'));
    expect(await claude500.json()).toMatchObject({ error: { type: 'api_error' } });
  });

  it('usage limits: each service’s 429, until the window resets, then an ordinary answer', async () => {
    const { url } = await start({ usageLimitResetMs: 400 });
    const codex = await post(`${url}/v1/responses`, codexRequest('[scenario:usage-limit] one'));
    expect(codex.status).toBe(429);
    const body = (await codex.json()) as { error: { type: string; resets_at: number } };
    expect(body.error).toMatchObject({ type: 'usage_limit_reached', plan_type: 'plus' });
    expect(body.error.resets_at * 1000 - Date.now()).toBeLessThan(2_000);
    expect(codex.headers.get('x-codex-primary-used-percent')).toBe('100');
    const inSeconds = await post(`${url}/v1/responses`, codexRequest('[scenario:usage-limit-in] one'));
    expect(((await inSeconds.json()) as { error: Json }).error).toMatchObject({ resets_in_seconds: expect.any(Number) as number });
    const claude = await post(`${url}/v1/messages`, claudeRequest('[scenario:usage-limit] two'));
    expect(claude.status).toBe(429);
    expect(claude.headers.get('anthropic-ratelimit-unified-status')).toBe('rejected');
    expect(claude.headers.get('anthropic-ratelimit-unified-representative-claim')).toBe('five_hour');
    expect(Number(claude.headers.get('anthropic-ratelimit-unified-reset'))).toBeGreaterThan(Date.now() / 1000 - 1);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect((await post(`${url}/v1/responses`, codexRequest('[scenario:usage-limit] one'))).status).toBe(200);
  });

  it('cut: the body breaks off after a few events', async () => {
    const { url } = await start();
    const response = await post(`${url}/v1/responses`, codexRequest('[scenario:cut]'));
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });

  it('slow: events are spaced by slowChunkDelayMs', async () => {
    const { url } = await start({ slowChunkDelayMs: 40 });
    const startedAt = Date.now();
    const events = parseSse(await (await post(`${url}/v1/messages`, claudeRequest('[scenario:slow]'))).text());
    expect(events.length).toBeGreaterThan(5);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual((events.length - 1) * 40 - 20);
  });

  it('hang: never answers, and close() still returns promptly', async () => {
    const { url, requests } = await start();
    const pending = post(`${url}/v1/responses`, codexRequest('[scenario:hang]')).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(requests.map((request) => request.scenario)).toEqual(['hang']);
    const closedAt = Date.now();
    await server?.close();
    expect(Date.now() - closedAt).toBeLessThan(1_000);
    expect(await pending).toBe('failed');
  });

  it('conversations in parallel each get their own turn', async () => {
    const { url } = await start();
    const [fresh, answered] = await Promise.all([
      post(`${url}/v1/responses`, codexRequest('[scenario:edit]', 0)).then((response) => response.text()),
      post(`${url}/v1/responses`, codexRequest('[scenario:edit]', 2)).then((response) => response.text()),
    ]);
    expect(fresh).toContain('"function_call"');
    expect(answered).toContain('Created hello.txt.');
  });
});

describe('CLI configuration', () => {
  it('codexConfigToml points a custom provider at /v1 with bounded retries', () => {
    const toml = codexConfigToml('http://127.0.0.1:1234/', { retries: 2, streamIdleTimeoutMs: 2_000 });
    expect(toml).toContain('model_provider = "outpost"');
    expect(toml).toContain('base_url = "http://127.0.0.1:1234/v1"');
    expect(toml).toContain('wire_api = "responses"');
    expect(toml).toContain('request_max_retries = 2');
    expect(toml).toContain('stream_idle_timeout_ms = 2000');
    expect(toml).not.toContain('env_key');
    // Top-level keys must come before the first table.
    expect(toml.indexOf('model =')).toBeLessThan(toml.indexOf('['));
  });

  it('claudeEnv sets the base URL, a dummy key, retries and timeouts', () => {
    expect(claudeEnv('http://127.0.0.1:1234', { retries: 1, apiTimeoutMs: 2_000 })).toEqual({
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:1234',
      ANTHROPIC_API_KEY: 'sk-ant-outpost-scripted',
      CLAUDE_CODE_MAX_RETRIES: '1',
      API_TIMEOUT_MS: '2000',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    });
  });
});
