/** A line longer than this is cut so that memory stays flat whatever an agent prints. */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

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
