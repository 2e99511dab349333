import { formatDuration } from '../duration.js';

/**
 * Limits for git calls that talk to a remote (ls-remote, fetch): a wall-clock limit, a
 * no-progress limit, and the caller's cancel signal. A remote that accepts the connection
 * and never answers must not hold a run (and the mirror lock) forever.
 */
export interface NetworkLimits {
  /** `--fetch-timeout`: the whole git call, in ms. */
  timeoutMs: number;
  /** Aborting stops the git call (Ctrl-C, dispatch cancel). */
  signal?: AbortSignal | undefined;
}

export const DEFAULT_FETCH_TIMEOUT_MS = 10 * 60_000;

/** No-progress limit: fewer than LOW_SPEED_BYTES a second for this long ends the transfer. */
const LOW_SPEED_SECONDS = 60;
const LOW_SPEED_BYTES = 1;
const SSH_OPTIONS = '-o ConnectTimeout=30 -o ServerAliveInterval=15 -o ServerAliveCountMax=4';

/** git's own no-progress limit for http(s) remotes, as `-c` arguments. */
export function lowSpeedArgs(): string[] {
  // A shorter --fetch-timeout fires first, with its own line.
  return ['-c', `http.lowSpeedLimit=${LOW_SPEED_BYTES}`, '-c', `http.lowSpeedTime=${LOW_SPEED_SECONDS}`];
}

/**
 * ssh connect and keep-alive limits through GIT_SSH_COMMAND, only when the user has chosen
 * no ssh command of their own (GIT_SSH_COMMAND, GIT_SSH or core.sshCommand).
 */
export function sshLimitEnv(env: NodeJS.ProcessEnv, configuredSshCommand: string): Record<string, string> {
  if (env.GIT_SSH_COMMAND || env.GIT_SSH || configuredSshCommand.trim() !== '') return {};
  return { GIT_SSH_COMMAND: `ssh ${SSH_OPTIONS}` };
}

/** The one line for a remote that did not finish within --fetch-timeout. */
export function describeFetchTimeout(what: string, displayUrl: string, timeoutMs: number): string {
  return `git ${what} of ${displayUrl} did not finish within --fetch-timeout ${formatDuration(timeoutMs)}; git was stopped`;
}

export const FETCH_TIMEOUT_HINT = 'check that the remote answers (network, VPN, proxy); raise --fetch-timeout for a very large repository';
