import { execa } from 'execa';
import { readdirSync, readlinkSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
export const dispatchBin = join(projectRoot, 'bin', 'dispatch');
export const fakeAgent = join(projectRoot, 'test', 'fixtures', 'fake-agent.mjs');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The environment of a test dispatch: its own home, fake agents, fake keys, no user config. */
export function testEnv(home: string, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(home, 'user-home'),
    DISPATCH_HOME: home,
    CODEX_BIN: fakeAgent,
    CLAUDE_BIN: fakeAgent,
    OPENAI_API_KEY: 'sk-test-0123456789abcdefghijklmnop',
    ANTHROPIC_API_KEY: 'sk-ant-test-0123456789abcdefghij',
    GIT_CONFIG_NOSYSTEM: '1',
    // bin/dispatch's code cache, shared by the whole suite (each home's own would be written by
    // nearly every test and read by few); test/integration/code-cache.test.ts tests it alone.
    XDG_CACHE_HOME: join(tmpdir(), 'outpost-test-code-cache'),
  };
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Spawns bin/dispatch as a user would (no TTY). */
export async function runCli(
  args: string[],
  opts: { env: Record<string, string>; cwd?: string; input?: string; timeoutMs?: number },
): Promise<CliResult> {
  const result = await execa(process.execPath, [dispatchBin, ...args], {
    env: opts.env,
    extendEnv: false,
    cwd: opts.cwd ?? projectRoot,
    input: opts.input ?? '',
    reject: false,
    timeout: opts.timeoutMs ?? 60_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Processes whose working directory lies under `dir` (Linux /proc): agents that outlived their run. */
export function processesUnder(dir: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (!cwd.startsWith(dir)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      found.push({ pid: Number(entry), cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ') });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

export function readJson<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function readEvents(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Whether a process runs (a zombie waiting to be reaped does not). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}
