import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Invocation } from '../executors/types.js';
import { findContained, stopContained, trackContainment, untrackContainment, type Containment, type StopReport } from './containment.js';
import { createLineBlockSplitter, type LineBlock } from './line-splitter.js';
import { createRunCgroup, spawnInCgroup } from './run-cgroup.js';
import { createRunMarker, RUN_MARKER_VAR } from './run-marker.js';

export type StopReason = 'cancel' | 'timeout' | 'idle_timeout' | 'fatal_error';

export interface AgentProcessOptions {
  invocation: Invocation;
  /** Written to stdin, which is then closed (codex waits for EOF). */
  input: string;
  /** Each line's raw bytes, without its `\n` (lineText() gives the text)… */
  onStdoutLine?: (line: Buffer) => void;
  onStderrLine?: (line: Buffer) => void;
  /** …or the whole lines of each chunk read at once (taken instead of the line callbacks). */
  onStdoutLines?: (block: LineBlock) => void;
  onStderrLines?: (block: LineBlock) => void;
  /** Called when a stream write needs the caller's sink to drain; the stream is paused meanwhile (a rejection resumes it too). */
  waitForSink?: () => Promise<void> | undefined;
  timeoutMs: number;
  idleTimeoutMs: number;
  /** Time between SIGTERM and SIGKILL. */
  graceMs: number;
  /** The run's marker and cgroup, recorded in summary.json before this is called (fresh ones when absent). */
  marker?: string;
  cgroup?: string | null;
  /** How long output pipes still held by descendants are read after the agent exits. */
  drainMs?: number;
}

export interface AgentProcessResult {
  exitCode: number | null;
  signal: string | null;
  stoppedBy: StopReason | null;
  /** Set when the process could not be started at all. */
  spawnError: string | null;
  durationMs: number;
  /** Processes the agent left running when it exited on its own (all stopped since). */
  leftovers: number;
  /** The stop of the run's processes, when there was one. */
  stop: StopReport | null;
}

export interface AgentProcess {
  readonly pid: number | undefined;
  /** Stops every process of the run (SIGTERM, grace, SIGKILL). The first reason wins. */
  stop(reason: StopReason): void;
  readonly done: Promise<AgentProcessResult>;
}

export const DEFAULT_DRAIN_MS = 1_000;
const SETTLE_MS = 100;
const SETTLE_POLL_MS = 10;

/**
 * Runs one agent CLI: prompt on stdin, stdout/stderr read line by line, wall-clock and idle
 * timeouts. The run ends when the agent's main process exits: pipes a descendant still
 * holds are read for drainMs more, then closed, and every process the agent left behind,
 * whatever its group or session, is stopped (containment.ts).
 */
export function startAgentProcess(opts: AgentProcessOptions): AgentProcess {
  const startedAt = Date.now();
  const { invocation } = opts;
  const marker = opts.marker ?? createRunMarker();
  // A caller that records nothing (setup and check steps, the version probe) still gets a cgroup.
  const cgroup = opts.cgroup === undefined ? createRunCgroup(marker) : opts.cgroup;
  // Its own process group (detached), the environment given and nothing else, never a shell.
  const child = spawnInCgroup(cgroup, () =>
    spawn(invocation.file, invocation.args, {
      cwd: invocation.cwd,
      env: { ...invocation.env, [RUN_MARKER_VAR]: marker },
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    }),
  );
  const outcome = watchOutcome(child);
  // An agent may exit without reading all of its input (EPIPE): its exit says what happened.
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(opts.input);
  const containment: Containment = { marker, cgroup, pgid: child.pid ?? null, pgidTrusted: true };
  trackContainment(containment);

  let stoppedBy: StopReason | null = null;
  let stopping: Promise<StopReport> | undefined;
  let leftovers = 0;
  let exited = false;
  // Whether the run's processes were all gone once the agent had exited (then nothing is left to stop later).
  let goneAtExit = false;
  const stop = (reason: StopReason) => {
    if (stoppedBy !== null || exited) return;
    stoppedBy = reason;
    stopping = stopContained(containment, opts.graceMs);
  };

  const idleTimer = setTimeout(() => stop('idle_timeout'), opts.idleTimeoutMs);
  const touch = () => idleTimer.refresh();
  const wallTimer = setTimeout(() => stop('timeout'), opts.timeoutMs);

  const streams = [child.stdout, child.stderr].filter((stream) => stream !== null);
  const pipeLines = (stream: NodeJS.ReadableStream | null, onLines: ((block: LineBlock) => void) | undefined, onLine: ((line: Buffer) => void) | undefined) => {
    if (!stream) return;
    const splitter = createLineBlockSplitter(onLines ?? ((block) => block.lines.forEach((line) => onLine?.(line))));
    stream.on('data', (chunk: Buffer) => {
      touch();
      splitter.push(chunk);
      const waiting = opts.waitForSink?.();
      if (waiting) {
        stream.pause();
        // A sink that failed (a full disk) must neither crash dispatch nor stall the agent's pipe.
        waiting.catch(() => undefined).finally(() => stream.resume()).catch(() => undefined);
      }
    });
    stream.on('end', () => splitter.flush());
    stream.on('close', () => splitter.flush());
  };
  pipeLines(child.stdout, opts.onStdoutLines, opts.onStdoutLine);
  pipeLines(child.stderr, opts.onStderrLines, opts.onStderrLine);

  // The main process is gone: no more timeouts. Descendants holding the pipes get a brief
  // drain; then whatever is left of the run is stopped and the pipes are closed.
  const afterExit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      clearTimeout(wallTimer);
      clearTimeout(idleTimer);
      void (async () => {
        const drainMs = opts.drainMs ?? DEFAULT_DRAIN_MS;
        // The drain timer is cancelled once the pipes close: a pending timer would keep dispatch alive.
        const drain = new AbortController();
        const closed = await Promise.race([
          Promise.all(streams.map(whenClosed)).then(() => true),
          sleep(drainMs, false, { signal: drain.signal }).catch(() => false),
        ]);
        drain.abort();
        // Let the agent's own helpers finish exiting before anything counts as left behind.
        const remaining = closed ? await settle(containment) : undefined;
        if (!stopping) {
          const report = await stopContained(containment, opts.graceMs, remaining);
          leftovers = report.found;
          if (report.found > 0) stopping = Promise.resolve(report);
          else goneAtExit = true;
        }
        for (const stream of streams) stream.destroy();
        resolve();
      })();
    });
  });

  const done = (async (): Promise<AgentProcessResult> => {
    const result = await outcome;
    clearTimeout(wallTimer);
    clearTimeout(idleTimer);
    if (child.pid !== undefined) await afterExit;
    else for (const stream of [child.stdin, ...streams]) stream?.destroy();
    let report = stopping ? await stopping : null;
    // Anything forked while the first stop ran: stopped too. Nothing was running if none was found at exit.
    const late = goneAtExit && stoppedBy === null ? NOTHING_STOPPED : await stopContained(containment, opts.graceMs);
    if (late.found > 0) {
      if (stoppedBy === null) leftovers += late.found;
      report = { ...late, found: (report?.found ?? 0) + late.found };
    }
    untrackContainment(containment);
    return {
      exitCode: result.exitCode,
      signal: result.signal,
      stoppedBy,
      spawnError: stoppedBy ? null : result.spawnError,
      durationMs: Date.now() - startedAt,
      leftovers,
      stop: report,
    };
  })();

  return { pid: child.pid, stop, done };
}

interface ChildOutcome {
  exitCode: number | null;
  signal: string | null;
  /** Why the agent could not be started (ENOENT, EACCES), or null. */
  spawnError: string | null;
}

/** How the agent's main process ended: its exit, or the error that kept it from starting. */
function watchOutcome(child: ChildProcess): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    child.once('exit', (exitCode, signal) => resolve({ exitCode, signal, spawnError: null }));
    child.on('error', (error) => {
      // Only a failed start ends it here; a later error (a kill that failed) waits for the exit.
      if (child.pid === undefined) resolve({ exitCode: null, signal: null, spawnError: error.message || 'could not start the agent' });
    });
  });
}

/** Waits up to SETTLE_MS for processes of the run that are still exiting; returns those still there (none, at once, usually). */
async function settle(containment: Containment): Promise<number[]> {
  const end = Date.now() + SETTLE_MS;
  for (;;) {
    const pids = findContained(containment);
    if (pids.length === 0 || Date.now() >= end) return pids;
    await sleep(SETTLE_POLL_MS);
  }
}

const NOTHING_STOPPED: StopReport = { found: 0, goneAfterMs: 0, survivors: [] };

function whenClosed(stream: NodeJS.ReadableStream & { closed?: boolean }): Promise<void> {
  return stream.closed ? Promise.resolve() : new Promise((resolve) => stream.once('close', () => resolve()));
}
