import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src/events.js';
import { getExecutor } from '../../src/executors/registry.js';

// Re-recorded from the pinned CLIs by `npm run record-transcripts`: after bumping a CLI,
// re-record and these tests say what changed in what it prints.
const dir = join(import.meta.dirname, '..', 'fixtures', 'transcripts', 'recorded');
const files = readdirSync(dir).filter((name) => name.endsWith('.jsonl'));

function parseFile(name: string): AgentEvent[] {
  const agent = name.startsWith('codex') ? 'codex' : 'claude';
  const parse = getExecutor(agent).createParser();
  return readFileSync(join(dir, name), 'utf8').split('\n').flatMap((line) => parse(line));
}

const types = (events: AgentEvent[]) => new Set(events.map((event) => event.type));

describe('transcripts recorded from the pinned CLIs', () => {
  it('are all there', () => {
    expect(files.length).toBe(28);
  });

  it.each(files)('%s: every line maps to a known event', (name) => {
    expect(parseFile(name).filter((event) => event.type === 'unknown')).toEqual([]);
  });

  it.each(['codex', 'claude'])('%s edit: session, tool use, answer, usage', (agent) => {
    const events = parseFile(`${agent}-edit.jsonl`);
    expect(events[0]?.type).toBe('session.started');
    expect(events.some((event) => event.type === 'command' || event.type === 'file.change')).toBe(true);
    expect(events.find((event) => event.type === 'message')).toMatchObject({ text: 'Created hello.txt.' });
    const done = events.find((event) => event.type === 'turn.completed');
    expect(done).toMatchObject({ type: 'turn.completed' });
    expect(done?.type === 'turn.completed' && done.usage && done.usage.input_tokens > 0).toBe(true);
  });

  it.each(['codex', 'claude'])('%s reasoning and plan scenarios surface as reasoning and plan events', (agent) => {
    expect(types(parseFile(`${agent}-reasoning.jsonl`)).has('reasoning')).toBe(true);
    const plan = types(parseFile(`${agent}-plan.jsonl`));
    expect(plan.has('todo') || plan.has('tool.call')).toBe(true);
  });

  it.each([
    ['codex-http-401.jsonl', 'auth'],
    ['claude-http-401.jsonl', 'auth'],
    ['codex-http-429.jsonl', 'rate_limit'],
    ['claude-http-429.jsonl', 'rate_limit'],
    ['codex-cut.jsonl', 'network'],
    ['codex-http-529.jsonl', 'server'],
    ['claude-http-529.jsonl', 'server'],
    ['codex-usage-limit.jsonl', 'usage_limit'],
    ['codex-usage-limit-in.jsonl', 'usage_limit'],
    ['codex-usage-limit-weekly.jsonl', 'usage_limit'],
    ['claude-usage-limit.jsonl', 'usage_limit'],
    ['claude-usage-limit-in.jsonl', 'usage_limit'],
    ['claude-usage-limit-weekly.jsonl', 'usage_limit'],
  ])('%s fails with error kind %s', (name, kind) => {
    expect(parseFile(name).find((event) => event.type === 'turn.failed')).toMatchObject({ error_kind: kind });
  });

  it.each(['codex', 'claude'])('%s resume reports its session and completes a turn', (agent) => {
    const events = parseFile(`${agent}-resume.jsonl`);
    expect(events[0]?.type).toBe('session.started');
    expect(types(events).has('turn.completed')).toBe(true);
  });

  it.each(['codex', 'claude'])('%s usage limit: a fatal error that says when it resets', (agent) => {
    for (const scenario of ['usage-limit', 'usage-limit-weekly']) {
      const fatal = parseFile(`${agent}-${scenario}.jsonl`).filter((event) => event.type === 'error' && event.fatal);
      expect(fatal[0]).toMatchObject({ error_kind: 'usage_limit', reset_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/) as string });
    }
  });

  it('codex names no reset time for a 429 body with only resets_in_seconds ("try again later")', () => {
    const failed = parseFile('codex-usage-limit-in.jsonl').find((event) => event.type === 'turn.failed');
    expect(failed).toMatchObject({ error_kind: 'usage_limit' });
    expect(failed && 'reset_at' in failed).toBe(false);
  });

  it.each(['codex', 'claude'])('%s rides out a brief rate limit with its own retries: no fatal error, the turn completes', (agent) => {
    const events = parseFile(`${agent}-rate-limit-brief.jsonl`);
    const errors = events.filter((event) => event.type === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((event) => event.type === 'error' && event.error_kind === 'rate_limit' && !event.fatal)).toBe(true);
    expect(types(events).has('turn.completed')).toBe(true);
  });

  it('claude runs a long shell command as a background task: task events, not unknown', () => {
    const tasks = parseFile('claude-long-command.jsonl').filter((event) => event.type === 'task');
    expect(tasks.map((event) => event.type === 'task' && event.status)).toEqual(['started', 'completed']);
    expect(tasks[0]).toMatchObject({ description: 'Run a slow step (5 s)' });
  });

  it('codex says "Model metadata … not found" as a warning, not an error', () => {
    const events = parseFile('codex-edit.jsonl');
    expect(events.filter((event) => event.type === 'warning')).toHaveLength(1);
    expect(events.filter((event) => event.type === 'error')).toEqual([]);
  });
});
