import type { ExecutorName } from '../executors/types.js';
import type { DispatchHome } from '../runs/home.js';
import { checkCli, checkGit, checkHome, checkQueue, checkRoot, type Check } from './checks.js';
import { checkLogin } from './login-checks.js';

export interface DoctorReport {
  checks: Check[];
  /** Whether the asked-for executors can run: their CLI is found and logged in, git works, home is writable. */
  ready: boolean;
  executors: ExecutorName[];
}

/** Runs every check; only failures of git, home and the asked-for executors make it not ready. */
export async function runDoctor(executors: ExecutorName[], home: DispatchHome, env: NodeJS.ProcessEnv, now = new Date()): Promise<DoctorReport> {
  const all: ExecutorName[] = ['codex', 'claude'];
  const nested = await Promise.all([
    checkGit(env),
    ...all.flatMap((name) => [checkCli(name, env), Promise.resolve(checkLogin(name, env, now))]),
    checkHome(home),
    Promise.resolve(checkRoot()),
    env.DISPATCH_QUEUE ? import('../queue/queue-doctor.js').then(({ checkQueueConnection }) => checkQueueConnection(env.DISPATCH_QUEUE ?? '')) : Promise.resolve(checkQueue(env)),
  ]);
  const checks = nested.flat();
  const ready = checks.every((check) => check.status !== 'fail' || (check.executor !== undefined && !executors.includes(check.executor)));
  return { checks, ready, executors };
}
