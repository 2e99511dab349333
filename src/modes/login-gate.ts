import type { LoginRefreshWatch } from '../executors/login-types.js';

/** How a refreshing agent's turn at the gate ended. */
type GateEnd = 'refreshed' | 'ended' | 'timed_out';

export interface LoginGateOptions {
  /** How often the leader's login store is checked for the new token (200 ms). */
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

function lead(watch: LoginRefreshWatch, opts: LoginGateOptions): () => void {
  let finish: (end: GateEnd) => void = () => undefined;
  const done = new Promise<GateEnd>((resolve) => (finish = resolve));
  leaders.set(watch.key, done);
  const end = (how: GateEnd) => {
    clearInterval(poll);
    clearTimeout(deadline);
    if (leaders.get(watch.key) === done) leaders.delete(watch.key);
    finish(how);
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
    if (pending === undefined) return watch.due ? lead(watch, opts) : () => undefined;
    const end = await untilAborted(pending, signal);
    // Refreshed, or the leader is taking too long: start with what the store holds now.
    if (end !== 'ended') return () => undefined;
  }
}
