import { StringDecoder } from 'node:string_decoder';

/** A line longer than this is cut so that memory stays flat whatever an agent prints. */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

/**
 * Splits a byte stream into lines (without the newline), UTF-8 safe across chunks.
 * Returns a push function for chunks and a flush function for the end of the stream.
 */
export function createLineSplitter(onLine: (line: string) => void, maxLineChars = MAX_LINE_CHARS) {
  const decoder = new StringDecoder('utf8');
  let pending = '';

  const emitLines = (text: string) => {
    // Only the new text can hold a newline: a long partial line is not rescanned each chunk.
    let newline = text.indexOf('\n');
    if (newline === -1) {
      pending += text;
    } else {
      let start = 0;
      let head = pending;
      while (newline !== -1) {
        const line = head + text.slice(start, newline);
        onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
        head = '';
        start = newline + 1;
        newline = text.indexOf('\n', start);
      }
      pending = text.slice(start);
    }
    if (pending.length > maxLineChars) {
      onLine(pending);
      pending = '';
    }
  };

  return {
    push(chunk: Buffer | string): void {
      emitLines(typeof chunk === 'string' ? chunk : decoder.write(chunk));
    },
    flush(): void {
      emitLines(decoder.end());
      if (pending.length > 0) onLine(pending);
      pending = '';
    },
  };
}

/**
 * Splits a byte stream into lines of raw bytes (without the `\n`; a `\r` before it is kept),
 * so that output.log can keep bytes that are not UTF-8 as they came. A line longer than
 * maxLineBytes is cut.
 */
export function createByteLineSplitter(onLine: (line: Buffer) => void, maxLineBytes = MAX_LINE_CHARS) {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const take = (tail: Buffer): Buffer => {
    const line = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
    pending = [];
    pendingBytes = 0;
    return line;
  };
  return {
    push(chunk: Buffer): void {
      let start = 0;
      let newline = chunk.indexOf(0x0a);
      while (newline !== -1) {
        onLine(take(chunk.subarray(start, newline)));
        start = newline + 1;
        newline = chunk.indexOf(0x0a, start);
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
      }
      if (pendingBytes > maxLineBytes) onLine(take(Buffer.alloc(0)));
    },
    flush(): void {
      if (pendingBytes > 0) onLine(take(Buffer.alloc(0)));
    },
  };
}

/** A raw line as text for a parser: UTF-8 (invalid bytes as U+FFFD), without a trailing `\r`. */
export function lineText(line: Buffer): string {
  const text = line.toString('utf8');
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
