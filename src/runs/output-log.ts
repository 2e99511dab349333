import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Redactor } from './redact.js';

/** Default cap of output.log (DESIGN §7). */
export const DEFAULT_OUTPUT_CAP_BYTES = 200 * 1024 * 1024;

export interface OutputLog {
  /** Appends one line (newline added). Returns false when the caller should wait for `drained()`. */
  writeLine(line: string): boolean;
  /** Whether the file stream's buffer is full (the caller should pause its source). */
  needsDrain(): boolean;
  drained(): Promise<void>;
  close(): Promise<void>;
  readonly bytesWritten: number;
  readonly truncated: boolean;
}

/**
 * output.log: the agent's raw stdout+stderr, appended as it comes, secrets redacted, cut at
 * `capBytes` with one marker line (events keep flowing after the cut).
 */
export function openOutputLog(path: string, redact: Redactor, capBytes = DEFAULT_OUTPUT_CAP_BYTES): OutputLog {
  const stream: WriteStream = createWriteStream(path, { flags: 'a', mode: 0o644 });
  let bytes = 0;
  let truncated = false;
  let streamError: Error | undefined;
  stream.on('error', (error) => {
    streamError = error;
  });

  return {
    writeLine(line: string): boolean {
      if (truncated || streamError) return true;
      const text = `${redact(line)}\n`;
      const size = Buffer.byteLength(text);
      if (bytes + size > capBytes) {
        truncated = true;
        return stream.write(`[dispatch: output.log cut at ${capBytes} bytes; events.jsonl continues]\n`);
      }
      bytes += size;
      return stream.write(text);
    },
    needsDrain(): boolean {
      return stream.writableNeedDrain && !streamError;
    },
    async drained(): Promise<void> {
      if (stream.writableNeedDrain && !streamError) await once(stream, 'drain');
    },
    async close(): Promise<void> {
      if (streamError) return;
      stream.end();
      await once(stream, 'finish');
    },
    get bytesWritten() {
      return bytes;
    },
    get truncated() {
      return truncated;
    },
  };
}
