import { execa } from 'execa';
import type { Invocation } from '../executors/types.js';
import { createLineSplitter } from './line-splitter.js';
import { isGroupAlive, terminateGroup, trackGroup, untrackGroup } from './process-group.js';

export type StopReason = 'cancel' | 'timeout' | 'idle_timeout' | 'fatal_error';

export interface AgentProcessOptions {
  invocation: Invocation;
  /** Written to stdin, which is then closed (codex waits for EOF). */
  input: string;
  onStdoutLine: (line: string) => void;
  onStderrLine: (line: string) => void;
  /** Called when a stream write needs the caller's sink to drain; the stream is paused meanwhile. */
  waitForSink?: () => Promise<void> | undefined;
  timeoutMs: number;
  idleTimeoutMs: number;
  /** Time between SIGTERM and SIGKILL. */
  graceMs: number;
}

export interface AgentProcessResult {
  exitCode: number | null;
  signal: string | null;
  stoppedBy: StopReason | null;
  /** Set when the process could not be started at all. */
  spawnError: string | null;
  durationMs: number;
}

export interface AgentProcess {
  readonly pid: number | undefined;
  /** Stops the whole process group (SIGTERM, grace, SIGKILL). The first reason wins. */
  stop(reason: StopReason): void;
  readonly done: Promise<AgentProcessResult>;
}

/**
 * Runs one agent CLI in its own process group: prompt on stdin, stdout/stderr read line by
 * line, wall-clock and idle timeouts. When the leader exits, anything it left in its group
 * is terminated too, so no agent process outlives the run.
 */
export function startAgentProcess(opts: AgentProcessOptions): AgentProcess {
  const startedAt = Date.now();
  const { invocation } = opts;
  const child = execa(invocation.file, invocation.args, {
    cwd: invocation.cwd,
    env: invocation.env,
    extendEnv: false,
    detached: true,
    input: opts.input,
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    cleanup: false,
    stripFinalNewline: false,
  });
  const pgid = child.pid;
  if (pgid !== undefined) trackGroup(pgid);

  let stoppedBy: StopReason | null = null;
  let stopping: Promise<void> | undefined;
  const stop = (reason: StopReason) => {
    if (stoppedBy !== null || pgid === undefined) return;
    stoppedBy = reason;
    stopping = terminateGroup(pgid, opts.graceMs);
  };

  const idleTimer = setTimeout(() => stop('idle_timeout'), opts.idleTimeoutMs);
  const touch = () => idleTimer.refresh();
  const wallTimer = setTimeout(() => stop('timeout'), opts.timeoutMs);

  const pipeLines = (stream: NodeJS.ReadableStream | null, onLine: (line: string) => void) => {
    if (!stream) return;
    const splitter = createLineSplitter(onLine);
    stream.on('data', (chunk: Buffer) => {
      touch();
      splitter.push(chunk);
      const waiting = opts.waitForSink?.();
      if (waiting) {
        stream.pause();
        void waiting.then(() => stream.resume());
      }
    });
    stream.on('end', () => splitter.flush());
  };
  pipeLines(child.stdout, opts.onStdoutLine);
  pipeLines(child.stderr, opts.onStderrLine);

  // The leader's exit does not close the pipes while a grandchild still holds them:
  // clean up the rest of the group as soon as the leader is gone.
  child.once('exit', () => {
    if (pgid !== undefined && isGroupAlive(pgid)) stopping ??= terminateGroup(pgid, opts.graceMs);
  });

  const done = (async (): Promise<AgentProcessResult> => {
    const result = await child;
    clearTimeout(wallTimer);
    clearTimeout(idleTimer);
    if (stopping) await stopping;
    if (pgid !== undefined) {
      if (isGroupAlive(pgid)) await terminateGroup(pgid, opts.graceMs);
      untrackGroup(pgid);
    }
    const spawnError = pgid === undefined || (result.failed && result.exitCode === undefined && !result.signal)
      ? (result.originalMessage ?? result.shortMessage ?? 'could not start the agent')
      : null;
    return {
      exitCode: result.exitCode ?? null,
      signal: result.signal ?? null,
      stoppedBy,
      spawnError: stoppedBy ? null : spawnError,
      durationMs: Date.now() - startedAt,
    };
  })();

  return { pid: pgid, stop, done };
}
