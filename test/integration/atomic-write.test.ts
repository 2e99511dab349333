import { readFileSync, watch } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomically, writeNewFile } from '../../src/runs/atomic-write.js';

describe('writeFileAtomically', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dispatch-atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // Small data is written synchronously and only fsynced in the pool, large data all in the pool: both alike.
  it.each([
    ['a small string', 'summary\n'],
    ['a small buffer', Buffer.from([0, 1, 2, 255])],
    ['a string of more than 4 Mi chars', 'x'.repeat(5 * 1024 * 1024)],
    ['a buffer of more than 4 MiB', Buffer.alloc(5 * 1024 * 1024, 7)],
  ])('replaces the file with %s, mode 0644, and leaves no temp file', async (_, data) => {
    const path = join(dir, 'summary.json');
    await writeFileAtomically(path, 'old\n');
    await writeFileAtomically(path, data);
    // Buffer.equals: a deep comparison of 5 MiB takes vitest seconds.
    expect((await readFile(path)).equals(Buffer.from(data))).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o644);
    expect(await readdir(dir)).toEqual(['summary.json']);
  });

  it('keeps the last of writes started together', async () => {
    const path = join(dir, 'summary.json');
    await Promise.all(['one\n', 'x'.repeat(5 * 1024 * 1024), 'three\n'].map((text) => writeFileAtomically(path, text)));
    expect(await readFile(path, 'utf8')).toBe('three\n');
    expect(await readdir(dir)).toEqual(['summary.json']);
  });

  it('makes one write after the one under way for calls made meanwhile, of the last data, and resolves each call after it', async () => {
    const path = join(dir, 'group.json');
    await writeFileAtomically(path, 'start\n');
    // Every write renames a temp file onto group.json: inotify tells each one.
    const replaced: string[] = [];
    const watcher = watch(dir, (_, name) => {
      if (name === 'group.json') replaced.push(name);
    });
    try {
      const first = writeFileAtomically(path, 'first\n');
      await new Promise((resolve) => setImmediate(resolve));
      // The first write is under way (waiting for its fsync): these sixteen wait for it, then make one write.
      const later = Array.from({ length: 16 }, (_, i) => writeFileAtomically(path, `later ${i}\n`));
      await first;
      // Read at once: the next write's rename waits for its fsync's callback, which comes after this.
      expect(readFileSync(path, 'utf8')).toBe('first\n');
      await Promise.all(later);
      expect(await readFile(path, 'utf8')).toBe('later 15\n');
      // A call after those writes ended writes again.
      await writeFileAtomically(path, 'after\n');
      expect(await readFile(path, 'utf8')).toBe('after\n');
      await new Promise((resolve) => setTimeout(resolve, 50));
      // One rename onto group.json each for first, the sixteen as one, and after (one write each: 18).
      // inotify may merge two like events not yet read, never split one.
      expect(await readdir(dir)).toEqual(['group.json']);
      expect(replaced.length).toBeGreaterThan(0);
      expect(replaced.length).toBeLessThanOrEqual(3);
    } finally {
      watcher.close();
    }
  });

  it('rejects when the directory is gone', async () => {
    await expect(writeFileAtomically(join(dir, 'gone', 'summary.json'), 'new\n')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('never overwrites an existing file through writeNewFile (small or large)', async () => {
    const path = join(dir, 'taken');
    await writeNewFile(path, 'mine\n', 0o600, true);
    await expect(writeNewFile(path, 'theirs\n', 0o644, true)).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(writeNewFile(path, Buffer.alloc(5 * 1024 * 1024), 0o644, false)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(path, 'utf8')).toBe('mine\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });
});
