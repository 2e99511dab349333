import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { NormalizedEvent, TimedEvent } from '../events.js';
import type { Redactor } from './redact.js';

export interface EventLog {
  append(event: NormalizedEvent, now?: Date): TimedEvent;
  /** Whether the file stream's buffer is full (the caller should pause its source). */
  needsDrain(): boolean;
  drained(): Promise<void>;
  close(): Promise<void>;
}

/** events.jsonl: one normalized event a line, append-only, secrets redacted. */
export function openEventLog(path: string, redact: Redactor): EventLog {
  const stream = createWriteStream(path, { flags: 'a', mode: 0o644 });
  let failed = false;
  stream.on('error', () => {
    failed = true;
  });
  return {
    append(event: NormalizedEvent, now = new Date()): TimedEvent {
      const timed: TimedEvent = { ts: now.toISOString(), ...event };
      if (!failed) stream.write(`${redact(JSON.stringify(timed))}\n`);
      return timed;
    },
    needsDrain: () => stream.writableNeedDrain && !failed,
    async drained(): Promise<void> {
      if (stream.writableNeedDrain && !failed) await once(stream, 'drain');
    },
    async close(): Promise<void> {
      if (failed) return;
      stream.end();
      await once(stream, 'finish');
    },
  };
}
