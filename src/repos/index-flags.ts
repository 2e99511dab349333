import { createHash } from 'node:crypto';

/**
 * Reads the entry flags of a git index file (format versions 2 to 4, documented in git's
 * gitformat-index): enough to tell whether every entry is plainly tracked, without a git
 * process. Pure.
 */

const ASSUME_VALID = 0x8000;
const EXTENDED = 0x4000;
const STAGE_MASK = 0x3000;
const SKIP_WORKTREE = 0x4000;
const INTENT_TO_ADD = 0x2000;
/** ctime, mtime (seconds, nanoseconds), dev, ino, mode, uid, gid, size: 32 bits each. */
const STAT_BYTES = 40;
const MODE_AT = 24;
const GITLINK = 0o160000;

/**
 * Why the index cannot be trusted to show every file as it is, or null: an entry marked
 * assume-unchanged or skip-worktree hides its file from checkout and clean alike, so does a
 * submodule (gitlink) its files, an intent-to-add or unmerged one is work in progress, and an index this reader does not
 * understand is no better. `hashBytes`: 20 (SHA-1) or 32 (SHA-256).
 */
export function findIndexDoubt(index: Buffer, hashBytes: number): string | null {
  if (index.length < 12 || index.toString('latin1', 0, 4) !== 'DIRC') return 'the index has no DIRC signature';
  const version = index.readUInt32BE(4);
  if (version < 2 || version > 4) return `the index is version ${version}`;
  const count = index.readUInt32BE(8);
  let offset = 12;
  for (let i = 0; i < count; i += 1) {
    const flagsAt = offset + STAT_BYTES + hashBytes;
    if (flagsAt + 2 > index.length) return 'the index is cut short';
    // A submodule's files are neither reset nor cleaned by the superproject's git.
    if ((index.readUInt32BE(offset + MODE_AT) & 0o170000) === GITLINK) return 'the index holds a submodule';
    const flags = index.readUInt16BE(flagsAt);
    if (flags & ASSUME_VALID) return 'an index entry is marked assume-unchanged';
    if (flags & STAGE_MASK) return 'the index holds a conflict';
    let pathAt = flagsAt + 2;
    if (flags & EXTENDED) {
      if (version < 3 || pathAt + 2 > index.length) return 'the index has an extended entry it cannot have';
      const extended = index.readUInt16BE(pathAt);
      if (extended & SKIP_WORKTREE) return 'an index entry is marked skip-worktree';
      if (extended & INTENT_TO_ADD) return 'an index entry is marked intent-to-add';
      pathAt += 2;
    }
    if (version === 4) pathAt = skipVarint(index, pathAt);
    const nul = pathAt < 0 ? -1 : index.indexOf(0, pathAt);
    if (nul < 0) return 'the index is cut short';
    // Versions 2 and 3 pad each entry with 1 to 8 NULs to a multiple of 8 bytes; 4 does not pad.
    offset = version === 4 ? nul + 1 : offset + ((nul - offset + 8) & ~7);
  }
  return offset <= index.length - hashBytes ? null : 'the index is cut short';
}

/**
 * The hash size an index file was written with, told by its trailing checksum: 20 (SHA-1),
 * 32 (SHA-256), or null when neither checksum matches (index.skipHash writes zeros), so its
 * entries cannot be read with certainty.
 */
export function indexHashBytes(index: Buffer): 20 | 32 | null {
  for (const [bytes, algorithm] of [[20, 'sha1'], [32, 'sha256']] as const) {
    if (index.length < 12 + bytes) continue;
    const body = index.subarray(0, index.length - bytes);
    if (createHash(algorithm).update(body).digest().equals(index.subarray(index.length - bytes))) return bytes;
  }
  return null;
}

/** findIndexDoubt with the hash size the index's own checksum tells; an index it cannot check is a doubt too. */
export function findIndexFileDoubt(index: Buffer): string | null {
  const hashBytes = indexHashBytes(index);
  return hashBytes === null ? 'the index checksum matches neither SHA-1 nor SHA-256' : findIndexDoubt(index, hashBytes);
}

/** The offset after the varint (git's offset encoding) at `at`, or -1 past the end. */
function skipVarint(buffer: Buffer, at: number): number {
  for (let i = at; i < buffer.length; i += 1) if (((buffer[i] ?? 0) & 0x80) === 0) return i + 1;
  return -1;
}
