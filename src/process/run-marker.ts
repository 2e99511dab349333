import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * The per-run marker: an environment variable every descendant of the agent inherits
 * (whatever its process group or session), found again through /proc/<pid>/environ.
 * The name avoids KEY/TOKEN/SECRET, which codex strips from its shell's environment.
 */
export const RUN_MARKER_VAR = 'OUTPOST_RUN_MARKER';

/** A fresh marker: 128 random bits, so a process carrying it is this run's and no other's. */
export function createRunMarker(): string {
  return randomBytes(16).toString('hex');
}

/** Whether this platform lets us read other processes' environments (/proc, Linux). */
export function canScanMarkers(): boolean {
  try {
    readdirSync('/proc/self');
    return true;
  } catch {
    return false;
  }
}

/**
 * Live processes (not zombies) whose environment carries the marker, this process excepted.
 * Empty where /proc is missing or unreadable (macOS; see RELIABILITY.md).
 */
export function findMarkedProcesses(marker: string): number[] {
  if (marker === '') return [];
  const needle = Buffer.from(`\0${RUN_MARKER_VAR}=${marker}\0`);
  const first = Buffer.from(`${RUN_MARKER_VAR}=${marker}\0`);
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`);
      if (!(environ.subarray(0, first.length).equals(first) || environ.includes(needle))) continue;
      if (!isZombie(entry)) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

function isZombie(pid: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return true;
  }
}
