import { createWriteStream, type WriteStream } from 'node:fs';

/** The parts of a capped append-only log both output.log and events.jsonl share. */
export interface CappedLog<T> {
  /** `always`: written past the cap too (the dispatcher's own few lines, such as run.finished). */
  write(item: T, always?: boolean): boolean;
  /**
   * Items at once, written as `rendered()` in one write when all of them fit under the cap
   * (it gives their joined rendering, or undefined when they must be rendered one by one);
   * otherwise each goes through write(). `rawSize()`: what they count past the cap.
   */
  writeBatch(items: readonly T[], rawSize: () => number, rendered: () => Buffer | undefined): void;
  needsDrain(): boolean;
  drained(): Promise<void>;
  close(): Promise<void>;
  readonly bytesWritten: number;
  readonly truncated: boolean;
  readonly droppedBytes: number;
  readonly droppedItems: number;
  readonly failure: Error | undefined;
}

/**
 * An append-only file written through a stream: each item rendered to bytes; past capBytes
 * one marker is written and later items are only counted. A write error (a full disk) stops
 * the log and is kept in `failure`; nothing is thrown or left as an unhandled rejection.
 */
/**
 * How much a log's stream buffers before its source is paused: room for a few pipe reads, so
 * the disk writes while the next chunk is parsed instead of after it (16 KB by default).
 */
export const LOG_BUFFER_BYTES = 1024 * 1024;

export function openCappedLog<T>(
  path: string,
  capBytes: number,
  format: { render: (item: T) => Buffer[]; size: (item: T) => number; marker: () => string },
): CappedLog<T> {
  const stream: WriteStream = createWriteStream(path, { flags: 'a', mode: 0o644, highWaterMark: LOG_BUFFER_BYTES });
  let bytes = 0;
  let truncated = false;
  let droppedBytes = 0;
  let droppedItems = 0;
  let failure: Error | undefined;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const resolve of waiters) resolve();
    waiters.clear();
  };
  stream.on('error', (error) => {
    failure ??= error;
    wake();
  });
  stream.on('drain', wake);

  const write = (item: T, always = false): boolean => {
    if (failure) return true;
    // Past the cut an item is only counted, by its size before redaction: a flood costs no rendering.
    if (truncated && !always) {
      droppedBytes += format.size(item);
      droppedItems += 1;
      return true;
    }
    const parts = format.render(item);
    const size = parts.reduce((sum, part) => sum + part.length, 0);
    if (!always && bytes + size > capBytes) {
      droppedBytes += size;
      droppedItems += 1;
      truncated = true;
      return stream.write(format.marker());
    }
    bytes += size;
    let ok = true;
    for (const part of parts) ok = stream.write(part) && ok;
    return ok;
  };
  const writeBatch = (items: readonly T[], rawSize: () => number, rendered: () => Buffer | undefined): void => {
    if (failure) return;
    if (truncated) {
      droppedBytes += rawSize();
      droppedItems += items.length;
      return;
    }
    const joined = rendered();
    if (joined !== undefined && bytes + joined.length <= capBytes) {
      bytes += joined.length;
      stream.write(joined);
      return;
    }
    for (const item of items) write(item);
  };
  return {
    write,
    writeBatch,
    needsDrain: () => stream.writableNeedDrain && !failure,
    drained: () => (stream.writableNeedDrain && !failure ? new Promise<void>((resolve) => waiters.add(resolve)) : Promise.resolve()),
    async close(): Promise<void> {
      if (failure || stream.destroyed) return;
      await new Promise<void>((resolve) => {
        stream.once('error', () => resolve());
        stream.end(() => resolve());
      });
    },
    get bytesWritten() {
      return bytes;
    },
    get truncated() {
      return truncated;
    },
    get droppedBytes() {
      return droppedBytes;
    },
    get droppedItems() {
      return droppedItems;
    },
    get failure() {
      return failure;
    },
  };
}
