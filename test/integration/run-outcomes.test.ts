import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { summarySchema } from '../../src/runs/summary-schema.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';
import { isRunning, readEvents, readJson, runCli, testEnv } from '../helpers/run-cli.js';

let home: string;
let repo: string;

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-outcomes-')));
afterEach(() => cleanRunHome(home));

interface Outcome {
  exitCode: number;
  summary: Record<string, unknown> & { error: { kind: string; message: string; reset_at?: string } | null };
  dir: string;
  stderr: string;
}

async function dispatchScenario(scenario: string, args: string[] = [], env: Record<string, string | undefined> = {}): Promise<Outcome> {
  const result = await runCli(['--quiet', ...args, repo, `[scenario:${scenario}]`], { env: testEnv(home, env) });
  const dir = result.stdout.trim();
  return { exitCode: result.exitCode, summary: readJson(join(dir, 'summary.json')), dir, stderr: result.stderr };
}

describe('outcomes and exit codes (DESIGN §10)', () => {
  it.each([
    ['noop', [], 'no_changes', 'success', 0],
    ['noop', ['--require-changes'], 'no_changes', 'success', 5],
    ['empty', [], 'empty_result', 'failed', 5],
    ['fail', [], 'agent_error', 'failed', 1],
    ['crash', [], 'agent_error', 'failed', 1],
    ['auth', [], 'auth', 'failed', 6],
    ['auth', ['--executor', 'claude'], 'auth', 'failed', 6],
    ['quota', [], 'quota', 'failed', 7],
    ['quota', ['--executor', 'claude'], 'quota', 'failed', 7],
  ])('%s %j → %s (%s), exit %i', async (scenario, args, outcome, status, exitCode) => {
    const run = await dispatchScenario(scenario, [...args, '--idle-timeout', '30s']);
    expect(run.summary.outcome).toBe(outcome);
    expect(run.summary.status).toBe(status);
    expect(summarySchema.safeParse(run.summary).error).toBeUndefined();
    expect(run.exitCode).toBe(exitCode);
  });

  it('records the agent crash exit code and its stderr', async () => {
    const run = await dispatchScenario('crash');
    expect(run.summary.exit_code).toBe(101);
    expect(readFileSync(join(run.dir, 'output.log'), 'utf8')).toContain('panic: the fake agent crashed');
  });

  it('records when a usage limit resets', async () => {
    const run = await dispatchScenario('quota');
    const resetAt = Date.parse(run.summary.error?.reset_at ?? '');
    const expected = Date.parse(String(run.summary.completed)) + ((3 * 24 + 6) * 60 + 57) * 60_000;
    expect(Math.abs(resetAt - expected)).toBeLessThan(60_000);
  });

  it('stops claude at its second auth retry instead of waiting out ten retries', async () => {
    const run = await dispatchScenario('auth', ['--executor', 'claude', '--idle-timeout', '60s', '--kill-grace', '1s']);
    expect(run.summary.outcome).toBe('auth');
    expect(run.summary.signal).toBe('SIGTERM');
    expect(run.summary.error?.message).toContain('authentication_failed');
  });

  it('refuses to start codex without a login (exit 6, agent never started)', async () => {
    const record = join(home, 'record.jsonl');
    const run = await dispatchScenario('ok', [], { OPENAI_API_KEY: undefined, FAKE_AGENT_RECORD: record });
    expect(run.exitCode).toBe(6);
    expect(run.summary.outcome).toBe('auth');
    expect(run.summary.error?.message).toContain('codex login');
    expect(existsSync(record)).toBe(false);
  });
});

describe('limits: timeouts kill the whole process group', () => {
  it('idle timeout on an agent that prints nothing', async () => {
    const run = await dispatchScenario('hang', ['--idle-timeout', '1s']);
    expect(run.exitCode).toBe(124);
    expect(run.summary).toMatchObject({ outcome: 'idle_timeout', status: 'timeout', signal: 'SIGTERM' });
  });

  it('wall-clock timeout on an agent that keeps printing', async () => {
    const run = await dispatchScenario('busy', ['--timeout', '1500ms', '--idle-timeout', '1s']);
    expect(run.exitCode).toBe(124);
    expect(run.summary.outcome).toBe('timeout');
  });

  it('SIGKILL after the grace period for an agent that ignores SIGTERM', async () => {
    const run = await dispatchScenario('ignore-sigterm', ['--idle-timeout', '1s', '--kill-grace', '500ms']);
    expect(run.exitCode).toBe(124);
    expect(run.summary).toMatchObject({ outcome: 'idle_timeout', signal: 'SIGKILL' });
  });

  it('kills a grandchild the agent left behind when it exits', async () => {
    const pidFile = join(home, 'grandchild.pid');
    const run = await dispatchScenario('grandchild', [], { FAKE_AGENT_PIDFILE: pidFile });
    expect(run.summary.outcome).toBe('success');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(isRunning(pid)).toBe(false);
  });
});

describe('what agents print', () => {
  it('keeps unknown and garbage lines as unknown events and stderr in output.log', async () => {
    const run = await dispatchScenario('garbage');
    expect(run.summary.outcome).toBe('success');
    expect(run.summary.unknown_events).toBe(3);
    const unknown = readEvents(join(run.dir, 'events.jsonl')).filter((event) => event.type === 'unknown');
    expect(unknown.map((event) => event.raw)).toEqual(['this is not json', { type: 'brand.new.event', x: 1 }, '{broken json']);
    expect(readFileSync(join(run.dir, 'output.log'), 'utf8')).toContain('a warning on stderr');
  });

  it('streams huge output to output.log and cuts it at the cap with a marker', async () => {
    const full = await dispatchScenario('huge', [], { FAKE_AGENT_HUGE_MB: '8' });
    expect(full.summary.outcome).toBe('success');
    const size = readFileSync(join(full.dir, 'output.log')).length;
    expect(size).toBeGreaterThan(8 * 1024 * 1024);

    const capped = await dispatchScenario('huge', [], { FAKE_AGENT_HUGE_MB: '8', DISPATCH_OUTPUT_CAP_BYTES: String(1024 * 1024) });
    const log = readFileSync(join(capped.dir, 'output.log'), 'utf8');
    expect(log.length).toBeLessThan(1024 * 1024 + 200);
    expect(log.trimEnd().split('\n').at(-1)).toMatch(/output\.log cut at 1048576 bytes/);
    // events keep flowing after the cut: the final answer is still there.
    expect(capped.summary.final_message).toBe('printed a lot');
  });

  it('redacts secrets from output.log, events, summary and last-message.md', async () => {
    const secret = 'sk-test-0123456789abcdefghijklmnop';
    const run = await dispatchScenario('secret', [], { OPENAI_API_KEY: secret });
    for (const file of readdirSync(run.dir)) {
      if (!file.endsWith('.json') && !file.endsWith('.jsonl') && !file.endsWith('.log') && !file.endsWith('.md')) continue;
      const text = readFileSync(join(run.dir, file), 'utf8');
      expect(text, file).not.toContain(secret);
      expect(text, file).not.toContain('sk-ant-api03-abcdefghijklmnopqrstuvwxyz');
    }
    expect(readFileSync(join(run.dir, 'output.log'), 'utf8')).toContain('[REDACTED]');
  });
});
