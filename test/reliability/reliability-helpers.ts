import { execa, type ResultPromise } from 'execa';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dispatchBin, isRunning, processesUnder, readJson } from '../helpers/run-cli.js';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value (not undefined/false), or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Starts bin/dispatch in the background as a user's shell would (no TTY); `detached` gives it its own session. */
export function startDispatch(args: string[], env: Record<string, string>, opts: { detached?: boolean } = {}): ResultPromise {
  return execa(process.execPath, [dispatchBin, ...args], { env, extendEnv: false, reject: false, detached: opts.detached ?? false, input: '' });
}

/** The run directories of a home (hidden staging directories excluded), oldest first. */
export function runDirs(home: string): string[] {
  const runs = join(home, 'runs');
  if (!existsSync(runs)) return [];
  return readdirSync(runs)
    .filter((name) => !name.startsWith('.') && !name.includes('-group-') && /^\d{8}-/.test(name))
    .sort()
    .map((name) => join(runs, name));
}

/** Waits for the first run's summary to record the agent's start (its process group). */
export async function waitForAgentStart(home: string, timeoutMs = 30_000): Promise<string> {
  return waitFor('the agent to start', () => runDirs(home).find((dir) => hasAgentPgid(dir)), timeoutMs);
}

function hasAgentPgid(dir: string): boolean {
  try {
    return readJson<{ agent_pgid: number | null }>(join(dir, 'summary.json')).agent_pgid !== null;
  } catch {
    return false;
  }
}

/** Pids the fake agent's helpers recorded (FAKE_AGENT_PIDFILE). */
export function recordedPids(pidfile: string): number[] {
  if (!existsSync(pidfile)) return [];
  return readFileSync(pidfile, 'utf8').split('\n').filter(Boolean).map(Number);
}

/** What of a run still lives: recorded helper pids and anything working under `dir`. */
export function survivorsOf(pidfile: string, dir: string): string[] {
  const pids = recordedPids(pidfile).filter(isRunning).map((pid) => `pid ${pid}`);
  return [...pids, ...processesUnder(dir).map((p) => `${p.pid} ${p.cmdline}`)];
}

/** Waits until nothing of the run lives; returns how long that took (for the report). */
export async function timeUntilGone(pidfile: string, dir: string, timeoutMs = 15_000): Promise<number> {
  const start = Date.now();
  await waitFor('every process of the run to be gone', () => survivorsOf(pidfile, dir).length === 0, timeoutMs);
  return Date.now() - start;
}
