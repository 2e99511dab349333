import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from './atomic-write.js';

/** The file `dispatch cancel` leaves in a run or group directory for its dispatcher to see. */
export const CANCEL_FILE = 'cancel-requested';
const POLL_MS = 250;

/** Asks the dispatcher of a run or group (possibly in another shell) to cancel it. */
export async function requestCancel(dir: string, now = new Date()): Promise<void> {
  await writeFileAtomically(join(dir, CANCEL_FILE), `${JSON.stringify({ requested: now.toISOString(), by_pid: process.pid })}\n`);
}

/**
 * Calls onCancel once when a cancel request appears in `dir`. Polls (no fs.watch: it is
 * unreliable on network file systems); the timer never keeps the process alive.
 */
export function watchCancelRequest(dir: string, onCancel: () => void): () => void {
  const timer = setInterval(() => {
    if (!existsSync(join(dir, CANCEL_FILE))) return;
    clearInterval(timer);
    onCancel();
  }, POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
