import { setTimeout as sleep } from 'node:timers/promises';
import { hostname } from 'node:os';
import { readLockOwner, tryOwnedLock } from '../locks/owned-lock.js';
import { isProcessAlive } from '../process/process-identity.js';
import type { LoginRefreshWatch } from '../executors/login-types.js';

/** How a refreshing agent's turn at the gate ended. */
type GateEnd = 'refreshed' | 'ended' | 'timed_out';

export interface LoginGateOptions {
  /** How often the login store is checked for the new token (200 ms). */
  pollMs?: number;
  /** Others start anyway after this long, even if the leader has not refreshed (120 s). */
  maxWaitMs?: number;
}

// One entry per login store whose refresh is under way in this process.
const leaders = new Map<string, Promise<GateEnd>>();

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T | 'aborted'> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.resolve('aborted');
  return new Promise((resolve) => {
    const onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then((value) => {
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
  });
}

type Release = () => Promise<void>;

// The lock other dispatch processes see; undefined when another process holds it. A lock
// whose dispatch died is taken over at once (its owner is recorded inside it).
async function lockAcrossProcesses(watch: LoginRefreshWatch): Promise<Release | undefined> {
  if (!watch.lockPath) return () => Promise.resolve();
  try {
    const attempt = await tryOwnedLock(watch.lockPath);
    if (attempt.kind === 'held') return undefined;
    return () => attempt.release().catch(() => undefined);
  } catch {
    return () => Promise.resolve(); // An unwritable store directory: in-process order only.
  }
}

function isLockedElsewhere(path: string): boolean {
  const owner = readLockOwner(path);
  return owner !== undefined && (owner.host !== hostname() || isProcessAlive(owner.pid, owner.pid_start));
}

// Another dispatch refreshes this login: wait for its new token or its lock to go.
async function waitForOtherProcess(watch: LoginRefreshWatch, opts: LoginGateOptions, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + (opts.maxWaitMs ?? 120_000);
  while (!signal?.aborted && Date.now() < deadline && !watch.refreshed()) {
    await sleep(opts.pollMs ?? 200);
    if (watch.lockPath && !isLockedElsewhere(watch.lockPath)) return;
  }
}

/** Claims the refresh of a due login for this agent; the returned function ends the claim. */
function lead(watch: LoginRefreshWatch, opts: LoginGateOptions, releaseLock: Release): () => void {
  let finish: (end: GateEnd) => void = () => undefined;
  const done = new Promise<GateEnd>((resolve) => (finish = resolve));
  leaders.set(watch.key, done);
  const end = (how: GateEnd) => {
    clearInterval(poll);
    clearTimeout(deadline);
    if (leaders.get(watch.key) !== done) return;
    leaders.delete(watch.key);
    void releaseLock().then(() => finish(how));
  };
  const poll = setInterval(() => watch.refreshed() && end('refreshed'), opts.pollMs ?? 200);
  const deadline = setTimeout(() => end('timed_out'), opts.maxWaitMs ?? 120_000);
  return () => end('ended');
}

/**
 * Call before starting an agent; call the returned function once the agent has ended.
 * When its login is due for a refresh, the first agent passes alone and refreshes it; the
 * others wait until the store holds the new token (or the first agent ends, then the next
 * one refreshes alone), so a token chain is refreshed once, never by two agents at once.
 * Other dispatch processes are kept in order by a lock next to the login store.
 */
export async function passLoginGate(
  watchLogin: () => LoginRefreshWatch | undefined,
  signal?: AbortSignal,
  opts: LoginGateOptions = {},
): Promise<() => void> {
  for (;;) {
    const watch = watchLogin();
    if (!watch) return () => undefined;
    const pending = leaders.get(watch.key);
    if (pending === undefined) {
      if (!watch.due) return () => undefined;
      // Hold the in-process slot while asking for the cross-process lock.
      let claimed: () => void = () => undefined;
      const slot = new Promise<GateEnd>((resolve) => (claimed = () => resolve('ended')));
      leaders.set(watch.key, slot);
      const releaseLock = await lockAcrossProcesses(watch);
      leaders.delete(watch.key);
      if (releaseLock) {
        const end = lead(watch, opts, releaseLock);
        claimed();
        return end;
      }
      claimed();
      await waitForOtherProcess(watch, opts, signal);
      if (signal?.aborted) return () => undefined;
      continue;
    }
    const end = await untilAborted(pending, signal);
    // Refreshed, or the leader is taking too long: start with what the store holds now.
    if (end !== 'ended') return () => undefined;
  }
}
