import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { scanProcesses } from './proc-scan.js';

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
  return scanProcesses(markerEntry(marker), null)?.marked ?? [];
}

/** The marker as its environment entry reads: `OUTPOST_RUN_MARKER=<marker>`. */
export function markerEntry(marker: string): string {
  return `${RUN_MARKER_VAR}=${marker}`;
}
