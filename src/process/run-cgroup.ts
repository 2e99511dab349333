import { spawn, type ChildProcess } from 'node:child_process';
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
 * The warmer: bash moves itself into the cgroup it is already in (nothing changes), once as
 * it starts (then says "ready"), then every 3 ms (a move within ~10 ms of another one is cheap, measured),
 * waiting on its stdin: EOF (the last hold released, or the dispatcher gone) ends it. No
 * fork per move. It stops by itself after WARM_MOVES moves (~0.3 s): a longer fetch or
 * checkout takes a fresh hold. A constant script; the only argument is the path it writes.
 */
const WARM_MOVES = 100;
const WARMER_SCRIPT = `echo 0 > "$1" || exit 1; echo ready; i=0; while [ "$i" -lt ${WARM_MOVES} ]; do read -r -t 0.003 _; [ $? -gt 128 ] || exit 0; echo 0 > "$1" || exit 1; i=$((i + 1)); done`;
const warmHolds = new Set<object>();
let warmable = true;
let warmer: ChildProcess | undefined;
let warmerReady = false;

/**
 * Keeps the dispatcher's next cgroup move cheap until released. The first move of any
 * process between cgroups after a quiet spell waits for an RCU grace period (the kernel's
 * lock on thread groups, global: 5–35 ms here while git checks out; the mover waits that
 * long); a move within ~10 ms of another one, by any process, takes ~0.2 ms. Moving the
 * dispatcher itself costs its event loop that wait, and each later move costs it CPU (a
 * thread group of a dozen). So a short-lived child makes the moves (the warmer, above) while
 * the event loop runs on, and the agent's start (spawnInCgroup) finds its two moves cheap.
 * A no-op where cgroups or bash cannot be used.
 */
export function holdCgroupMovesWarm(): () => void {
  if (!warmable || process.env.DISPATCH_CGROUP === 'off') return () => undefined;
  const hold = {};
  warmHolds.add(hold);
  // A warmer that ended (its moves done) starts again for a new hold.
  if (!warmer) startWarmer();
  return () => {
    warmHolds.delete(hold);
    if (warmHolds.size === 0) stopWarmer();
  };
}

/** Whether holds are keeping moves warm now: the warmer runs and has made its first move. */
export function movesKeptWarm(): boolean {
  return warmer !== undefined && warmerReady;
}

function startWarmer(): void {
  const mount = findCgroup2Mount();
  const home = mount ? cgroupDirOf('self', mount) : null;
  if (!home) {
    warmable = false;
    return;
  }
  let child: ChildProcess;
  try {
    // Its own group, nothing inherited but PATH, no rc file (bash reads ~/.bashrc when its
    // stdin is a socket, as node's pipes are).
    child = spawn('bash', ['--norc', '--noprofile', '-c', WARMER_SCRIPT, 'outpost-warmer', join(home, 'cgroup.procs')], {
      stdio: ['pipe', 'pipe', 'ignore'],
      detached: true,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
  } catch {
    warmable = false;
    return;
  }
  warmer = child;
  warmerReady = false;
  installWarmerKill();
  child.once('error', () => {
    // No bash: moves are left as they come.
    if (child.pid === undefined) warmable = false;
  });
  child.stdout?.once('data', () => {
    if (warmer === child) warmerReady = true;
  });
  child.once('exit', (code) => {
    // Its first move failed (no permission): nothing to keep warm, ever.
    if (code === 1 && warmer === child && !warmerReady) warmable = false;
    if (warmer === child) warmer = undefined;
  });
  child.stdin?.on('error', () => undefined);
  // None of it keeps the dispatcher alive.
  child.unref();
  (child.stdin as { unref?: () => void } | null)?.unref?.();
  (child.stdout as { unref?: () => void } | null)?.unref?.();
}

function stopWarmer(): void {
  // EOF: the warmer's wait ends and so does it.
  warmer?.stdin?.end();
  warmer = undefined;
  warmerReady = false;
}

let warmerKillInstalled = false;

/** A warmer still running when the dispatcher exits goes with it (its stdin's EOF would end it too). */
function installWarmerKill(): void {
  if (warmerKillInstalled) return;
  warmerKillInstalled = true;
  process.on('exit', () => {
    const pid = warmer?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  });
}

function moveProcess(pid: number, cgroup: string): boolean {
  try {
    writeFileSync(join(cgroup, 'cgroup.procs'), String(pid));
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
