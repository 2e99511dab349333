/**
 * node:crypto's randomBytes, with node:crypto loaded on the first call instead of at start:
 * it costs ~4 ms, and commands that only read runs (list, show, logs) never need it.
 */
export function randomBytes(size: number): Buffer {
  return process.getBuiltinModule('node:crypto').randomBytes(size);
}

/** `size` random characters of `alphabet` (at most 256), each equally likely. */
export function randomChars(alphabet: string, size: number): string {
  // Bytes at or above the last multiple of the alphabet's length would favour its first characters.
  const limit = 256 - (256 % alphabet.length);
  let chars = '';
  while (chars.length < size) {
    for (const byte of randomBytes(size * 2)) if (byte < limit && chars.length < size) chars += alphabet[byte % alphabet.length];
  }
  return chars;
}
