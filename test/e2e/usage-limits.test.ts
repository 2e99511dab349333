import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startModelServer, type ModelServer } from '../../src/model-server/index.js';
import type { GroupRecord } from '../../src/runs/group-record.js';
import { missingPinnedClis, realAgentEnv, type AgentConfig } from '../helpers/e2e-env.js';
import { skipE2eSuite } from '../helpers/e2e-gate.js';
import { readEvents, readJson, runCli } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';

// The real pinned codex 0.169 and claude 2.1.197, driven by bin/dispatch against the scripted
// server's exact usage-limit, rate-limit and provider-failure shapes (docs/AGENT-FACTS.md).
interface Summary {
  run_id: string;
  outcome: string;
  model: string | null;
  completed: string;
  started: string;
  unknown_events: number;
  error: { kind: string; message: string; reset_at?: string } | null;
}

type Agent = 'codex' | 'claude';
const AGENTS: Agent[] = ['codex', 'claude'];
const HOUR_MS = 3_600_000;

let server: ModelServer;
let home: string;
let repo: string;
let taskNumber = 0;
const eventTypes = new Map<Agent, Set<string>>(AGENTS.map((agent) => [agent, new Set()]));
const stopTimes: number[] = [];

beforeAll(async () => {
  server = await startModelServer({ usageLimitResetMs: HOUR_MS, rateLimitForMs: 4_000 });
});
afterAll(async () => {
  await server.close();
  for (const [agent, types] of eventTypes) console.log(`${agent} event types seen: ${[...types].sort().join(', ')}`);
  if (stopTimes.length > 0) console.log(`usage-limit event → run finished: ${stopTimes.join(', ')} ms (max ${Math.max(...stopTimes)} ms)`);
});
beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-limits-')));
afterEach(() => cleanRunHome(home));

/** claude reads the subscription's rate-limit headers only with an OAuth login (2.1.197). */
async function agentEnv(url: string, config: AgentConfig = {}): Promise<Record<string, string>> {
  const env = await realAgentEnv(home, url, config);
  delete env.ANTHROPIC_API_KEY;
  env.CLAUDE_CODE_OAUTH_TOKEN = 'sk-ant-oat01-outpost-scripted';
  return env;
}

/** A task text of its own, so each test opens its own limit window on the server. */
function task(scenario: string): string {
  taskNumber += 1;
  return `[scenario:${scenario}] Create hello.txt (task ${taskNumber})`;
}

function recordTypes(agent: Agent, runDir: string): Record<string, unknown>[] {
  const events = readEvents(join(runDir, 'events.jsonl'));
  for (const event of events) eventTypes.get(agent)?.add(String(event.type));
  return events;
}

async function dispatch(agent: Agent, scenario: string, args: string[] = [], config: AgentConfig = {}, apiKey = false) {
  const env = apiKey ? await realAgentEnv(home, server.url, config) : await agentEnv(server.url, config);
  const result = await runCli(['--quiet', '--executor', agent, '--idle-timeout', '60s', ...args, repo, task(scenario)], { env, timeoutMs: 120_000 });
  const dir = result.stdout.trim();
  const summary = readJson<Summary>(join(dir, 'summary.json'));
  return { ...result, dir, summary, events: recordTypes(agent, dir) };
}

describe.skipIf(skipE2eSuite('usage-limit e2e tests', missingPinnedClis))('usage limits and provider failures with the real CLIs', () => {
  describe.each(AGENTS)('%s', (agent) => {
    it('a used-up 5-hour window: quota (exit 7), usage_limit with the exact reset, agent stopped at once', async () => {
      const before = Date.now();
      const run = await dispatch(agent, 'usage-limit');
      expect(run.exitCode).toBe(7);
      expect(run.summary).toMatchObject({ outcome: 'quota', unknown_events: 0, error: { kind: 'usage_limit' } });
      const resetMs = Date.parse(run.summary.error?.reset_at ?? '');
      // The server's window: an hour from the first request, to the second.
      expect(resetMs).toBeGreaterThan(before + HOUR_MS - 5_000);
      expect(resetMs).toBeLessThan(Date.now() + HOUR_MS + 5_000);
      expect(resetMs % 1000).toBe(0);
      const limit = run.events.find((event) => event.type === 'error' && event.fatal === true);
      const finished = run.events.find((event) => event.type === 'run.finished');
      const stopMs = Date.parse(String(finished?.ts)) - Date.parse(String(limit?.ts));
      stopTimes.push(stopMs);
      expect(stopMs).toBeLessThan(10_000);
    });

    it('a used-up weekly window names its reset days ahead', async () => {
      const run = await dispatch(agent, 'usage-limit-weekly');
      expect(run.summary).toMatchObject({ outcome: 'quota', error: { kind: 'usage_limit' } });
      const ahead = Date.parse(run.summary.error?.reset_at ?? '') - Date.now();
      expect(ahead).toBeGreaterThan(3 * 24 * HOUR_MS);
      expect(ahead).toBeLessThan(3 * 24 * HOUR_MS + 2 * HOUR_MS);
    });

    it('a 429 body with only resets_in_seconds: still usage_limit, reset from the window headers', async () => {
      const run = await dispatch(agent, 'usage-limit-in');
      expect(run.summary).toMatchObject({ outcome: 'quota', error: { kind: 'usage_limit' } });
      expect(Date.parse(run.summary.error?.reset_at ?? '') - Date.now()).toBeGreaterThan(HOUR_MS - 60_000);
    });

    it('4 s of 429 + retry-after (API key): the agent’s own retries ride it out; the run succeeds', async () => {
      const run = await dispatch(agent, 'rate-limit-brief', [], { retries: 6 }, true);
      expect(run.exitCode).toBe(0);
      expect(run.summary).toMatchObject({ outcome: 'success', unknown_events: 0 });
      const retries = run.events.filter((event) => event.type === 'error');
      expect(retries.length).toBeGreaterThan(0);
      expect(retries.every((event) => event.error_kind === 'rate_limit' && event.fatal === false)).toBe(true);
    });

    it.each(['http-500', 'http-529'])('%s from the model API: the provider failed → infra (exit 3), error.kind server', async (scenario) => {
      const run = await dispatch(agent, scenario);
      expect(run.exitCode).toBe(3);
      expect(run.summary).toMatchObject({ outcome: 'infra', error: { kind: 'server' } });
    });

    it('a long shell command: no unknown events; the model the agent used is recorded', async () => {
      const run = await dispatch(agent, 'long-command');
      expect(run.summary).toMatchObject({ outcome: 'success', unknown_events: 0, model: expect.any(String) as string });
      if (agent === 'codex') expect(run.summary.model).toBe('outpost-scripted');
    });

    it('--on-quota wait: waits for the reset, then the rerun succeeds', { timeout: 120_000 }, async () => {
      const quick = await startModelServer({ usageLimitResetMs: 2_000 });
      try {
        const env = await agentEnv(quick.url);
        const result = await runCli(['--json', '--executor', agent, '--on-quota', 'wait', repo, task('usage-limit')], { env, timeoutMs: 120_000 });
        expect(result.exitCode, result.stderr).toBe(0);
        const record = JSON.parse(result.stdout) as GroupRecord;
        expect(record.members.map((member) => member.outcome)).toEqual(['quota', 'success']);
        const [limited, rerun] = record.members.map((member) => readJson<Summary>(join(member.run_dir ?? '', 'summary.json')));
        expect(Date.parse(rerun?.started ?? '')).toBeGreaterThanOrEqual(Date.parse(limited?.error?.reset_at ?? ''));
        for (const member of record.members) recordTypes(agent, member.run_dir ?? '');
      } finally {
        await quick.close();
      }
    });
  });

  it('claude, API key, claude’s default 10 retries, --fallback codex: 4 s of 429s are ridden out, no fallback', async () => {
    const env = await realAgentEnv(home, server.url, { retries: 10 });
    const result = await runCli(['--json', '--executor', 'claude', '--fallback', 'codex', repo, task('rate-limit-brief')], { env, timeoutMs: 120_000 });
    expect(result.exitCode, result.stderr).toBe(0);
    const record = JSON.parse(result.stdout) as GroupRecord;
    expect(record.members.map((member) => [member.key, member.outcome])).toEqual([['claude#1', 'success']]);
    recordTypes('claude', record.members[0]?.run_dir ?? '');
  });

  it('claude with a subscription login does not retry a plain 429: rate_limit (not usage_limit), quota, exit 7', async () => {
    const run = await dispatch('claude', 'rate-limit-brief', [], { retries: 6 });
    expect(run.exitCode).toBe(7);
    expect(run.summary).toMatchObject({ outcome: 'quota', unknown_events: 0, error: { kind: 'rate_limit' } });
    expect(run.summary.error?.message).toContain('not your usage limit');
  });

  it('claude: a long shell command becomes background task events (when claude backgrounds it)', async () => {
    const run = await dispatch('claude', 'long-command');
    const tasks = run.events.filter((event) => event.type === 'task');
    // claude 2.1.197 backgrounds a command after ~2 s; on a busy machine it may not: then no events.
    if (tasks.length > 0) expect(tasks.map((event) => event.status)).toEqual(['started', 'completed']);
    expect(run.summary.unknown_events).toBe(0);
  });

  it('no agent event type seen is unknown', () => {
    for (const types of eventTypes.values()) expect(types.has('unknown')).toBe(false);
  });
});
