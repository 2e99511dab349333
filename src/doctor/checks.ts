import { execa } from 'execa';
import { access, constants, mkdir, statfs } from 'node:fs/promises';
import { probeCliVersion } from '../executors/cli-version.js';
import { copyEnv } from '../executors/agent-home.js';
import { locateBinary } from '../executors/find-binary.js';
import { getExecutor } from '../executors/registry.js';
import type { LoginReport } from './login-checks.js';
import type { ExecutorName } from '../executors/types.js';
import type { DispatchHome } from '../runs/home.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of `dispatch doctor`. */
export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  hint?: string;
  /** Checks of an executor that is not asked for never fail the doctor. */
  executor?: ExecutorName;
  /** The login checks: its kind, when its access token expires, whether parallel runs are safe. */
  login?: LoginReport;
}

const MIN_GIT = [2, 25];
const LOW_DISK_BYTES = 2 * 1024 ** 3;

export async function checkGit(env: NodeJS.ProcessEnv): Promise<Check> {
  const result = await execa('git', ['--version'], { env: copyEnv(env), extendEnv: false, reject: false, timeout: 10_000 });
  const match = /(\d+)\.(\d+)/.exec(String(result.stdout));
  if (result.exitCode !== 0 || !match) {
    return { name: 'git', status: 'fail', detail: 'git not found', hint: 'install git (apt-get install git)' };
  }
  const [major, minor] = [Number(match[1]), Number(match[2])];
  const old = major < (MIN_GIT[0] ?? 0) || (major === MIN_GIT[0] && minor < (MIN_GIT[1] ?? 0));
  return old
    ? { name: 'git', status: 'warn', detail: `${String(result.stdout)} is older than ${MIN_GIT.join('.')}`, hint: 'upgrade git' }
    : { name: 'git', status: 'ok', detail: String(result.stdout).replace(/^git version /, '') };
}

/** The CLI: found where, which version, and whether it is the tested one. */
export async function checkCli(name: ExecutorName, env: NodeJS.ProcessEnv): Promise<Check> {
  const executor = getExecutor(name);
  const bin = locateBinary(executor, env);
  if (!bin) {
    return {
      name: `${name} cli`,
      status: 'fail',
      detail: 'not found',
      hint: `npm install -g ${executor.npmPackage} (or set ${executor.binEnvVar})`,
      executor: name,
    };
  }
  const info = await probeCliVersion(executor, bin, copyEnv(env), process.cwd());
  return {
    name: `${name} cli`,
    status: info.warning ? 'warn' : 'ok',
    detail: `${info.version ?? 'unknown version'} at ${bin}${info.tested ? ` (tested: ${info.tested})` : ''}`,
    ...(info.warning ? { hint: `${info.warning}; npm ci installs the tested version` } : {}),
    executor: name,
  };
}

export async function checkHome(home: DispatchHome): Promise<Check> {
  try {
    await mkdir(home.root, { recursive: true });
    await access(home.root, constants.W_OK);
  } catch (error) {
    return { name: 'home', status: 'fail', detail: `${home.root} is not writable: ${(error as Error).message}`, hint: 'pass --home DIR or set DISPATCH_HOME' };
  }
  const stats = await statfs(home.root);
  const free = stats.bavail * stats.bsize;
  const detail = `${home.root} (${(free / 1024 ** 3).toFixed(1)} GiB free)`;
  return free < LOW_DISK_BYTES
    ? { name: 'home', status: 'warn', detail, hint: 'free some disk: each run keeps a worktree (dispatch prune, once available, removes old ones)' }
    : { name: 'home', status: 'ok', detail };
}

export function checkRoot(): Check {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return root
    ? {
        name: 'user',
        status: 'ok',
        detail: 'running as root: claude refuses bypassPermissions as root unless IS_SANDBOX=1; dispatch sets it for --sandbox full only',
      }
    : { name: 'user', status: 'ok', detail: `uid ${process.getuid?.() ?? 'unknown'}` };
}

export function checkQueue(env: NodeJS.ProcessEnv): Check {
  const url = env.DISPATCH_QUEUE;
  return url
    ? { name: 'queue', status: 'ok', detail: url.replace(/\/\/[^@/]*@/, '//') }
    : { name: 'queue', status: 'ok', detail: 'not configured (runs on this machine)' };
}
