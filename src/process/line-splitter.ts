/** A line longer than this is cut so that memory stays flat whatever an agent prints. */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

const NEWLINE = Buffer.from('\n');

/** Whole lines of a stream, as they follow each other in it. */
export interface LineBlock {
  /** The lines' raw bytes, each followed by `\n` (one added to a line that was cut or had none at the end). */
  bytes: Buffer;
  /** Each line without its `\n` (a `\r` before it is kept), views into `bytes`. */
  lines: Buffer[];
}

/**
 * Splits a byte stream into blocks of whole lines of raw bytes, so that output.log can keep
 * bytes that are not UTF-8 as they came, and a reader can take a chunk's lines with one
 * write. A chunk gives at most two blocks: the line it completes (its start came in earlier
 * chunks) and the lines it holds whole. A line longer than maxLineBytes is cut.
 */
export function createLineBlockSplitter(onBlock: (block: LineBlock) => void, maxLineBytes = MAX_LINE_CHARS) {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const emitPending = (head: Buffer | undefined) => {
    const bytes = Buffer.concat([...pending, head ?? NEWLINE]);
    pending = [];
    pendingBytes = 0;
    onBlock({ bytes, lines: [bytes.subarray(0, bytes.length - 1)] });
  };
  return {
    push(chunk: Buffer): void {
      const first = chunk.indexOf(0x0a);
      let start = 0;
      if (first !== -1) {
        if (pending.length > 0) {
          emitPending(chunk.subarray(0, first + 1));
          start = first + 1;
        }
        const last = chunk.lastIndexOf(0x0a);
        if (last >= start) {
          const bytes = chunk.subarray(start, last + 1);
          onBlock({ bytes, lines: splitLines(bytes) });
        }
        start = last + 1;
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
      }
      if (pendingBytes > maxLineBytes) emitPending(undefined);
    },
    flush(): void {
      if (pendingBytes > 0) emitPending(undefined);
    },
  };
}

/** The same split, one line at a time. */
export function createByteLineSplitter(onLine: (line: Buffer) => void, maxLineBytes = MAX_LINE_CHARS) {
  return createLineBlockSplitter((block) => {
    for (const line of block.lines) onLine(line);
  }, maxLineBytes);
}

/** The lines of bytes that end in `\n`, without it. */
function splitLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let newline = bytes.indexOf(0x0a); newline !== -1; newline = bytes.indexOf(0x0a, start)) {
    lines.push(bytes.subarray(start, newline));
    start = newline + 1;
  }
  return lines;
}

/**
 * The block's lines as text, as lineText() gives each: decoded at once (a `\n` is never part
 * of a UTF-8 sequence, so invalid bytes turn into the same U+FFFD either way), then split.
 */
export function blockLineTexts(block: LineBlock): string[] {
  const texts = block.bytes.toString('utf8').split('\n');
  // The block ends in `\n`: the split leaves an empty last item.
  texts.pop();
  for (let i = 0; i < texts.length; i += 1) {
    const text = texts[i] ?? '';
    if (text.endsWith('\r')) texts[i] = text.slice(0, -1);
  }
  return texts;
}

/** A raw line as text for a parser: UTF-8 (invalid bytes as U+FFFD), without a trailing `\r`. */
export function lineText(line: Buffer): string {
  const text = line.toString('utf8');
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
