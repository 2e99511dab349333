import type { ExecutorName } from '../executors/types.js';
import type { DispatchHome } from '../runs/home.js';
import { checkAuth, checkCli, checkGit, checkHome, checkQueue, checkRoot, type Check } from './checks.js';

export interface DoctorReport {
  checks: Check[];
  /** Whether the asked-for executors can run: their CLI is found and logged in, git works, home is writable. */
  ready: boolean;
  executors: ExecutorName[];
}

/** Runs every check; only failures of git, home and the asked-for executors make it not ready. */
export async function runDoctor(executors: ExecutorName[], home: DispatchHome, env: NodeJS.ProcessEnv): Promise<DoctorReport> {
  const all: ExecutorName[] = ['codex', 'claude'];
  const checks = await Promise.all([
    checkGit(env),
    ...all.flatMap((name) => [checkCli(name, env), Promise.resolve(checkAuth(name, env))]),
    checkHome(home),
    Promise.resolve(checkRoot()),
    Promise.resolve(checkQueue(env)),
  ]);
  const ready = checks.every((check) => check.status !== 'fail' || (check.executor !== undefined && !executors.includes(check.executor)));
  return { checks, ready, executors };
}
