import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { startModelServer } from '../../src/model-server/index.js';
import {
  codexLastMessagePath,
  listMissingBinaries,
  median,
  runCodex,
  type CliRun,
  expectCleanExit,
  useScriptedServer,
} from './cli-harness.js';
import { readRepoFile } from './sandbox.js';
import { skipE2eSuite } from '../helpers/e2e-gate.js';

// End to end against the real pinned codex 0.169.0; skipped only when the binaries are missing (never under CI).
const skip = skipE2eSuite('codex e2e tests', listMissingBinaries());

type Item = { type?: string; text?: string; command?: string; items?: unknown[] };

function completedItems(run: CliRun): Item[] {
  return run.events.filter((event) => event.type === 'item.completed').map((event) => event.item as Item);
}

function itemsOfType(run: CliRun, type: string): Item[] {
  return completedItems(run).filter((item) => item.type === type);
}

function finalText(run: CliRun): string | undefined {
  return itemsOfType(run, 'agent_message').at(-1)?.text;
}

function failureMessage(run: CliRun): string {
  const failed = run.events.find((event) => event.type === 'turn.failed') as { error?: { message?: string } } | undefined;
  return failed?.error?.message ?? '';
}

describe.skipIf(skip)('codex 0.169 against the scripted model server', () => {
  const scripted = useScriptedServer();
  const sandbox = () => scripted.sandbox();

  it('edit: creates hello.txt with exec_command, then answers (3 runs, median wall time)', async () => {
    const durations: number[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const box = await sandbox();
      const before = scripted.server.requests.length;
      const run = await runCodex(box, scripted.server.url, 'Create hello.txt [scenario:edit]');
      expect(run.exitCode, run.stderr).toBe(0);
      expectCleanExit(run);
      expect(await readRepoFile(box, 'hello.txt')).toBe('hello from codex\n');
      expect(await readRepoFile(box, 'README.md')).toBe('# sample\nEdited by codex (outpost scripted model).\n');
      expect(itemsOfType(run, 'command_execution')).toHaveLength(2);
      expect(finalText(run)).toBe('Created hello.txt.');
      expect(await readFile(codexLastMessagePath(box), 'utf8')).toContain('Created hello.txt.');
      const usage = run.events.find((event) => event.type === 'turn.completed')?.usage;
      expect(usage).toMatchObject({ input_tokens: 200, output_tokens: 40 });
      expect(scripted.server.requests.slice(before).map((request) => [request.api, request.scenario])).toEqual([
        ['responses', 'edit'],
        ['responses', 'edit'],
      ]);
      durations.push(run.durationMs);
    }
    console.log(`codex edit wall time: ${durations.join(', ')} ms, median ${median(durations)} ms`);
  });

  it('reasoning: a reasoning item comes before the edit', async () => {
    const box = await sandbox();
    const run = await runCodex(box, scripted.server.url, 'Create hello.txt [scenario:reasoning]');
    expect(run.exitCode).toBe(0);
    expectCleanExit(run);
    const types = completedItems(run).map((item) => item.type);
    expect(types.indexOf('reasoning')).toBeGreaterThanOrEqual(0);
    expect(types.indexOf('reasoning')).toBeLessThan(types.indexOf('command_execution'));
    expect(itemsOfType(run, 'reasoning')[0]?.text).toContain('Planning');
    expect(await readRepoFile(box, 'hello.txt')).toBe('hello from codex\n');
  });

  it('plan: update_plan becomes a todo_list item when tools.update_plan.enabled=true', async () => {
    const box = await sandbox();
    const run = await runCodex(box, scripted.server.url, 'Plan, then create hello.txt [scenario:plan]', {
      args: ['-c', 'tools.update_plan.enabled=true'],
    });
    expect(run.exitCode).toBe(0);
    expectCleanExit(run);
    expect(itemsOfType(run, 'todo_list')[0]?.items).toHaveLength(2);
    expect(finalText(run)).toBe('Created hello.txt as planned.');
    expect(await readRepoFile(box, 'hello.txt')).toBe('hello from codex\n');
  });

  it('plan: without the flag update_plan is not offered and the scenario skips the plan', async () => {
    const box = await sandbox();
    const run = await runCodex(box, scripted.server.url, 'Plan, then create hello.txt [scenario:plan]');
    expect(run.exitCode).toBe(0);
    expect(itemsOfType(run, 'todo_list')).toEqual([]);
    expect(await readRepoFile(box, 'hello.txt')).toBe('hello from codex\n');
  });

  it('multi-turn: three commands in three model turns, then the answer', async () => {
    const box = await sandbox();
    const before = scripted.server.requests.length;
    const run = await runCodex(box, scripted.server.url, 'Do it step by step [scenario:multi-turn]');
    expect(run.exitCode).toBe(0);
    expectCleanExit(run);
    const commands = itemsOfType(run, 'command_execution');
    expect(commands).toHaveLength(3);
    expect(commands[2]?.command).toContain('cat hello.txt');
    expect(scripted.server.requests.length - before).toBe(4);
    expect(finalText(run)).toBe('Created hello.txt in three steps.');
  });

  it('noop: only an answer, no change', async () => {
    const box = await sandbox();
    const run = await runCodex(box, scripted.server.url, 'Anything to do? [scenario:noop]');
    expect(run.exitCode).toBe(0);
    expect(itemsOfType(run, 'command_execution')).toEqual([]);
    expect(finalText(run)).toContain('Nothing to change');
    expect(await readRepoFile(box, 'hello.txt')).toBeNull();
  });

  it('slow: every event is delayed, the run still completes', async () => {
    const box = await sandbox();
    const run = await runCodex(box, scripted.server.url, 'Create hello.txt [scenario:slow]');
    expect(run.exitCode).toBe(0);
    // 11 + 8 events at 100 ms apart: well over a second on the wire.
    expect(run.durationMs).toBeGreaterThan(1_500);
    expect(await readRepoFile(box, 'hello.txt')).toBe('hello from codex\n');
  });

  it.each([
    ['http-401', /401 Unauthorized/],
    ['http-429', /exceeded retry limit, last status: 429/],
    ['http-500', /high demand|500/],
    ['cut', /stream disconnected before completion/],
  ])('%s: exits 1 at once with retries 0', async (scenario, message) => {
    const box = await sandbox();
    const before = scripted.server.requests.length;
    const run = await runCodex(box, scripted.server.url, `Create hello.txt [scenario:${scenario}]`);
    expect(run.exitCode).toBe(1);
    expectCleanExit(run);
    expect(failureMessage(run)).toMatch(message);
    expect(run.durationMs).toBeLessThan(10_000);
    expect(scripted.server.requests.length - before).toBe(1);
    expect(await readRepoFile(box, 'hello.txt')).toBeNull();
  });

  it('hang: stream_idle_timeout_ms does not end a request that never gets headers; only an outside stop does', async () => {
    const box = await sandbox();
    const run = await runCodex(box, scripted.server.url, 'Create hello.txt [scenario:hang]', { idleTimeoutMs: 2_000, timeoutMs: 6_000 });
    expect(run.stoppedByHarness).toBe(true);
    expect(run.exitCode === null || run.signal !== null || run.exitCode !== 0).toBe(true);
    expect(run.events.some((event) => event.type === 'turn.failed')).toBe(false);
    expect(run.survivors).toEqual([]);
  });

  it('refused: --disable unbounded_connection_retries ends the run with exit 1', async () => {
    const gone = await startModelServer();
    await gone.close();
    const box = await sandbox();
    const run = await runCodex(box, gone.url, 'Create hello.txt', { args: ['--disable', 'unbounded_connection_retries'] });
    expect(run.exitCode).toBe(1);
    expectCleanExit(run);
    expect(failureMessage(run)).toMatch(/Connection failed|error sending request/i);
    expect(run.durationMs).toBeLessThan(10_000);
  });

  it('refused: the config.toml key `[features] unbounded_connection_retries = false` is enough on its own', async () => {
    const gone = await startModelServer();
    await gone.close();
    const box = await sandbox();
    const run = await runCodex(box, gone.url, 'Create hello.txt');
    expect(run.exitCode).toBe(1);
    expectCleanExit(run);
    expect(run.durationMs).toBeLessThan(10_000);
  });

  it('resume: `exec resume <thread_id>` with the same CODEX_HOME and cwd re-sends the history', async () => {
    const box = await sandbox();
    const first = await runCodex(box, scripted.server.url, 'Create hello.txt [scenario:edit]');
    expect(first.exitCode).toBe(0);
    const threadId = first.events.find((event) => event.type === 'thread.started')?.thread_id;
    expect(typeof threadId).toBe('string');
    const before = scripted.server.requests.length;
    const second = await runCodex(box, scripted.server.url, 'Anything else?', { resumeId: String(threadId) });
    expect(second.exitCode, second.stderr).toBe(0);
    expectCleanExit(second);
    expect(second.events.find((event) => event.type === 'thread.started')?.thread_id).toBe(threadId);
    // The server's default is noop: seeing `edit` proves the first prompt came back in the history.
    expect(scripted.server.requests.slice(before).map((request) => request.scenario)).toEqual(['edit']);
    expect(finalText(second)).toBe('Nothing left to do: the earlier task is complete.');
    // Usage is cumulative over the thread: 2 earlier turns + this one.
    expect(second.events.find((event) => event.type === 'turn.completed')?.usage).toMatchObject({ input_tokens: 300 });
  });
});
