import { readdirSync, readFileSync } from 'node:fs';

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
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp ... ; comm may contain spaces and parentheses
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') members.push(Number(entry));
  }
  return members;
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}
