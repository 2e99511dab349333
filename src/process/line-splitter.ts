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
