import { openCappedLog } from './capped-log.js';
import type { LineBlock } from '../process/line-splitter.js';
import type { ByteRedactor } from './redact.js';

/** Default cap of output.log (DESIGN §7). */
export const DEFAULT_OUTPUT_CAP_BYTES = 200 * 1024 * 1024;

export interface OutputLog {
  /** Appends one line (newline added): raw bytes as they came, or text. Returns false when the caller should wait for `drained()`. */
  writeLine(line: Buffer | string): boolean;
  /** Appends whole lines at once: redacted in one pass and written in one call while under the cap, as writeLine would write them. */
  writeBlock(block: LineBlock): void;
  /** Whether the file stream's buffer is full (the caller should pause its source). */
  needsDrain(): boolean;
  /** Resolves when the buffer has drained, or at once when the file failed: it never rejects. */
  drained(): Promise<void>;
  close(): Promise<void>;
  readonly bytesWritten: number;
  readonly truncated: boolean;
  /** Bytes of lines past the cap that were not written. */
  readonly droppedBytes: number;
  /** The write error (ENOSPC…) that stopped the log, if any. */
  readonly failure: Error | undefined;
}

const NEWLINE = Buffer.from('\n');

/**
 * output.log: the agent's raw stdout+stderr bytes, appended as they come, secrets redacted
 * on the bytes, cut at `capBytes` with one marker line (events keep flowing after the cut).
 */
export function openOutputLog(path: string, redact: ByteRedactor, capBytes = DEFAULT_OUTPUT_CAP_BYTES): OutputLog {
  const log = openCappedLog<Buffer | string>(path, capBytes, {
    render: (line) => [redact(typeof line === 'string' ? Buffer.from(line) : line), NEWLINE],
    size: (line) => Buffer.byteLength(line) + 1,
    marker: () => `[dispatch: output.log cut at ${capBytes} bytes; events.jsonl continues]\n`,
  });
  return Object.assign(log, {
    writeLine: (line: Buffer | string) => log.write(line),
    // Redacted at once, as its lines one by one: no token holds a newline (a secret value that does is only found so).
    writeBlock: (block: LineBlock) => log.writeBatch(block.lines, () => block.bytes.length, () => redact(block.bytes)),
  });
}

