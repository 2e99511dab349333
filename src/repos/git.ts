import { execa } from 'execa';
import { InfraError } from '../errors.js';
import { limitGroup, type LimitStop } from '../process/group-limit.js';
import type { NetworkLimits } from './network-limits.js';
import { redactCredentials } from './redact.js';

/** Options for one git call. `env` is added on top of process.env and our safety env. */
export interface GitOptions {
  cwd?: string;
  env?: Record<string, string>;
  input?: string;
  allowFailure?: boolean;
  /** For calls that talk to a remote: git runs in its own process group, stopped whole at the limit. */
  limits?: NetworkLimits | undefined;
}

/** What a git call printed; stdout has its final newline trimmed. */
export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** Set when `limits` stopped git: the call never finished (allowFailure callers check it). */
  stopped?: LimitStop | undefined;
}

/** Like GitResult, with stdout as raw bytes (binary patches). */
export interface GitBufferResult {
  stdout: Buffer;
  stderr: string;
  exitCode: number;
}

/**
 * Prepended to every call: repositories an agent touched may carry hooks, an fsmonitor
 * command or an ext:: remote; command-line config beats every config file.
 */
export const SAFE_CONFIG_ARGS: readonly string[] = [
  '-c', 'core.hooksPath=/dev/null',
  '-c', 'core.fsmonitor=false',
  '-c', 'protocol.ext.allow=never',
];

// Inherited from a parent git (dispatch started from a hook or alias) they would point
// every call at some other repository.
const REPO_LOCATION_VARS = [
  'GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_COMMON_DIR', 'GIT_NAMESPACE', 'GIT_PREFIX',
  'GIT_EXTERNAL_DIFF',
];

// No prompt can ever block a headless run: git's own (terminal and askpass), ssh's
// (passphrase, password, unknown host key: OpenSSH >= 8.4 then asks `true`, gets an empty
// answer and fails) and Git Credential Manager's. Credential helpers and ssh-agent still work.
const NO_PROMPT_ENV: Record<string, string> = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_ASKPASS: 'true',
  SSH_ASKPASS: 'true',
  SSH_ASKPASS_REQUIRE: 'force',
  GCM_INTERACTIVE: 'never',
};

const MAX_BUFFER_BYTES = 1024 * 1024 * 1024;

/** Runs git (never through a shell) with the safety config; throws InfraError on failure. */
export async function runGit(args: string[], opts: GitOptions = {}): Promise<GitResult> {
  const subprocess = execa('git', [...SAFE_CONFIG_ARGS, ...args], {
    ...buildExecaOptions(opts, 'utf8'),
    detached: opts.limits !== undefined,
  });
  const limit = opts.limits ? limitGroup(subprocess.pid, opts.limits.timeoutMs, opts.limits.signal) : undefined;
  const result = await subprocess;
  await limit?.settle();
  const stdout = typeof result.stdout === 'string' ? result.stdout : '';
  const stderr = typeof result.stderr === 'string' ? result.stderr : '';
  const stopped = limit?.stopped() ?? undefined;
  return checkResult(args, opts, { stdout, stderr, exitCode: exitCodeOf(result), ...(stopped ? { stopped } : {}) }, result);
}

/** Like runGit, but stdout comes back as bytes, untouched (for `diff --binary`). */
export async function runGitBuffer(args: string[], opts: GitOptions = {}): Promise<GitBufferResult> {
  const result = await execa('git', [...SAFE_CONFIG_ARGS, ...args], buildExecaOptions(opts, 'buffer'));
  const stdout = toBuffer(result.stdout);
  const stderr = toBuffer(result.stderr).toString('utf8');
  return checkResult(args, opts, { stdout, stderr, exitCode: exitCodeOf(result) }, result);
}

/** The git subcommand in an argument list (skips `-c k=v`, `-C dir`, `--git-dir=...`). */
export function findSubcommand(args: readonly string[]): string {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '-c' || arg === '-C') i += 1;
    else if (!arg.startsWith('-')) return arg;
  }
  return 'git';
}

/** The most telling line of git's stderr (`fatal:`/`error:` first), redacted, one line. */
export function pickErrorLine(stderr: string): string {
  const lines = stderr.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  // Redact before cutting: a cut inside `user:token@` would hide the '@' redaction needs.
  const line = redactCredentials(lines.find((l) => /^(fatal|error):/i.test(l)) ?? lines[0] ?? '');
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function buildExecaOptions(opts: GitOptions, encoding: 'utf8' | 'buffer') {
  return {
    cwd: opts.cwd,
    env: buildGitEnv(opts.env),
    extendEnv: false,
    reject: false,
    encoding,
    stripFinalNewline: encoding === 'utf8',
    maxBuffer: MAX_BUFFER_BYTES,
    ...(opts.input === undefined ? { stdin: 'ignore' as const } : { input: opts.input }),
  } as const;
}

function buildGitEnv(extra: Record<string, string> | undefined): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of REPO_LOCATION_VARS) delete env[name];
  return { ...env, ...NO_PROMPT_ENV, ...extra };
}

interface ExecaOutcome {
  exitCode?: number | undefined;
  failed: boolean;
  isMaxBuffer?: boolean;
  code?: string | undefined;
  cause?: unknown;
}

function exitCodeOf(result: ExecaOutcome): number {
  if (typeof result.exitCode === 'number') return result.exitCode;
  return result.failed ? -1 : 0;
}

function checkResult<T extends { stderr: string; exitCode: number }>(
  args: string[],
  opts: GitOptions,
  out: T,
  raw: ExecaOutcome,
): T {
  if (raw.code === 'ENOENT' && out.exitCode === -1) {
    throw new InfraError('git is not installed or not on PATH', 'install git 2.39 or newer');
  }
  if (raw.isMaxBuffer) {
    throw new InfraError(`git ${findSubcommand(args)} printed more than 1 GiB`);
  }
  if (out.exitCode !== 0 && !opts.allowFailure) {
    const cause = raw.cause instanceof Error ? redactCredentials(raw.cause.message) : '';
    throw toGitError(args, { stderr: out.stderr || cause, exitCode: out.exitCode });
  }
  return out;
}

/** The InfraError for a failed call: `git <subcommand> failed (exit N): <reason>`, redacted. */
export function toGitError(args: readonly string[], result: { stderr: string; exitCode: number }): InfraError {
  const reason = pickErrorLine(result.stderr) || 'no error output';
  return new InfraError(`git ${findSubcommand(args)} failed (exit ${result.exitCode}): ${reason}`);
}

function toBuffer(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.alloc(0);
}
