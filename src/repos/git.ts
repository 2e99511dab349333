import { InfraError } from '../errors.js';
import { limitGroup, type GroupLimit, type LimitStop } from '../process/group-limit.js';
import { runGitProcess, type GitProcessResult } from './git-process.js';
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
  let limit: GroupLimit | undefined;
  const result = await runGitProcess([...SAFE_CONFIG_ARGS, ...args], {
    ...processOptions(opts),
    detached: opts.limits !== undefined,
    onSpawn: (pid) => {
      if (opts.limits) limit = limitGroup(pid, opts.limits.timeoutMs, opts.limits.signal);
    },
  });
  await limit?.settle();
  const stdout = trimFinalNewline(result.stdout.toString('utf8'));
  const stderr = trimFinalNewline(result.stderr.toString('utf8'));
  const stopped = limit?.stopped() ?? undefined;
  return checkResult(args, opts, { stdout, stderr, exitCode: result.exitCode, ...(stopped ? { stopped } : {}) }, result);
}

/** Like runGit, but stdout comes back as bytes, untouched (for `diff --binary`). */
export async function runGitBuffer(args: string[], opts: GitOptions = {}): Promise<GitBufferResult> {
  const result = await runGitProcess([...SAFE_CONFIG_ARGS, ...args], { ...processOptions(opts), detached: false });
  return checkResult(args, opts, { stdout: result.stdout, stderr: result.stderr.toString('utf8'), exitCode: result.exitCode }, result);
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

function processOptions(opts: GitOptions) {
  return { cwd: opts.cwd, env: buildGitEnv(opts.env), input: opts.input, maxBuffer: MAX_BUFFER_BYTES };
}

function buildGitEnv(extra: Record<string, string> | undefined): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of REPO_LOCATION_VARS) delete env[name];
  return { ...env, ...NO_PROMPT_ENV, ...extra };
}

function trimFinalNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

function checkResult<T extends { stderr: string; exitCode: number }>(
  args: string[],
  opts: GitOptions,
  out: T,
  raw: GitProcessResult,
): T {
  if (raw.error?.code === 'ENOENT') {
    throw new InfraError('git is not installed or not on PATH', 'install git 2.39 or newer');
  }
  if (raw.overflowed) {
    throw new InfraError(`git ${findSubcommand(args)} printed more than 1 GiB`);
  }
  if (out.exitCode !== 0 && !opts.allowFailure) {
    const cause = raw.error ? redactCredentials(raw.error.message) : '';
    throw toGitError(args, { stderr: out.stderr || cause, exitCode: out.exitCode });
  }
  return out;
}

/** The InfraError for a failed call: `git <subcommand> failed (exit N): <reason>`, redacted. */
export function toGitError(args: readonly string[], result: { stderr: string; exitCode: number }): InfraError {
  const reason = pickErrorLine(result.stderr) || 'no error output';
  return new InfraError(`git ${findSubcommand(args)} failed (exit ${result.exitCode}): ${reason}`);
}
