import { readdirSync, rmSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isProcessAlive } from '../process/process-identity.js';
import { randomBytes } from './random-bytes.js';

/**
 * Writes a file so that a crash at any instant leaves either the old or the new complete
 * version: a hidden temp file in the same directory (`.<name>.<pid>-<random>.tmp`, so `ls`
 * and `cat runs/*\/summary.json` never see one), fsync, rename. Writes to one path within
 * this process are serialized: the last call is the one that stays.
 */
export async function writeFileAtomically(path: string, data: string | Buffer, mode = 0o644): Promise<void> {
  const previous = pending.get(path) ?? Promise.resolve();
  const write = previous.catch(() => undefined).then(() => replaceFile(path, data, mode));
  pending.set(path, write);
  try {
    await write;
  } finally {
    if (pending.get(path) === write) pending.delete(path);
  }
}

export async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  await writeFileAtomically(path, `${JSON.stringify(value, null, 2)}\n`);
}

const pending = new Map<string, Promise<void>>();
const TEMP_NAME = /^\..+\.(\d+)-[0-9a-f]+\.tmp$/;

async function replaceFile(path: string, data: string | Buffer, mode: number): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeNewFile(temp, data, mode, true);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Writes a file that must not exist yet (`wx`), synced to disk when `sync`. */
export async function writeNewFile(path: string, data: string | Buffer, mode: number, sync: boolean): Promise<void> {
  const file = await open(path, 'wx', mode);
  try {
    await file.writeFile(data);
    if (sync) await file.sync();
  } finally {
    await file.close();
  }
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
