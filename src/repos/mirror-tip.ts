import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REMOTE_HEAD, REMOTE_PREFIX } from './remote-refs.js';

const SHA_LINE = /^([0-9a-f]{40}(?:[0-9a-f]{24})?)\n?$/;
// A branch name as it may stand in a path under refs/: no `..`, no empty or dot-led part.
const PLAIN_BRANCH = /^(?!.*\.\.)(?!.*\/\/)(?!.*(?:^|\/)\.)[A-Za-z0-9._/-]+$/;

/**
 * The commit the mirror's refs/remotes/origin/<branch> (the remote's default branch when
 * `branch` is undefined) names now, read from the mirror's ref files (loose, then
 * packed-refs) without a git process. Only a guess of the commit a run starts from (the
 * fetch under way may move it): undefined whenever the files do not say it plainly (no
 * such branch, a symref or a tag, a reftable mirror, an unreadable file).
 */
export function readMirrorTip(mirrorPath: string, branch: string | undefined): string | undefined {
  try {
    const name = branch === undefined ? readDefaultBranchName(mirrorPath) : branch.replace(/^refs\/heads\//, '');
    if (name === undefined || name === 'HEAD' || !PLAIN_BRANCH.test(name)) return undefined;
    const ref = `${REMOTE_PREFIX}${name}`;
    return readLooseRef(mirrorPath, ref) ?? readPackedRef(mirrorPath, ref);
  } catch {
    return undefined;
  }
}

function readDefaultBranchName(mirrorPath: string): string | undefined {
  const head = /^ref: (\S+)\n?$/.exec(readFileSync(join(mirrorPath, REMOTE_HEAD), 'utf8'))?.[1];
  return head?.startsWith(REMOTE_PREFIX) ? head.slice(REMOTE_PREFIX.length) : undefined;
}

function readLooseRef(mirrorPath: string, ref: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(mirrorPath, ref), 'utf8');
  } catch {
    return undefined;
  }
  const sha = SHA_LINE.exec(text)?.[1];
  // A loose file wins over packed-refs: one that is not a plain commit id ends the guess.
  if (sha === undefined) throw new Error(`${ref} is not a plain ref`);
  return sha;
}

function readPackedRef(mirrorPath: string, ref: string): string | undefined {
  for (const line of readFileSync(join(mirrorPath, 'packed-refs'), 'utf8').split('\n')) {
    const [sha, name] = line.split(' ');
    if (name === ref && sha !== undefined) return SHA_LINE.exec(sha)?.[1];
  }
  return undefined;
}
