import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A cgroup v2 per run, where the dispatcher may create one (root, or a delegated subtree):
 * membership is inherited by every fork and no process can leave it on its own, so it
 * holds even an agent that clears its environment. Every function here degrades to a
 * no-op (null, [], false) where cgroup v2 is missing or read-only.
 */

let cgroup2Mount: string | null | undefined;

/**
 * Where cgroup2 is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid hosts). Read
 * once per process: every agent start asks, and /proc/self/mounts is slow to read while
 * the machine is busy starting agents.
 */
function findCgroup2Mount(): string | null {
  cgroup2Mount ??= readCgroup2Mount();
  return cgroup2Mount;
}

function readCgroup2Mount(): string | null {
  try {
    for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
      const [, mountPoint, fsType] = line.split(' ');
      if (fsType === 'cgroup2' && mountPoint) return mountPoint;
    }
  } catch {
    // not Linux
  }
  return null;
}

/** The absolute directory of a process's own cgroup v2 (the `0::` line of /proc/<pid>/cgroup). */
function cgroupDirOf(pid: number | 'self', mount: string): string | null {
  try {
    const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((entry) => entry.startsWith('0::'));
    return line ? join(mount, line.slice(3)) : null;
  } catch {
    return null;
  }
}

/**
 * Creates the run's cgroup below the dispatcher's own one, named after the run's marker.
 * Returns its path, or null when cgroups cannot be used here.
 */
export function createRunCgroup(marker: string): string | null {
  // DISPATCH_CGROUP=off: the marker and the process group alone (RELIABILITY.md).
  if (process.env.DISPATCH_CGROUP === 'off') return null;
  const mount = findCgroup2Mount();
  const own = mount ? cgroupDirOf('self', mount) : null;
  if (!own) return null;
  const dir = join(own, `outpost-${marker}`);
  try {
    mkdirSync(dir);
    return existsSync(join(dir, 'cgroup.procs')) ? dir : null;
  } catch {
    return null;
  }
}

/**
 * Calls `spawn` with the dispatcher inside the run's cgroup, so the child is born there
 * (a fork inherits its parent's cgroup: no instant where it runs outside), then moves the
 * dispatcher back. spawn must be synchronous (child_process spawns before it returns).
 */
export function spawnInCgroup<T>(cgroup: string | null, spawn: () => T): T {
  const mount = cgroup ? findCgroup2Mount() : null;
  const home = mount ? cgroupDirOf('self', mount) : null;
  if (!cgroup || !home || !moveProcess(process.pid, cgroup)) return spawn();
  try {
    return spawn();
  } finally {
    moveProcess(process.pid, home);
  }
}

/**
 * How holdCgroupMovesWarm keeps moves cheap: a move within ~10 ms of the last one is cheap
 * (measured), so a tick every 3 ms. A tick that comes later than WARM_GAP_MS after the last
 * move (a busy event loop) would be a slow one itself: ticking stops until the next hold.
 * A hold older than WARM_MAX_MS (a long checkout) stops ticking too: ticks for seconds
 * would cost more than the one slow move they spare.
 */
const WARM_TICK_MS = 3;
const WARM_GAP_MS = 8;
const WARM_MAX_MS = 250;
const warmHolds = new Set<{ since: number }>();
// Started by the first hold; once it stops, later holds of the same spell leave their moves as they come.
let warmTimer: NodeJS.Timeout | undefined;
let warmable = true;
let lastMoveAt = 0;

/**
 * Keeps the dispatcher's next cgroup move cheap until released. The first move of any
 * process between cgroups after a quiet spell waits for an RCU grace period (the kernel's
 * lock on thread groups: 5–35 ms here, the dispatcher's event loop stopped meanwhile); a
 * move within ~10 ms of another one takes ~0.2 ms. So a first hold "moves" the
 * dispatcher into the cgroup it is already in (nothing changes) once the caller's
 * synchronous work is done, and then every few ms: the slow move happens while git checks
 * the workspace out, not when the agent starts. Synchronous like spawnInCgroup, so the two
 * never interleave. A no-op where cgroups cannot be used.
 */
export function holdCgroupMovesWarm(): () => void {
  if (!warmable || process.env.DISPATCH_CGROUP === 'off') return () => undefined;
  const hold = { since: Date.now() };
  const firstHold = warmHolds.size === 0;
  warmHolds.add(hold);
  if (firstHold) {
    // No move of this spell yet: whichever tick comes first makes it (the interval's can come
    // before the immediate's when the caller's synchronous work takes longer than a tick).
    lastMoveAt = 0;
    warmTimer = setInterval(warmTick, WARM_TICK_MS).unref();
    setImmediate(warmTick).unref();
  }
  return () => {
    warmHolds.delete(hold);
    if (warmHolds.size === 0) stopWarming();
  };
}

/** Whether holds are keeping moves warm now: ticking, with this spell's first move made. */
export function movesKeptWarm(): boolean {
  return warmTimer !== undefined && lastMoveAt !== 0;
}

function warmTick(): void {
  if (!warmTimer) return;
  const now = Date.now();
  const cold = lastMoveAt !== 0 && now - lastMoveAt > WARM_GAP_MS;
  if (cold || ![...warmHolds].some((hold) => now - hold.since < WARM_MAX_MS)) return stopWarming();
  const mount = findCgroup2Mount();
  // Read at each tick, as spawnInCgroup does: a dispatcher moved from outside is not moved back.
  const home = mount ? cgroupDirOf('self', mount) : null;
  if (home && moveProcess(process.pid, home)) return;
  // Not movable here (no cgroup v2, no permission): nothing to keep warm, ever.
  warmable = false;
  stopWarming();
}

function stopWarming(): void {
  clearInterval(warmTimer);
  warmTimer = undefined;
}

function moveProcess(pid: number, cgroup: string): boolean {
  try {
    writeFileSync(join(cgroup, 'cgroup.procs'), String(pid));
    lastMoveAt = Date.now();
    return true;
  } catch {
    return false;
  }
}

/** Whether `path` names a run cgroup of ours (read back from a summary before anything is killed). */
export function isRunCgroupPath(path: string, marker: string): boolean {
  const mount = findCgroup2Mount();
  return mount !== null && path.startsWith(`${mount}/`) && path.endsWith(`/outpost-${marker}`) && !path.includes('/../');
}

/** The processes in the run's cgroup now (empty when it is gone). */
export function listCgroupProcesses(cgroup: string | null): number[] {
  if (!cgroup) return [];
  try {
    return readFileSync(join(cgroup, 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map(Number)
      .filter((pid) => pid !== process.pid);
  } catch {
    return [];
  }
}

/** SIGKILLs every process of the cgroup at once (cgroup.kill, Linux 5.14+); false when not possible. */
export function killCgroup(cgroup: string | null): boolean {
  if (!cgroup) return false;
  try {
    writeFileSync(join(cgroup, 'cgroup.kill'), '1');
    return true;
  } catch {
    return false;
  }
}

/** Removes the run's cgroup once it is empty; a no-op while processes remain or when it is gone. */
export function removeRunCgroup(cgroup: string | null): void {
  if (!cgroup) return;
  try {
    rmdirSync(cgroup);
  } catch {
    // still populated, or already gone
  }
}
