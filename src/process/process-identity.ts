import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { listLiveGroupMembers } from './process-group.js';

/**
 * When a process started, in clock ticks since boot (/proc/<pid>/stat field 22): with the
 * pid it names one process for good, so a reused pid is told apart. Null without /proc.
 */
export function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the process that wrote a record (pid, and its start time when recorded) still runs. */
export function isProcessAlive(pid: number, startTicks: string | null | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!startTicks) return true;
  const now = processStartTicks(pid);
  return now === null || now === startTicks;
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Whether process group `pgid` still holds an agent of ours: one of its live processes
 * works inside one of `dirs`. Guards every kill of a recorded pgid against pid reuse.
 */
export function isGroupWorkingIn(pgid: number, dirs: string[]): boolean {
  const roots = dirs.map(realpathOr);
  return (listLiveGroupMembers(pgid) ?? []).some((pid) => {
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      return roots.some((root) => cwd === root || cwd.startsWith(`${root}/`));
    } catch {
      return false;
    }
  });
}
