import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive } from '../process/process-identity.js';

const OWNER = 'queue-follow.pid';

/**
 * Only one process on this machine appends a queued run's streamed events to its
 * events.jsonl (the attached submitter, or else the first `logs -f`); a dead owner's claim
 * is taken over. Returns the release function, or null when another live process owns it.
 */
export function claimEventAppending(runDir: string): (() => void) | null {
  const path = join(runDir, OWNER);
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch {
      const owner = Number(readOr(path));
      if (Number.isInteger(owner) && owner > 0 && isProcessAlive(owner, null)) return null;
      rmSync(path, { force: true });
    }
  }
  return null;
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
