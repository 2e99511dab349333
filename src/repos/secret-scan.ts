import type { ByteRedactor } from '../runs/redact.js';

/**
 * The files of a patch whose text holds a known secret (the values and token shapes the
 * redactor removes): one name each, in patch order, itself redacted. Pure. A secret inside a
 * binary file (`GIT binary patch`, base85) is not seen.
 */
export function findSecretsInPatch(patch: Buffer, redact: ByteRedactor): string[] {
  const text = patch.toString('latin1');
  const files: string[] = [];
  for (const section of text.split(/^(?=diff --git )/m)) {
    if (!section.startsWith('diff --git ')) continue;
    const bytes = Buffer.from(section, 'latin1');
    if (redact(bytes) === bytes) continue;
    const name = fileNameOf(section);
    files.push(redact(Buffer.from(name, 'latin1')).toString('utf8'));
  }
  return files;
}

/** The new path of a patch section (`+++ b/x`), else the old one (a deletion), else the header's. */
function fileNameOf(section: string): string {
  const added = /^\+\+\+ "?b\/(.*?)"?$/m.exec(section)?.[1];
  if (added) return added;
  const removed = /^--- "?a\/(.*?)"?$/m.exec(section)?.[1];
  if (removed) return removed;
  return /^diff --git "?a\/(.*?)"? "?b\//.exec(section)?.[1] ?? '?';
}
