import { closeSync, fsync, openSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isProcessAlive } from '../process/process-identity.js';
import { randomBytes } from './random-bytes.js';

/**
 * Writes a file so that a crash at any instant leaves either the old or the new complete
 * version: a hidden temp file in the same directory (`.<name>.<pid>-<random>.tmp`, so `ls`
 * and `cat runs/*\/summary.json` never see one), fsync, rename. Writes to one path within
 * this process are serialized: the last call is the one that stays. Calls made while a
 * write of the path is under way make one write after it, of the last call's data (the
 * runs of a group updating group.json: 13 writes instead of 35 for sixteen runs). Each call
 * resolves once a write of its data, or of newer data, is on disk.
 */
export async function writeFileAtomically(path: string, data: string | Buffer, mode = 0o644): Promise<void> {
  const writes = pending.get(path) ?? { last: Promise.resolve(), next: undefined };
  if (writes.next) {
    Object.assign(writes.next, { data, mode });
    return writes.next.done;
  }
  const next: QueuedWrite = { data, mode, done: Promise.resolve() };
  next.done = writes.last
    .catch(() => undefined)
    .then(() => {
      // From here on, a new call waits for this write and then makes its own.
      if (writes.next === next) writes.next = undefined;
      return replaceFile(path, next.data, next.mode);
    });
  writes.next = next;
  writes.last = next.done;
  pending.set(path, writes);
  try {
    await next.done;
  } finally {
    if (pending.get(path) === writes && writes.last === next.done) pending.delete(path);
  }
}

interface QueuedWrite {
  data: string | Buffer;
  mode: number;
  done: Promise<void>;
}

interface PathWrites {
  /** The latest write of the path (under way or waiting for the one before). */
  last: Promise<void>;
  /** The write that has not started yet, which later calls join. */
  next: QueuedWrite | undefined;
}

export async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  await writeFileAtomically(path, `${JSON.stringify(value, null, 2)}\n`);
}

const pending = new Map<string, PathWrites>();
const TEMP_NAME = /^\..+\.(\d+)-[0-9a-f]+\.tmp$/;

async function replaceFile(path: string, data: string | Buffer, mode: number): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeNewFile(temp, data, mode, true);
    renameSync(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Data up to this size is written synchronously: a copy into the page cache, microseconds.
 * Each asynchronous step (open, write, close) waited for a turn of the event loop and a
 * free thread, behind the fsyncs of other files; only the fsync itself waits in the pool.
 */
const SYNC_WRITE_MAX = 4 * 1024 * 1024;

/** Writes a file that must not exist yet (`wx`), synced to disk when `sync`. */
export async function writeNewFile(path: string, data: string | Buffer, mode: number, sync: boolean): Promise<void> {
  // A string's UTF-8 takes at most three bytes a unit: up to 12 MiB are copied synchronously.
  if (data.length > SYNC_WRITE_MAX) return writeNewFileInPool(path, data, mode, sync);
  const fd = openSync(path, 'wx', mode);
  try {
    writeFileSync(fd, data);
    if (sync) await fsyncInPool(fd);
  } finally {
    closeSync(fd);
  }
}

async function writeNewFileInPool(path: string, data: string | Buffer, mode: number, sync: boolean): Promise<void> {
  const file = await open(path, 'wx', mode);
  try {
    await file.writeFile(data);
    if (sync) await file.sync();
  } finally {
    await file.close();
  }
}

function fsyncInPool(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
}

/** Removes temp files that writers killed mid-write left in `dir` (their pid is gone). */
export function removeDeadTempFiles(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = TEMP_NAME.exec(name)?.[1];
    if (pid !== undefined && !isProcessAlive(Number(pid), null)) rmSync(join(dir, name), { force: true });
  }
}
