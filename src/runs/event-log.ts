import type { NormalizedEvent, TimedEvent } from '../events.js';
import { openCappedLog } from './capped-log.js';
import type { Redactor } from './redact.js';

export interface EventLog {
  append(event: NormalizedEvent, now?: Date): TimedEvent;
  /** Whether the file stream's buffer is full (the caller should pause its source). */
  needsDrain(): boolean;
  /** Resolves when the buffer has drained, or at once when the file failed: it never rejects. */
  drained(): Promise<void>;
  close(): Promise<void>;
  /** Events past the cap that were not written, and their bytes. */
  readonly droppedEvents: number;
  readonly droppedBytes: number;
  /** The write error (ENOSPC…) that stopped the log, if any. */
  readonly failure: Error | undefined;
}

/**
 * events.jsonl: one normalized event a line, append-only, secrets redacted, cut at `capBytes`
 * with one `warning` event saying so; later events are counted, not kept (run.* events, the
 * dispatcher's own, are still written).
 */
export function openEventLog(path: string, redact: Redactor, capBytes = Number.POSITIVE_INFINITY): EventLog {
  let markerTs = '';
  const log = openCappedLog<TimedEvent>(path, capBytes, {
    render: (timed) => [Buffer.from(`${redact(JSON.stringify(timed))}\n`)],
    size: (timed) => Buffer.byteLength(JSON.stringify(timed)) + 1,
    marker: () => `${JSON.stringify({ ts: markerTs, type: 'warning', message: `events.jsonl cut at ${capBytes} bytes; later events are counted in summary.json (dropped_output), not kept` })}\n`,
  });
  return {
    append(event: NormalizedEvent, now = new Date()): TimedEvent {
      const timed: TimedEvent = { ts: now.toISOString(), ...event };
      markerTs = timed.ts;
      log.write(timed, event.type.startsWith('run.'));
      return timed;
    },
    needsDrain: () => log.needsDrain(),
    drained: () => log.drained(),
    close: () => log.close(),
    get droppedEvents() {
      return log.droppedItems;
    },
    get droppedBytes() {
      return log.droppedBytes;
    },
    get failure() {
      return log.failure;
    },
  };
}
