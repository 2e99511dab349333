import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { dispatchBin, readJson, testEnv } from './run-cli.js';

/** Short lock and stalled check, so a dead worker's job comes back in seconds, not a minute. */
export const FAST_RECOVERY = { DISPATCH_QUEUE_LOCK_MS: '2000', DISPATCH_QUEUE_STALLED_MS: '1000' };

export interface TestWorker {
  name: string;
  home: string;
  process: ResultPromise;
  output(): string;
}

/** Starts `bin/dispatch worker` with a home of its own; resolves once it takes jobs. */
export async function startWorker(
  root: string,
  name: string,
  queueUrl: string,
  extra: Record<string, string | undefined> = {},
  args: string[] = [],
  baseEnv?: Record<string, string>,
): Promise<TestWorker> {
  const home = join(root, name);
  mkdirSync(home, { recursive: true });
  const child = execa(process.execPath, [dispatchBin, 'worker', '--queue', queueUrl, ...args], {
    env: baseEnv ? { ...baseEnv, ...FAST_RECOVERY } : testEnv(home, { ...FAST_RECOVERY, ...extra }),
    extendEnv: false,
    reject: false,
    input: '',
    forceKillAfterDelay: 10_000,
  });
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (!/taking .* jobs/.test(text)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`worker ${name} did not start: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { name, home, process: child, output: () => text };
}

/** The run directories under a home, not the hidden ones. */
export function runDirsOf(home: string): string[] {
  const runs = join(home, 'runs');
  if (!existsSync(runs)) return [];
  return readdirSync(runs).filter((name) => /^\d{8}-/.test(name)).map((name) => join(runs, name));
}

export function summaryOf(runDir: string): Record<string, unknown> & { status: string; outcome: string | null; warnings: string[] } {
  return readJson(join(runDir, 'summary.json'));
}

/** Stops every worker still running (SIGTERM, then SIGKILL after 10 s). */
export async function stopWorkers(workers: TestWorker[]): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      if (worker.process.exitCode !== null || worker.process.signalCode !== null) return;
      worker.process.kill('SIGTERM');
      await worker.process;
    }),
  );
}
