import { describe, expect, it } from 'vitest';
import { readMessagesRequest, readResponsesRequest } from '../../src/model-server/conversation.js';
import { planTitle, planTurn, selectScenario, type OutputItem, type TurnPlan } from '../../src/model-server/scenarios.js';

const OPTIONS = { slowChunkDelayMs: 300 };
const CODEX_TOOLS = [{ type: 'function', name: 'exec_command' }, { type: 'function', name: 'write_stdin' }];
const CLAUDE_TOOLS = ['Bash', 'Edit', 'Read', 'TaskCreate', 'Write'].map((name) => ({ name, input_schema: {} }));
const CLAUDE_SYSTEM = [
  { type: 'text', text: 'You are a Claude agent.' },
  { type: 'text', text: '# Environment\n - Primary working directory: /work/repo\n - Is a git repository: true' },
];

function userText(text: string) {
  return { type: 'message', role: 'user', content: [{ type: 'input_text', text }] };
}

function codexBody(task: string, toolOutputs = 0, extra: unknown[] = []) {
  const history = Array.from({ length: toolOutputs }, (_, index) => [
    { type: 'function_call', call_id: `c${index}`, name: 'exec_command', arguments: '{}' },
    { type: 'function_call_output', call_id: `c${index}`, output: 'Process exited with code 0' },
  ]).flat();
  return {
    model: 'outpost-scripted',
    input: [
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
      userText('<environment_context>\n  <cwd>/work/repo</cwd>\n</environment_context>'),
      userText(task),
      ...history,
      ...extra,
    ],
    tools: CODEX_TOOLS,
    stream: true,
  };
}

function claudeBody(task: string, toolResults = 0) {
  const messages: unknown[] = [
    {
      role: 'user',
      content: [
        { type: 'text', text: '<system-reminder>\ncontext\n</system-reminder>' },
        { type: 'text', text: task },
      ],
    },
    { role: 'system', content: 'Available agent types…' },
  ];
  for (let index = 0; index < toolResults; index += 1) {
    messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: `t${index}`, name: 'Bash', input: {} }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `t${index}`, content: 'ok' }] });
  }
  return { model: 'claude-opus-4-8', system: CLAUDE_SYSTEM, messages, tools: CLAUDE_TOOLS, stream: true };
}

function itemsOf(plan: TurnPlan): OutputItem[] {
  if (plan.kind !== 'reply') throw new Error(`expected a reply, got ${plan.kind}`);
  return plan.items;
}

function summarize(plan: TurnPlan): string[] {
  return itemsOf(plan).map((item) => (item.kind === 'tool_call' ? `${item.name}` : item.kind));
}

describe('reading requests', () => {
  it('codex: skips the environment context and counts function_call_output items', () => {
    const conversation = readResponsesRequest(codexBody('Do it [scenario:multi-turn]', 2));
    expect(conversation).toMatchObject({
      agent: 'codex',
      taskText: 'Do it [scenario:multi-turn]',
      promptCount: 1,
      toolOutputCount: 2,
      toolNames: ['exec_command', 'write_stdin'],
      model: 'outpost-scripted',
    });
  });

  it('claude: takes the working directory from the system prompt and skips system-role entries', () => {
    const conversation = readMessagesRequest(claudeBody('Do it [scenario:edit]', 1));
    expect(conversation).toMatchObject({
      agent: 'claude',
      cwd: '/work/repo',
      promptCount: 1,
      toolOutputCount: 1,
      isTitleRequest: false,
    });
    expect(conversation.taskText).toContain('Do it [scenario:edit]');
  });

  it('claude: recognises the title side request', () => {
    const conversation = readMessagesRequest({
      system: [{ type: 'text', text: 'Return JSON with a single "title" field.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: '<session>\nFix the login [scenario:edit]\n</session>' }] }],
      tools: [],
      output_config: { format: { type: 'json_schema', schema: { properties: { title: { type: 'string' } } } } },
    });
    expect(conversation.isTitleRequest).toBe(true);
    expect(itemsOf(planTitle(conversation))).toEqual([{ kind: 'text', text: '{"title":"Fix the login"}' }]);
  });

  it('tolerates bodies that are not what it expects', () => {
    expect(readResponsesRequest(null)).toMatchObject({ taskText: '', toolOutputCount: 0, toolNames: [] });
    expect(readMessagesRequest({ messages: 'nope', system: 7 })).toMatchObject({ taskText: '', cwd: null });
  });
});

describe('selectScenario', () => {
  it('reads the marker anywhere in the task, else falls back', () => {
    expect(selectScenario('please [scenario:http-429] now', 'edit')).toBe('http-429');
    expect(selectScenario('no marker', 'noop')).toBe('noop');
    expect(selectScenario('[scenario:unknown]', 'edit')).toBe('edit');
  });

  it('keeps the first prompt’s scenario when a follow-up names another', () => {
    const body = codexBody('first [scenario:noop]', 0, [userText('second [scenario:http-500]')]);
    const conversation = readResponsesRequest(body);
    expect(conversation.promptCount).toBe(2);
    expect(selectScenario(conversation.taskText, 'edit')).toBe('noop');
  });
});

describe('planTurn', () => {
  it('edit (codex): two exec_command calls, then the answer once both outputs are back', () => {
    const first = planTurn(readResponsesRequest(codexBody('t')), 'edit', OPTIONS);
    expect(summarize(first)).toEqual(['exec_command', 'exec_command']);
    expect(itemsOf(first)[0]).toMatchObject({ callId: 'call_outpost_01', input: { cmd: "printf '%s\\n' 'hello from codex' > hello.txt" } });
    expect(itemsOf(planTurn(readResponsesRequest(codexBody('t', 2)), 'edit', OPTIONS))).toEqual([{ kind: 'text', text: 'Created hello.txt.' }]);
  });

  it('edit (claude): Write with an absolute path plus Bash', () => {
    const items = itemsOf(planTurn(readMessagesRequest(claudeBody('t')), 'edit', OPTIONS));
    expect(items[0]).toMatchObject({ name: 'Write', input: { file_path: '/work/repo/hello.txt', content: 'hello from claude\n' } });
    expect(items[1]).toMatchObject({ name: 'Bash' });
  });

  it('claude without a known working directory creates the file through Bash', () => {
    const body = { ...claudeBody('t'), system: [{ type: 'text', text: 'no cwd here' }] };
    expect(summarize(planTurn(readMessagesRequest(body), 'edit', OPTIONS))).toEqual(['Bash', 'Bash']);
  });

  it('multi-turn: one call per turn for three turns', () => {
    const turns = [0, 1, 2, 3].map((outputs) => summarize(planTurn(readResponsesRequest(codexBody('t', outputs)), 'multi-turn', OPTIONS)));
    expect(turns).toEqual([['exec_command'], ['exec_command'], ['exec_command'], ['text']]);
  });

  it('plan: update_plan when offered, skipped when not', () => {
    const withPlan = { ...codexBody('t'), tools: [...CODEX_TOOLS, { type: 'function', name: 'update_plan' }] };
    expect(summarize(planTurn(readResponsesRequest(withPlan), 'plan', OPTIONS))).toEqual(['update_plan']);
    expect(summarize(planTurn(readResponsesRequest(codexBody('t')), 'plan', OPTIONS))).toEqual(['exec_command', 'exec_command']);
    expect(summarize(planTurn(readMessagesRequest(claudeBody('t')), 'plan', OPTIONS))).toEqual(['TaskCreate']);
  });

  it('reasoning comes first; slow and cut change only the delivery', () => {
    expect(summarize(planTurn(readResponsesRequest(codexBody('t')), 'reasoning', OPTIONS))[0]).toBe('reasoning');
    expect(planTurn(readResponsesRequest(codexBody('t')), 'slow', OPTIONS)).toMatchObject({ eventDelayMs: 300, cutStream: false });
    expect(planTurn(readResponsesRequest(codexBody('t')), 'cut', OPTIONS)).toMatchObject({ eventDelayMs: 0, cutStream: true });
  });

  it('failures and hangs', () => {
    const conversation = readResponsesRequest(codexBody('t'));
    expect(planTurn(conversation, 'http-401', OPTIONS)).toEqual({ kind: 'http-error', status: 401 });
    expect(planTurn(conversation, 'http-429', OPTIONS)).toEqual({ kind: 'http-error', status: 429 });
    expect(planTurn(conversation, 'http-500', OPTIONS)).toEqual({ kind: 'http-error', status: 500 });
    expect(planTurn(conversation, 'http-529', OPTIONS)).toEqual({ kind: 'http-error', status: 529 });
    expect(planTurn(conversation, 'hang', OPTIONS)).toEqual({ kind: 'hang' });
  });

  it('usage limits hold until their window resets, then the task runs as edit', () => {
    const conversation = readResponsesRequest(codexBody('t'));
    const nowMs = Date.parse('2026-12-01T12:00:00Z');
    const window = { ...OPTIONS, nowMs, usageLimitUntilMs: nowMs + 2_500 };
    expect(planTurn(conversation, 'usage-limit', window)).toEqual({ kind: 'usage-limit', resetsAt: nowMs / 1000 + 3, window: 'five_hour', bodyField: 'resets_at' });
    expect(planTurn(conversation, 'usage-limit-in', window)).toMatchObject({ kind: 'usage-limit', bodyField: 'resets_in_seconds' });
    expect(planTurn(conversation, 'usage-limit-weekly', window)).toMatchObject({ kind: 'usage-limit', window: 'seven_day', resetsAt: nowMs / 1000 + 3 * 86_400 + 3_600 });
    expect(planTurn(conversation, 'usage-limit', { ...window, nowMs: nowMs + 2_500 })).toMatchObject({ kind: 'reply' });
  });

  it('rate-limit-brief answers 429 inside its window, then plays edit', () => {
    const conversation = readResponsesRequest(codexBody('t'));
    expect(planTurn(conversation, 'rate-limit-brief', { ...OPTIONS, rateLimited: true })).toEqual({ kind: 'http-error', status: 429 });
    expect(summarize(planTurn(conversation, 'rate-limit-brief', { ...OPTIONS, rateLimited: false }))).toEqual(['exec_command', 'exec_command']);
  });

  it('a resumed conversation whose task is done answers that nothing is left', () => {
    const body = codexBody('t', 2, [userText('Anything else?')]);
    expect(itemsOf(planTurn(readResponsesRequest(body), 'edit', OPTIONS))).toEqual([
      { kind: 'text', text: 'Nothing left to do: the earlier task is complete.' },
    ]);
  });
});

describe('per-agent scenario markers', () => {
  it('[scenario-<agent>:NAME] beats [scenario:NAME] for that agent only', () => {
    const task = '[scenario:edit] [scenario-claude:hang] do it';
    expect(selectScenario(task, 'noop', 'claude')).toBe('hang');
    expect(selectScenario(task, 'noop', 'codex')).toBe('edit');
    expect(selectScenario('[scenario-codex:http-401]', 'noop', 'claude')).toBe('noop');
  });
});
