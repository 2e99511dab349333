import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startModelServer } from '../../src/model-server/index.js';
import {
  listMissingBinaries,
  median,
  runClaude,
  type CliRun,
  expectCleanExit,
  useScriptedServer,
} from './cli-harness.js';
import { readRepoFile } from './sandbox.js';
import { skipE2eSuite } from '../helpers/e2e-gate.js';

// End to end against the real pinned claude 2.1.197; skipped only when the binaries are missing (never under CI).
const skip = skipE2eSuite('claude e2e tests', listMissingBinaries());

type Block = { type?: string; name?: string; text?: string; thinking?: string };
type Result = { is_error?: boolean; result?: string; api_error_status?: number | null; session_id?: string; num_turns?: number };

function contentBlocks(run: CliRun): Block[] {
  return run.events
    .filter((event) => event.type === 'assistant')
    .flatMap((event) => ((event.message as { content?: Block[] } | undefined)?.content ?? []));
}

function toolNames(run: CliRun): string[] {
  return contentBlocks(run).filter((block) => block.type === 'tool_use').map((block) => block.name ?? '');
}

function resultOf(run: CliRun): Result {
  return run.events.find((event) => event.type === 'result') ?? {};
}

describe.skipIf(skip)('claude 2.1.197 against the scripted model server', () => {
  const scripted = useScriptedServer();
  const sandbox = () => scripted.sandbox();

  it('edit: Write with an absolute path and Bash, then the answer (3 runs, median wall time)', async () => {
    const durations: number[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const box = await sandbox();
      const before = scripted.server.requests.length;
      const run = await runClaude(box, scripted.server.url, 'Create hello.txt [scenario:edit]');
      expect(run.exitCode, run.stdout).toBe(0);
      expectCleanExit(run);
      expect(await readRepoFile(box, 'hello.txt')).toBe('hello from claude\n');
      expect(await readRepoFile(box, 'README.md')).toBe('# sample\nEdited by claude (outpost scripted model).\n');
      expect(toolNames(run)).toEqual(['Write', 'Bash']);
      expect(resultOf(run)).toMatchObject({ is_error: false, result: 'Created hello.txt.', num_turns: 3 });
      // HEAD / first; no title request with non-essential traffic off.
      expect(scripted.server.requests.slice(before).map((request) => [request.method, request.scenario])).toEqual([
        ['HEAD', null],
        ['POST', 'edit'],
        ['POST', 'edit'],
      ]);
      durations.push(run.durationMs);
    }
    console.log(`claude edit wall time: ${durations.join(', ')} ms, median ${median(durations)} ms`);
  });

  it('reasoning: a thinking block comes before the tool calls', async () => {
    const box = await sandbox();
    const run = await runClaude(box, scripted.server.url, 'Create hello.txt [scenario:reasoning]');
    expect(run.exitCode).toBe(0);
    expectCleanExit(run);
    const types = contentBlocks(run).map((block) => block.type);
    expect(types[0]).toBe('thinking');
    expect(contentBlocks(run)[0]?.thinking).toContain('Planning');
    expect(await readRepoFile(box, 'hello.txt')).toBe('hello from claude\n');
  });

  it('plan: claude 2.1.197 offers TaskCreate (no TodoWrite) in -p mode; the plan uses it', async () => {
    const box = await sandbox();
    const run = await runClaude(box, scripted.server.url, 'Plan, then create hello.txt [scenario:plan]');
    expect(run.exitCode).toBe(0);
    expectCleanExit(run);
    expect(toolNames(run)).toEqual(['TaskCreate', 'Write', 'Bash']);
    expect(resultOf(run).result).toBe('Created hello.txt as planned.');
  });

  it('multi-turn: three tool calls in three model turns, then the answer', async () => {
    const box = await sandbox();
    const run = await runClaude(box, scripted.server.url, 'Do it step by step [scenario:multi-turn]');
    expect(run.exitCode).toBe(0);
    expectCleanExit(run);
    expect(toolNames(run)).toEqual(['Write', 'Bash', 'Bash']);
    expect(resultOf(run)).toMatchObject({ num_turns: 4, result: 'Created hello.txt in three steps.' });
  });

  it('noop: only an answer, no change', async () => {
    const box = await sandbox();
    const run = await runClaude(box, scripted.server.url, 'Anything to do? [scenario:noop]');
    expect(run.exitCode).toBe(0);
    expect(toolNames(run)).toEqual([]);
    expect(resultOf(run).result).toContain('Nothing to change');
    expect(await readRepoFile(box, 'hello.txt')).toBeNull();
  });

  it('slow: every event is delayed, the run still completes', async () => {
    const box = await sandbox();
    const run = await runClaude(box, scripted.server.url, 'Create hello.txt [scenario:slow]');
    expect(run.exitCode).toBe(0);
    expect(run.durationMs).toBeGreaterThan(1_500);
    expect(await readRepoFile(box, 'hello.txt')).toBe('hello from claude\n');
  });

  it.each([
    ['http-401', 401, /Invalid API key/],
    ['http-429', 429, /429/],
    ['http-500', 500, /500/],
  ])('%s: exits 1 at once with CLAUDE_CODE_MAX_RETRIES=0', async (scenario, status, message) => {
    const box = await sandbox();
    const run = await runClaude(box, scripted.server.url, `Create hello.txt [scenario:${scenario}]`);
    expect(run.exitCode).toBe(1);
    expectCleanExit(run);
    expect(resultOf(run)).toMatchObject({ is_error: true, api_error_status: status });
    expect(resultOf(run).result).toMatch(message);
    expect(run.durationMs).toBeLessThan(10_000);
  });

  it('cut: claude silently retries without streaming and the run succeeds', async () => {
    const box = await sandbox();
    const before = scripted.server.requests.length;
    const run = await runClaude(box, scripted.server.url, 'Create hello.txt [scenario:cut]');
    expect(run.exitCode).toBe(0);
    expectCleanExit(run);
    expect(resultOf(run)).toMatchObject({ is_error: false, result: 'Created hello.txt.' });
    // Two turns, each a cut stream followed by a non-streamed retry.
    expect(scripted.server.requests.slice(before).filter((request) => request.scenario === 'cut')).toHaveLength(4);
    expect(await readRepoFile(box, 'hello.txt')).toBe('hello from claude\n');
  });

  it('cut: with CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK=1 it exits 1 (connection lost)', async () => {
    const box = await sandbox();
    const run = await runClaude(box, scripted.server.url, 'Create hello.txt [scenario:cut]', {
      env: { CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK: '1' },
    });
    expect(run.exitCode).toBe(1);
    expectCleanExit(run);
    expect(resultOf(run)).toMatchObject({ is_error: true });
    expect(resultOf(run).result).toMatch(/ECONNRESET|Connection/);
    expect(await readRepoFile(box, 'hello.txt')).toBeNull();
  });

  it('hang: API_TIMEOUT_MS=2000 ends the run with exit 1', async () => {
    const box = await sandbox();
    const run = await runClaude(box, scripted.server.url, 'Create hello.txt [scenario:hang]', { idleTimeoutMs: 2_000 });
    expect(run.exitCode).toBe(1);
    expectCleanExit(run);
    expect(resultOf(run)).toMatchObject({ is_error: true, result: 'Request timed out' });
    expect(run.durationMs).toBeLessThan(10_000);
  });

  it('refused: exits 1 at once with retries 0', async () => {
    const gone = await startModelServer();
    await gone.close();
    const box = await sandbox();
    const run = await runClaude(box, gone.url, 'Create hello.txt');
    expect(run.exitCode).toBe(1);
    expectCleanExit(run);
    expect(resultOf(run).result).toMatch(/Unable to connect/);
    expect(run.durationMs).toBeLessThan(10_000);
  });

  it('resume: sessions live in CLAUDE_CONFIG_DIR (not HOME); --resume needs the same dir and cwd', async () => {
    const box = await sandbox();
    const first = await runClaude(box, scripted.server.url, 'Create hello.txt [scenario:edit]');
    expect(first.exitCode).toBe(0);
    const sessionId = resultOf(first).session_id;
    expect(typeof sessionId).toBe('string');

    // Same CLAUDE_CONFIG_DIR and cwd, a brand-new HOME: the session is found.
    const otherHome = join(box.root, 'other-home');
    await mkdir(otherHome);
    const before = scripted.server.requests.length;
    const resumed = await runClaude(box, scripted.server.url, 'Anything else?', { resumeId: String(sessionId), home: otherHome });
    expect(resumed.exitCode, resumed.stdout).toBe(0);
    expectCleanExit(resumed);
    expect(resultOf(resumed)).toMatchObject({ session_id: sessionId, result: 'Nothing left to do: the earlier task is complete.' });
    // The server's default is noop: seeing `edit` proves the first prompt came back in the history.
    expect(scripted.server.requests.slice(before).filter((request) => request.method === 'POST').map((request) => request.scenario)).toEqual(['edit']);

    // Same HOME, another CLAUDE_CONFIG_DIR: not found.
    const otherConfig = join(box.root, 'other-config');
    await mkdir(otherConfig);
    const lost = await runClaude(box, scripted.server.url, 'Anything else?', { resumeId: String(sessionId), agentHome: otherConfig });
    expect(lost.exitCode).toBe(1);
    expectCleanExit(lost);
    expect(`${lost.stdout}${lost.stderr}`).toMatch(/No conversation found/);
  });
});
