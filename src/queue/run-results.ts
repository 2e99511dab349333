import { existsSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { writeFileAtomically, writeJsonAtomically } from '../runs/atomic-write.js';
import type { RunSummary } from '../runs/summary.js';
import { keys } from './queue-settings.js';

/**
 * How a finished run's files travel from the worker to the submitter: one Redis hash per
 * attempt, written once, read once by the submitter (who then deletes it), and expiring after
 * a day if nobody collects it. Each file is capped, so Redis never holds a large blob: the
 * whole files stay in the worker's run directory, which summary.json names.
 */
const CAPS: Record<string, number> = {
  'events.jsonl': 8 * 1024 * 1024,
  'diff.patch': 32 * 1024 * 1024,
  'last-message.md': 1024 * 1024,
  'output.log': 1024 * 1024,
  'check.log': 256 * 1024,
  'setup.log': 256 * 1024,
};

/** Puts the run's files in Redis under its attempt; returns the warnings about what was cut. */
export async function uploadResults(redis: Redis, runDir: string, runId: string, attempt: string, workerId: string, ttlSeconds: number, extraNotes: string[] = []): Promise<void> {
  const summary = JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
  const fields: Record<string, Buffer> = {};
  const notes = [`ran on queue worker ${workerId} (${hostname()}); its run directory: ${runDir}`, ...extraNotes];
  for (const [name, cap] of Object.entries(CAPS)) {
    const path = join(runDir, name);
    if (!existsSync(path)) continue;
    const size = (await stat(path)).size;
    if (size <= cap) fields[name] = await readFile(path);
    else if (name === 'diff.patch') notes.push(`diff.patch (${size} bytes) is over the queue's ${cap}-byte cap: it stayed on the worker, in ${path}`);
    else {
      fields[name] = await readTail(path, size, cap, name === 'events.jsonl');
      notes.push(`${name} was cut to its last ${cap} bytes for the queue; the whole file is on the worker, in ${path}`);
    }
  }
  summary.warnings = [...summary.warnings, ...notes];
  fields['summary.json'] = Buffer.from(`${JSON.stringify(summary, null, 2)}\n`);
  const key = keys.result(runId, attempt);
  await redis.multi().hset(key, fields).expire(key, ttlSeconds).exec();
}

/** The last `cap` bytes, from a line start when `wholeLines`. */
async function readTail(path: string, size: number, cap: number, wholeLines: boolean): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(cap);
    await handle.read(buffer, 0, cap, size - cap);
    const start = wholeLines ? buffer.indexOf(0x0a) + 1 : 0;
    return buffer.subarray(start);
  } finally {
    await handle.close();
  }
}

/**
 * Writes an attempt's files into the submitter's run directory, summary.json last (so a
 * reader sees a final status only once every file is there), then drops them from Redis.
 * Returns false when the results are gone (expired).
 */
export async function collectResults(redis: Redis, runDir: string, runId: string, attempt: string): Promise<RunSummary | null> {
  const key = keys.result(runId, attempt);
  const fields = await redis.hgetallBuffer(key);
  const summaryBytes = fields['summary.json'];
  if (!summaryBytes) return null;
  for (const [name, data] of Object.entries(fields)) {
    if (name !== 'summary.json' && name in CAPS) await writeFileAtomically(join(runDir, name), data);
  }
  const summary = JSON.parse(summaryBytes.toString('utf8')) as RunSummary;
  await writeJsonAtomically(join(runDir, 'summary.json'), summary);
  await redis.del(key, keys.events(runId));
  return summary;
}
