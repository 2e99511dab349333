import { createHash } from 'node:crypto';

const MAX_READABLE_CHARS = 100;

/**
 * A file name for `repos/<slug>.git`: a readable part from host and path, plus 8 hex of
 * sha256(identity) so two repositories never share a mirror even when their readable
 * parts collide (`a/b-c` and `a-b/c`). Only [a-z0-9._-]; never '/', '..' or a leading '.'/'-'.
 */
export function makeSlug(hostAndPath: string, identity: string): string {
  const readable = sanitizeForSlug(hostAndPath.replace(/\.git\/*$/i, ''));
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 8);
  return `${readable || 'repo'}-${hash}`;
}

function sanitizeForSlug(text: string): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/-{2,}/g, '-');
  // Keep the tail: the repository's own name is more telling than a long host prefix.
  return trimEdges(cleaned.slice(-MAX_READABLE_CHARS));
}

function trimEdges(text: string): string {
  return text.replace(/^[._-]+/, '').replace(/[._-]+$/, '');
}
