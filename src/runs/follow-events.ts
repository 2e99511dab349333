import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { readRunSummary } from './read-run.js';

/** How to read a run's growing file (events.jsonl, output.log). */
export interface FollowOptions {
  /** Keep reading new bytes until the run is over; false reads what is there and stops. */
  follow: boolean;
  signal?: AbortSignal;
  /** Poll period while following. */
  intervalMs?: number;
  /**
   * After summary.json says the run ended, the dispatcher still appends (run.finished) and
   * flushes its logs: keep reading until this long passes with nothing new.
   */
  settleMs?: number;
}

/** One line of a run's file; `complete` is false for a last line with no newline yet. */
export interface FileLine {
  text: string;
  complete: boolean;
}

const CHUNK_BYTES = 64 * 1024;
const DEFAULT_INTERVAL_MS = 200;
const DEFAULT_SETTLE_MS = 600;
const NEWLINE = 0x0a;

/**
 * The bytes of a run's file as they are appended: what is there now, then (with `follow`)
 * every new byte until the run's summary is no longer `running` (a dead dispatcher's run is
 * reconciled to abandoned by readRunSummary) or the signal aborts. A file that does not
 * exist yet is waited for while following, and yields nothing otherwise.
 */
export async function* readRunFile(runDir: string, path: string, opts: FollowOptions): AsyncGenerator<Buffer> {
  const intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
  const settleMs = opts.settleMs ?? DEFAULT_SETTLE_MS;
  let handle: FileHandle | undefined;
  let position = 0;
  let endedAt: number | undefined;
  try {
    while (!opts.signal?.aborted) {
      handle ??= await openIfExists(path);
      let grew = false;
      if (handle) {
        for await (const chunk of readFrom(handle, position)) {
          position += chunk.length;
          grew = true;
          yield chunk;
          if (opts.signal?.aborted) return;
        }
      }
      if (!opts.follow) return;
      if (endedAt === undefined) {
        if (await isRunOver(runDir)) endedAt = Date.now();
      } else if (!grew && Date.now() - endedAt >= settleMs) {
        return;
      }
      if (!grew) await pause(intervalMs, opts.signal);
    }
  } finally {
    await handle?.close();
  }
}

/** Splits a stream of byte chunks into lines (UTF-8 decoded whole, never mid-character). */
export async function* splitLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<FileLine> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let start = 0;
    for (let end = pending.indexOf(NEWLINE); end !== -1; end = pending.indexOf(NEWLINE, start)) {
      yield { text: pending.toString('utf8', start, end), complete: true };
      start = end + 1;
    }
    pending = pending.subarray(start);
  }
  if (pending.length > 0) yield { text: pending.toString('utf8'), complete: false };
}

/** Whether the run's summary says it ended; no readable summary counts as ended. */
export async function isRunOver(runDir: string): Promise<boolean> {
  const summary = await readRunSummary(runDir);
  return summary === null || summary.status !== 'running';
}

async function* readFrom(handle: FileHandle, from: number): AsyncGenerator<Buffer> {
  let position = from;
  for (;;) {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // aborted: the loop condition ends the follow
  }
}
