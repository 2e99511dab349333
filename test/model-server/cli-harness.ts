import { execa } from 'execa';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import { claudeEnv, codexConfigToml, startModelServer, type ModelServer } from '../../src/model-server/index.js';
import { createSandbox, type Sandbox } from './sandbox.js';

/** The pinned CLIs from node_modules (never a global install). */
export const CODEX_BIN = fileURLToPath(new URL('../../node_modules/.bin/codex', import.meta.url));
export const CLAUDE_BIN = fileURLToPath(new URL('../../node_modules/.bin/claude', import.meta.url));

/** Names of pinned binaries missing from node_modules/.bin. */
export function listMissingBinaries(): string[] {
  return [CODEX_BIN, CLAUDE_BIN].filter((bin) => !existsSync(bin)).map((bin) => bin.split('/').at(-1) ?? bin);
}

/** How one CLI run ended. */
export interface CliRun {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** stdout lines that parse as JSON objects. */
  events: Array<Record<string, unknown>>;
  durationMs: number;
  /** The harness had to stop it (SIGTERM to its group, then SIGKILL). */
  stoppedByHarness: boolean;
  /** Processes still carrying the run's marker after it ended (killed, then reported). */
  survivors: number[];
}

interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  input: string;
  timeoutMs: number;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseEvents(stdout: string): Array<Record<string, unknown>> {
  return stdout.split('\n').flatMap((line) => {
    try {
      const value = JSON.parse(line) as unknown;
      return isJsonObject(value) ? [value] : [];
    } catch {
      return [];
    }
  });
}

// Every process of a run inherits a marker variable; /proc finds them even after setsid().
async function findMarkedProcesses(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = await readFile(`/proc/${entry}/environ`, 'latin1');
      if (environ.split('\0').includes(marker)) found.push(Number(entry));
    } catch {
      // Gone meanwhile, or not readable: not ours.
    }
  }
  return found;
}

async function collectSurvivors(marker: string): Promise<number[]> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const pids = await findMarkedProcesses(marker);
    if (pids.length === 0) return [];
    await new Promise((done) => setTimeout(done, 50));
  }
  const pids = await findMarkedProcesses(marker);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return pids;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** Runs a binary in its own process group, prompt on stdin; stops the group after timeoutMs. */
export async function runCli(file: string, args: string[], options: RunOptions): Promise<CliRun> {
  const marker = `OUTPOST_MS_TEST_RUN=${randomUUID()}`;
  const [markerName = '', markerValue = ''] = marker.split('=');
  const startedAt = Date.now();
  const child = execa(file, args, {
    cwd: options.cwd,
    env: { ...options.env, [markerName]: markerValue },
    extendEnv: false,
    detached: true,
    input: options.input,
    reject: false,
    cleanup: false,
    stripFinalNewline: false,
  });
  let stoppedByHarness = false;
  let killTimer: NodeJS.Timeout | undefined;
  const stopTimer = setTimeout(() => {
    if (child.pid === undefined) return;
    stoppedByHarness = true;
    killGroup(child.pid, 'SIGTERM');
    killTimer = setTimeout(() => child.pid !== undefined && killGroup(child.pid, 'SIGKILL'), 1_000);
  }, options.timeoutMs);
  const result = await child;
  clearTimeout(stopTimer);
  if (killTimer) clearTimeout(killTimer);
  const stdout = String(result.stdout ?? '');
  return {
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    stdout,
    stderr: String(result.stderr ?? ''),
    events: parseEvents(stdout),
    durationMs: Date.now() - startedAt,
    stoppedByHarness,
    survivors: await collectSurvivors(marker),
  };
}

/** Options of one codex or claude run against the scripted server. */
export interface AgentRunOptions {
  /** Extra CLI arguments (before the prompt). */
  args?: string[];
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Thread or session id to resume. */
  resumeId?: string;
  timeoutMs?: number;
  /** codex: stream_idle_timeout_ms; claude: API_TIMEOUT_MS. */
  idleTimeoutMs?: number;
  /** Overrides the sandbox's HOME (to show what the agent home alone holds). */
  home?: string;
  /** Overrides the sandbox's agent home. */
  agentHome?: string;
}

/** Where codex writes its final message (`-o`). */
export function codexLastMessagePath(sandbox: Sandbox): string {
  return join(sandbox.root, 'last-message.md');
}

/** Runs `codex exec --json` in the sandbox's repo, pointed at the scripted server. */
export async function runCodex(sandbox: Sandbox, url: string, prompt: string, opts: AgentRunOptions = {}): Promise<CliRun> {
  const agentHome = opts.agentHome ?? sandbox.agentHome;
  await writeFile(join(agentHome, 'config.toml'), codexConfigToml(url, { streamIdleTimeoutMs: opts.idleTimeoutMs ?? 5_000 }));
  const args = [
    'exec', '--json', '-s', 'workspace-write', '-C', sandbox.repo, '--skip-git-repo-check',
    '-o', codexLastMessagePath(sandbox), '--disable', 'plugins', ...(opts.args ?? []),
    ...(opts.resumeId ? ['resume', opts.resumeId] : []), '-',
  ];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: opts.home ?? sandbox.home, CODEX_HOME: agentHome, ...opts.env };
  return runCli(CODEX_BIN, args, { cwd: sandbox.repo, env, input: prompt, timeoutMs: opts.timeoutMs ?? 30_000 });
}

/** Runs `claude -p --output-format stream-json` in the sandbox's repo, pointed at the scripted server. */
export async function runClaude(sandbox: Sandbox, url: string, prompt: string, opts: AgentRunOptions = {}): Promise<CliRun> {
  const args = [
    '-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits', '--allowedTools=Bash',
    ...(opts.resumeId ? ['--resume', opts.resumeId] : []), ...(opts.args ?? []),
  ];
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: opts.home ?? sandbox.home,
    CLAUDE_CONFIG_DIR: opts.agentHome ?? sandbox.agentHome,
    ...claudeEnv(url, { apiTimeoutMs: opts.idleTimeoutMs ?? 10_000 }),
    ...opts.env,
  };
  return runCli(CLAUDE_BIN, args, { cwd: sandbox.repo, env, input: prompt, timeoutMs: opts.timeoutMs ?? 30_000 });
}

/** The median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** The CLI exited by itself and left no process behind. */
export function expectCleanExit(run: CliRun): void {
  expect(run.stoppedByHarness, run.stderr).toBe(false);
  expect(run.survivors).toEqual([]);
}

/**
 * One scripted model server for a describe block, and temp sandboxes (repo, HOME, agent
 * home) that are removed after it.
 */
export function useScriptedServer(): { readonly server: ModelServer; sandbox: () => Promise<Sandbox> } {
  let server: ModelServer | undefined;
  const sandboxes: Sandbox[] = [];
  beforeAll(async () => {
    server = await startModelServer({ defaultScenario: 'noop', slowChunkDelayMs: 100 });
  });
  afterAll(async () => {
    await server?.close();
    await Promise.all(sandboxes.map((created) => created.cleanup()));
  });
  return {
    get server(): ModelServer {
      if (!server) throw new Error('the scripted server is not started yet');
      return server;
    },
    async sandbox(): Promise<Sandbox> {
      const created = await createSandbox();
      sandboxes.push(created);
      return created;
    },
  };
}
