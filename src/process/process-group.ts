import { scanProcesses } from './proc-scan.js';

/**
 * Process groups. Each agent is spawned detached, so it leads its own group and
 * `kill(-pgid)` reaches the children that stayed in it (containment.ts finds the rest).
 */

/**
 * Lists the group's non-zombie processes from /proc (Linux). A zombie left in the group
 * (its parent gone, init slow to reap) must not make a finished run look alive.
 * Returns undefined where /proc is not available.
 */
export function listLiveGroupMembers(pgid: number): number[] | undefined {
  return scanProcesses(null, pgid)?.members;
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}
