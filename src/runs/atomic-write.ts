import writeFileAtomic from 'write-file-atomic';

/**
 * Writes a file so that a crash at any instant leaves either the old or the new complete
 * version (temp file in the same directory, fsync, rename). write-file-atomic does exactly
 * this and also serializes concurrent writes to one path within the process.
 */
export async function writeFileAtomically(path: string, data: string | Buffer, mode = 0o644): Promise<void> {
  await writeFileAtomic(path, data, { mode, fsync: true });
}

export async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  await writeFileAtomically(path, `${JSON.stringify(value, null, 2)}\n`);
}
