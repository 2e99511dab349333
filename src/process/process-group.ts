import { readdirSync, readFileSync } from 'node:fs';

/**
 * Process groups of the agents this dispatcher started. Each agent is spawned detached,
 * so it leads its own group and `kill(-pgid)` reaches its children and grandchildren.
 */

const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** Whether any process of the group still runs (zombies waiting to be reaped do not count). */
export function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const members = listLiveGroupMembers(pgid);
  return members === undefined || members.length > 0;
}

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until no process of the group is left, up to `timeoutMs`. Returns whether it is gone. */
export async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isGroupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/** SIGTERM to the whole group, then SIGKILL after `graceMs` if anything is left. */
export async function terminateGroup(pgid: number, graceMs: number): Promise<void> {
  if (!isGroupAlive(pgid)) return;
  signalGroup(pgid, 'SIGTERM');
  if (await waitForGroupExit(pgid, graceMs)) return;
  signalGroup(pgid, 'SIGKILL');
  await waitForGroupExit(pgid, 2_000);
}

/** Remembers a live group so the exit hook can kill it if the dispatcher goes away. */
export function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  installExitHook();
}

export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: whatever path ends this process, no agent group outlives it.
  process.on('exit', () => {
    for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  });
}
