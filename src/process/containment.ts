import { setTimeout as sleep } from 'node:timers/promises';
import { signalGroup } from './process-group.js';
import { scanProcesses } from './proc-scan.js';
import { killCgroup, listCgroupProcesses, removeRunCgroup } from './run-cgroup.js';
import { markerEntry } from './run-marker.js';

/**
 * How one run's processes are found, whatever group or session they moved to: the marker
 * in their environment, the run's cgroup where there is one, and the agent's process group.
 */
export interface Containment {
  marker: string;
  cgroup: string | null;
  pgid: number | null;
  /**
   * Whether every member of `pgid` is ours: true in the dispatcher that spawned the agent
   * (the group id cannot be reused while a member lives). A later reader sets false and the
   * group counts only when one of its members carries the marker.
   */
  pgidTrusted: boolean;
}

/** What stopping a run's processes took. */
export interface StopReport {
  /** Processes found when the stop began. */
  found: number;
  /** From the stop request to the last process gone (0 when there was none). */
  goneAfterMs: number;
  /** Processes still alive when stopContained gave up (an escaped process, see RELIABILITY.md). */
  survivors: number[];
}

const POLL_MS = 40;
/** After SIGKILL, how long to keep sweeping for processes forked during the kill. */
const KILL_SWEEP_MS = 5_000;

/** Every live process of the run now, the dispatcher itself excepted. */
export function findContained(c: Containment): number[] {
  // One pass over /proc answers for the marker and the group both.
  const scan = scanProcesses(c.marker === '' ? null : markerEntry(c.marker), c.pgid);
  const pids = new Set([...listCgroupProcesses(c.cgroup), ...(scan?.marked ?? [])]);
  if (c.pgid !== null) {
    const members = scan?.members;
    // Without /proc (macOS) the group is all we can see: it stands for itself while it answers.
    if (members === undefined) {
      if (c.pgidTrusted && isGroupSignalable(c.pgid)) pids.add(c.pgid);
    } else if (c.pgidTrusted || members.some((pid) => pids.has(pid))) {
      for (const pid of members) pids.add(pid);
    }
  }
  pids.delete(process.pid);
  return [...pids];
}

function isGroupSignalable(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalAll(c: Containment, pids: number[], signal: NodeJS.Signals): void {
  if (signal === 'SIGKILL') killCgroup(c.cgroup);
  if (c.pgid !== null && (c.pgidTrusted || pids.includes(c.pgid))) signalGroup(c.pgid, signal);
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Stops every process of the run: SIGTERM, up to `graceMs` for them to leave, then SIGKILL
 * (and cgroup.kill) repeated until none is found, so children forked meanwhile die too.
 * `foundNow`: the run's processes as a scan made just before found them.
 */
export async function stopContained(c: Containment, graceMs: number, foundNow?: number[]): Promise<StopReport> {
  const startedAt = Date.now();
  // foundNow: what a scan just made found (spares a second scan of /proc).
  let pids = foundNow ?? findContained(c);
  const found = pids.length;
  if (found === 0) {
    removeRunCgroup(c.cgroup);
    return { found, goneAfterMs: 0, survivors: [] };
  }
  signalAll(c, pids, 'SIGTERM');
  const graceEnd = startedAt + graceMs;
  while (pids.length > 0 && Date.now() < graceEnd) {
    await sleep(POLL_MS);
    pids = findContained(c);
  }
  const sweepEnd = Date.now() + KILL_SWEEP_MS;
  while (pids.length > 0 && Date.now() < sweepEnd) {
    signalAll(c, pids, 'SIGKILL');
    await sleep(POLL_MS / 2);
    pids = findContained(c);
  }
  removeRunCgroup(c.cgroup);
  return { found, goneAfterMs: Date.now() - startedAt, survivors: pids };
}

/** SIGKILLs the run's processes at once, synchronously (exit hook, second Ctrl-C). */
export function killContainedNow(c: Containment): void {
  signalAll(c, findContained(c), 'SIGKILL');
}

const live = new Set<Containment>();
let exitHookInstalled = false;

/** Remembers a running agent so that whatever ends this process, its processes die with it. */
export function trackContainment(c: Containment): void {
  live.add(c);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killAllContainedNow);
}

export function untrackContainment(c: Containment): void {
  live.delete(c);
}

/** SIGKILLs every tracked run's processes now. */
export function killAllContainedNow(): void {
  for (const c of live) killContainedNow(c);
}
