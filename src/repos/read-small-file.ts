import { readFileSync } from 'node:fs';

/**
 * A small local file's text, or null when it cannot be read (missing, a directory, no
 * permission). Synchronous: it takes microseconds, where an asynchronous read waits for a
 * free thread behind the fsyncs of the run's files.
 */
export function readSmallFile(path: string, encoding: BufferEncoding = 'utf8'): string | null {
  try {
    return readFileSync(path, encoding);
  } catch {
    return null;
  }
}
