import { randomBytes } from 'node:crypto';

/** A random id in the style of the real APIs (`msg_4eb5bb94936fbbc7`). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}
