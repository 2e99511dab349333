/**
 * SIGINT/SIGTERM to dispatch: the first one cancels the runs (their agents are stopped and
 * their summaries finalized as `cancelled`); a second one exits at once (the exit hook
 * still kills every agent group).
 */
export interface Interrupts {
  signal: AbortSignal;
  /** The signal that interrupted dispatch, if any. */
  received(): 'SIGINT' | 'SIGTERM' | null;
  dispose(): void;
}

export function watchInterrupts(onFirst?: (signal: 'SIGINT' | 'SIGTERM') => void): Interrupts {
  const controller = new AbortController();
  let received: 'SIGINT' | 'SIGTERM' | null = null;
  const handler = (signal: 'SIGINT' | 'SIGTERM') => {
    if (received !== null) {
      process.exit(signal === 'SIGTERM' ? 143 : 130);
    }
    received = signal;
    onFirst?.(signal);
    controller.abort('interrupted');
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    received: () => received,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

export function exitCodeForSignal(signal: 'SIGINT' | 'SIGTERM'): number {
  return signal === 'SIGTERM' ? 143 : 130;
}
