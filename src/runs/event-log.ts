import type { NormalizedEvent, TimedEvent } from '../events.js';
import { openCappedLog } from './capped-log.js';
import { stringifyEvent } from '../event-json.js';
import type { Redactor, SecretScreen } from './redact.js';

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
 *
 * The events appended in one turn of the event loop (one chunk of an agent's stdout) are
 * written together when it ends: one write, and when `screen` finds no trace of a secret in
 * their bytes, no redaction pass. Without a screen every event is redacted on its own.
 */
export function openEventLog(path: string, redact: Redactor, capBytes = Number.POSITIVE_INFINITY, screen?: SecretScreen): EventLog {
  let markerTs = '';
  const log = openCappedLog<string>(path, capBytes, {
    render: (json) => [Buffer.from(`${redact(json)}\n`)],
    size: (json) => Buffer.byteLength(json) + 1,
    marker: () => `${JSON.stringify({ ts: markerTs, type: 'warning', message: `events.jsonl cut at ${capBytes} bytes; later events are counted in summary.json (dropped_output), not kept` })}\n`,
  });
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    log.writeBatch(batch, () => batch.reduce((sum, json) => sum + Buffer.byteLength(json) + 1, 0), () => {
      if (!screen) return undefined;
      const bytes = encodeLines(batch);
      return screen(bytes) ? undefined : bytes;
    });
  };
  const stamp = createTimestamper();
  return {
    append(event: NormalizedEvent, now = new Date()): TimedEvent {
      const timed: TimedEvent = { ts: stamp(now), ...event };
      markerTs = timed.ts;
      const json = stringifyEvent(timed, event);
      if (event.type.startsWith('run.')) {
        flush();
        log.write(json, true);
      } else {
        if (pending.length === 0) queueMicrotask(flush);
        pending.push(json);
      }
      return timed;
    },
    needsDrain: () => {
      flush();
      return log.needsDrain();
    },
    drained: () => {
      flush();
      return log.drained();
    },
    close: () => {
      flush();
      return log.close();
    },
    get droppedEvents() {
      flush();
      return log.droppedItems;
    },
    get droppedBytes() {
      flush();
      return log.droppedBytes;
    },
    get failure() {
      return log.failure;
    },
  };
}

/**
 * The texts as UTF-8 lines in one buffer, each encoded on its own: a joined string would be
 * read whole as two-byte text as soon as one of them is (a `…`), at a fraction of the speed.
 */
function encodeLines(texts: readonly string[]): Buffer {
  // At most three bytes of UTF-8 for a UTF-16 unit: no pass to measure them first.
  const bytes = Buffer.allocUnsafe(texts.reduce((sum, text) => sum + text.length * 3 + 1, 0));
  let offset = 0;
  for (const text of texts) {
    offset += bytes.write(text, offset);
    bytes[offset] = 0x0a;
    offset += 1;
  }
  return bytes.subarray(0, offset);
}

/** `now` as ISO text; events of one chunk share their millisecond, so the text is reused. */
function createTimestamper(): (now: Date) => string {
  let lastMs = Number.NaN;
  let lastText = '';
  return (now) => {
    const ms = now.getTime();
    if (ms !== lastMs) {
      lastMs = ms;
      lastText = now.toISOString();
    }
    return lastText;
  };
}
