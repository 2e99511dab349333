import { killAllContainedNow } from '../process/containment.js';

/** The signals that stop dispatch: Ctrl-C, `kill`, and a closed terminal or dropped ssh. */
export type InterruptSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/**
 * SIGINT/SIGTERM/SIGHUP to dispatch: the first one cancels the runs (their agents are
 * stopped and their summaries finalized as `cancelled`). A second one kills every agent
 * process at once (SIGKILL) and leaves the runs a moment to write their summaries before
 * dispatch exits; a run still unwritten then is settled as abandoned by the next command.
 */
export interface Interrupts {
  signal: AbortSignal;
  /** The signal that interrupted dispatch, if any. */
  received(): InterruptSignal | null;
  dispose(): void;
}

const SIGNALS: InterruptSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** After a second signal: how long the runs get to finish their files. */
const FORCED_EXIT_MS = 3_000;

/** `already`: a signal that came before this watch began (during the config's fetch): it counts as the first. */
export function watchInterrupts(onFirst?: (signal: InterruptSignal) => void, already?: InterruptSignal | null): Interrupts {
  const controller = new AbortController();
  let received: InterruptSignal | null = null;
  const handler = (signal: InterruptSignal) => {
    // The terminal is gone: writing to it must not crash the clean-up (EIO, EPIPE).
    if (signal === 'SIGHUP') ignoreBrokenOutput();
    if (received !== null) {
      killAllContainedNow();
      setTimeout(() => process.exit(exitCodeForSignal(signal)), FORCED_EXIT_MS).unref();
      return;
    }
    received = signal;
    if (signal !== 'SIGHUP') onFirst?.(signal);
    controller.abort('interrupted');
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  if (already) {
    received = already;
    controller.abort('interrupted');
  }
  return {
    signal: controller.signal,
    received: () => received,
    dispose() {
      for (const signal of SIGNALS) process.off(signal, handler);
    },
  };
}

function ignoreBrokenOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') === 0) stream.on('error', () => undefined);
  }
}

export function exitCodeForSignal(signal: InterruptSignal): number {
  return { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 }[signal];
}
