import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

/** What one pass over /proc found: live processes (zombies left out) by marker and by process group. */
export interface ProcScan {
  /** Processes whose environment carries the marker asked for. */
  marked: number[];
  /** Members of the process group asked for. */
  members: number[];
}

// One buffer for every /proc read of a scan: no allocation per process.
const buffer = Buffer.alloc(64 * 1024);

/**
 * Reads /proc once for both questions containment asks: which live processes carry
 * `needle` (`NAME=value`; this process left out) in their environment, and which belong
 * to group `pgid` (null: not asked). Undefined where /proc cannot be read (macOS).
 */
export function scanProcesses(needle: string | null, pgid: number | null): ProcScan | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const inside = needle === null ? null : Buffer.from(`\0${needle}\0`);
  const first = needle === null ? null : Buffer.from(`${needle}\0`);
  // /proc/<pid>/stat is the costly read (the kernel sums every thread): a group that is gone
  // altogether needs none, and a marked process needs its own only.
  const group = pgid !== null && (pgid <= 1 || groupExists(pgid)) ? pgid : null;
  const scan: ProcScan = { marked: [], members: [] };
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let state: ProcState | undefined;
    if (group !== null) {
      state = readState(entry);
      if (state?.live && state.pgrp === group) scan.members.push(pid);
    }
    if (inside === null || first === null || pid === process.pid) continue;
    const environ = readProcFile(`/proc/${entry}/environ`);
    if (!environ || !(environ.subarray(0, first.length).equals(first) || environ.includes(inside))) continue;
    if ((state ?? readState(entry))?.live) scan.marked.push(pid);
  }
  return scan;
}

interface ProcState {
  /** Neither a zombie nor dead. */
  live: boolean;
  pgrp: number;
}

function readState(entry: string): ProcState | undefined {
  const stat = readProcFile(`/proc/${entry}/stat`)?.toString('latin1');
  if (stat === undefined) return undefined;
  // pid (comm) state ppid pgrp ... ; comm may contain spaces and parentheses
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ', 4);
  return { live: fields[0] !== 'Z' && fields[0] !== 'X', pgrp: Number(fields[2]) };
}

/** Whether any process (a zombie too) is in group pgid: kill(-pgid, 0) fails with ESRCH only when none is. */
function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** The file's bytes (a view of the shared buffer, valid until the next read); undefined when it cannot be read. */
function readProcFile(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) return buffer.subarray(0, length);
      length += read;
      // Larger than the buffer (a huge environment): read whole, the slow way.
      if (length === buffer.length) return readFileSync(path);
    }
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
