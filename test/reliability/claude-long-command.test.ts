import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LATE_SHELL_COMMAND } from '../../src/model-server/tool-calls.js';
import { startModelServer, type ModelServer } from '../../src/model-server/index.js';
import { missingPinnedClis, realAgentEnv } from '../helpers/e2e-env.js';
import { skipE2eSuite } from '../helpers/e2e-gate.js';
import { fakeAgent, processesUnder, readEvents, readJson, runCli } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';
import { runDirs, sleep, startDispatch, waitFor } from './reliability-helpers.js';

// The real claude 2.1.197 starts each Bash command in its own session (setsid): stopping
// claude's process group alone leaves the command running. The scripted model makes claude
// run `sleep 12 && echo late > late.txt`; the run is stopped while it sleeps, and nothing
// may write late.txt afterwards.

interface Summary {
  outcome: string;
  status: string;
  files_changed: number;
  error: { kind: string } | null;
  workspace: string | null;
}

let server: ModelServer;
let home: string;
let repo: string;

beforeAll(async () => {
  server = await startModelServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-claude-late-')));
afterEach(() => cleanRunHome(home));

const TASK = 'Wait, then write late.txt [scenario-claude:late-shell] [scenario-codex:slow-ok]';

/** When claude's Bash tool started the long command (from the run's events), or undefined. */
function commandStartedAt(dir: string): number | undefined {
  const path = join(dir, 'events.jsonl');
  if (!existsSync(path)) return undefined;
  const event = readEvents(path).find((e) => e.type === 'command' && String(e.command).includes('sleep 12'));
  return event ? Date.parse(String(event.ts)) : undefined;
}

/** Nothing of the run lives, and late.txt never appears, past the instant the command would have written it. */
async function expectCommandStopped(dir: string, startedAt: number): Promise<void> {
  expect(processesUnder(home)).toEqual([]);
  await sleep(Math.max(0, startedAt + 13_000 - Date.now()));
  expect(existsSync(join(dir, 'workspace', 'late.txt'))).toBe(false);
  const summary = readJson<Summary>(join(dir, 'summary.json'));
  expect(summary.files_changed).toBe(0);
}

async function timeUntilNothingUnder(dir: string): Promise<number> {
  const start = Date.now();
  await waitFor('the run to be gone', () => processesUnder(dir).length === 0, 20_000);
  return Date.now() - start;
}

describe.skipIf(skipE2eSuite('claude containment tests', missingPinnedClis))('claude 2.1.197 stopped during a long shell command', () => {
  it('--timeout: the command is killed with claude', { timeout: 90_000 }, async () => {
    expect(LATE_SHELL_COMMAND).toContain('sleep 12');
    const env = await realAgentEnv(home, server.url);
    const run = await runCli(['--quiet', '--executor', 'claude', '--timeout', '8s', '--kill-grace', '1s', repo, TASK], { env, timeoutMs: 60_000 });
    const dir = run.stdout.trim();
    expect(readJson<Summary>(join(dir, 'summary.json'))).toMatchObject({ outcome: 'timeout' });
    const startedAt = commandStartedAt(dir);
    expect(startedAt, 'claude started the long command before the timeout').toBeDefined();
    await expectCommandStopped(dir, startedAt ?? 0);
  });

  it('dispatch cancel: the command is killed with claude', { timeout: 90_000 }, async () => {
    const env = await realAgentEnv(home, server.url);
    const child = startDispatch(['--quiet', '--executor', 'claude', '--kill-grace', '1s', repo, TASK], env);
    const dir = await waitFor('claude to start the command', () => runDirs(home).find((d) => commandStartedAt(d) !== undefined), 45_000);
    await sleep(500);
    const asked = Date.now();
    const cancel = await runCli(['cancel', dir], { env });
    expect(cancel.stdout).toMatch(/: cancelled$/);
    const goneMs = Date.now() - asked + (await timeUntilNothingUnder(home));
    console.log(`[measure] claude: dispatch cancel → last process (its setsid'd shell command) gone: ${goneMs} ms`);
    expect((await child).exitCode).toBe(130);
    expect(readJson<Summary>(join(dir, 'summary.json'))).toMatchObject({ outcome: 'cancelled' });
    await expectCommandStopped(dir, commandStartedAt(dir) ?? 0);
  });

  it('a lost --race: the loser\'s command is killed with it', { timeout: 90_000 }, async () => {
    // The winner is the fake codex (done after 6 s), so claude is mid-command when it loses.
    const env = { ...(await realAgentEnv(home, server.url)), CODEX_BIN: fakeAgent, OPENAI_API_KEY: 'sk-test-0123456789abcdefghijklmnop', FAKE_AGENT_DELAY_MS: '6000' };
    const run = await runCli(['--json', '--race', '--executor', 'claude,codex', '--kill-grace', '1s', repo, TASK], { env, timeoutMs: 60_000 });
    const record = JSON.parse(run.stdout) as { members: { executor: string; outcome: string; run_dir: string }[] };
    const loser = record.members.find((member) => member.executor === 'claude');
    expect(loser?.outcome).toBe('cancelled');
    const dir = loser?.run_dir ?? '';
    expect(readJson<Summary>(join(dir, 'summary.json')).error?.kind).toBe('race_lost');
    const startedAt = commandStartedAt(dir);
    expect(startedAt, 'claude started the long command before it lost').toBeDefined();
    expect(readFileSync(join(dir, 'output.log'), 'utf8')).toContain('sleep 12');
    await expectCommandStopped(dir, startedAt ?? 0);
  });
});
