import type { Redis } from 'ioredis';
import { keys } from './queue-settings.js';

/** At most this many events stay in a run's stream: progress, not the record (events.jsonl comes with the results). */
const STREAM_MAX_EVENTS = 5_000;

/** The worker's side: publishes one events.jsonl line (already redacted) for live progress. */
export function createEventPublisher(redis: Redis, runId: string, attempt: string, ttlSeconds: number): (line: string) => void {
  const key = keys.events(runId);
  let expirySet = false;
  return (line) => {
    const pipeline = redis.pipeline().xadd(key, 'MAXLEN', '~', String(STREAM_MAX_EVENTS), '*', 'attempt', attempt, 'line', line);
    if (!expirySet) pipeline.expire(key, ttlSeconds);
    expirySet = true;
    // Progress is best effort: a Redis hiccup must not stop the run (the record travels with the results).
    void pipeline.exec().catch(() => undefined);
  };
}

export interface StreamedEvent {
  id: string;
  attempt: string;
  line: string;
}

/** The submitter's side: events after `lastId`, waiting up to `blockMs` for the first. */
export async function readEvents(redis: Redis, runId: string, lastId: string, blockMs: number): Promise<StreamedEvent[]> {
  const reply = await redis.xread('COUNT', 500, 'BLOCK', blockMs, 'STREAMS', keys.events(runId), lastId);
  const entries = reply?.[0]?.[1] ?? [];
  return entries.map(([id, fields]) => {
    const get = (name: string) => fields[fields.indexOf(name) + 1] ?? '';
    return { id, attempt: get('attempt'), line: get('line') };
  });
}
