import { mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeJsonAtomically } from '../runs/atomic-write.js';

/**
 * A CLI's `--version` answer remembered by what identifies the installed file: its real path
 * (symlinks such as node_modules/.bin/codex followed), size, mtime and inode. Reinstalling,
 * upgrading or replacing the binary changes at least one of them and so asks again.
 */
export async function readCachedVersion(cacheFile: string, bin: string): Promise<string | null> {
  const key = await identifyBinary(bin);
  if (key === null) return null;
  const entries = await readEntries(cacheFile);
  return typeof entries[key] === 'string' ? entries[key] : null;
}

/** Records `version` for the binary as it is now (atomically; other entries kept). */
export async function writeCachedVersion(cacheFile: string, bin: string, version: string): Promise<void> {
  const key = await identifyBinary(bin);
  if (key === null) return;
  const entries = await readEntries(cacheFile);
  entries[key] = version;
  await mkdir(dirname(cacheFile), { recursive: true });
  await writeJsonAtomically(cacheFile, pruneEntries(entries));
}

/** `<real path>\0<size>\0<mtime ns>\0<inode>`, or null when the binary cannot be read. */
export async function identifyBinary(bin: string): Promise<string | null> {
  try {
    const real = await realpath(bin);
    const info = await stat(real, { bigint: true });
    return [real, info.size, info.mtimeNs, info.ino].join('\0');
  } catch {
    return null;
  }
}

async function readEntries(cacheFile: string): Promise<Record<string, unknown>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(cacheFile, 'utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    // Missing or damaged: probe again and rewrite it.
    return {};
  }
}

const MAX_ENTRIES = 32;

/** Keeps the newest entries (insertion order): old binaries of earlier installs fall out. */
function pruneEntries(entries: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(entries);
  return Object.fromEntries(keys.slice(Math.max(0, keys.length - MAX_ENTRIES)).map((key) => [key, entries[key]]));
}
