import { setTimeout as sleep } from 'node:timers/promises';
import { listLiveGroupMembers, signalGroup } from './process-group.js';

/** Why a limited child was stopped. */
export type LimitStop = 'timeout' | 'cancelled';

/** A time limit and a cancel signal over a child that leads its own process group. */
export interface GroupLimit {
  /** Why the child was stopped, or null while it ran its course. */
  stopped(): LimitStop | null;
  /** Call once the child exited: clears the timers; a stopped group is SIGKILLed until empty. */
  settle(): Promise<void>;
}

/** SIGTERM first, so git removes its lock files; SIGKILL this long after. */
const TERM_GRACE_MS = 2_000;
const SETTLE_MS = 3_000;
const POLL_MS = 25;

/**
 * Watches a child spawned `detached` (its pid is its group): on timeout or abort the whole
 * group is stopped, so helpers such as git-remote-http die with their git.
 */
export function limitGroup(pgid: number | undefined, timeoutMs: number, signal: AbortSignal | undefined): GroupLimit {
  let stopped: LimitStop | null = null;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (why: LimitStop) => {
    if (stopped !== null || pgid === undefined) return;
    stopped = why;
    signalGroup(pgid, 'SIGTERM');
    killTimer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), TERM_GRACE_MS);
  };
  const timer = setTimeout(() => stop('timeout'), timeoutMs);
  // git has its own group, out of reach of a terminal's signals: dispatch exiting (a second
  // Ctrl-C, an error) takes it along.
  const onExit = () => pgid !== undefined && signalGroup(pgid, 'SIGKILL');
  process.on('exit', onExit);
  const onAbort = () => stop('cancelled');
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    stopped: () => stopped,
    async settle() {
      clearTimeout(timer);
      clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
      process.off('exit', onExit);
      if (stopped === null || pgid === undefined) return;
      const deadline = Date.now() + SETTLE_MS;
      for (;;) {
        signalGroup(pgid, 'SIGKILL');
        const members = listLiveGroupMembers(pgid);
        if (members === undefined || members.length === 0 || Date.now() > deadline) return;
        await sleep(POLL_MS);
      }
    },
  };
}
