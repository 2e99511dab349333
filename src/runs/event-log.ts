import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { NormalizedEvent, TimedEvent } from '../events.js';
import type { Redactor } from './redact.js';

export interface EventLog {
  append(event: NormalizedEvent, now?: Date): TimedEvent;
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
    async close(): Promise<void> {
      if (failed) return;
      stream.end();
      await once(stream, 'finish');
    },
  };
}
