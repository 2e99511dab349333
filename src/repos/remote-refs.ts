/** Where a mirror keeps the remote's branches, and its record of the remote's HEAD. */
export const REMOTE_PREFIX = 'refs/remotes/origin/';
export const REMOTE_HEAD = 'refs/remotes/origin/HEAD';

/** Branch and tag tips by the ref the mirror stores them under (refs/remotes/origin/X, refs/tags/T). */
export type RefTips = Map<string, string>;

export interface RemoteListing {
  tips: RefTips;
  /** The branch the remote's HEAD names, when it reports one (`--symref`). */
  defaultBranch: string | undefined;
}

export interface MirrorRefs {
  tips: RefTips;
  /** What refs/remotes/origin/HEAD points at now, when it is set. */
  headTarget: string | undefined;
  /** The tips that are commits themselves (branches; lightweight tags): no peeling needed. */
  commits: ReadonlySet<string>;
}

/** The ls-remote patterns whose answer {@link parseRemoteListing} reads. */
export const LS_REMOTE_PATTERNS: readonly string[] = ['HEAD', 'refs/heads/*', 'refs/tags/*'];

/** Parses `git ls-remote --symref URL HEAD refs/heads/* refs/tags/*` (peeled `^{}` lines skipped). */
export function parseRemoteListing(stdout: string): RemoteListing {
  const tips: RefTips = new Map();
  let defaultBranch: string | undefined;
  for (const line of stdout.split('\n')) {
    const symref = /^ref: refs\/heads\/(\S+)\tHEAD$/.exec(line);
    if (symref) {
      defaultBranch = symref[1];
      continue;
    }
    const [sha, ref] = line.split('\t');
    if (!sha || !ref || !/^[0-9a-f]{40,64}$/.test(sha) || ref.endsWith('^{}')) continue;
    if (ref.startsWith('refs/heads/')) tips.set(`${REMOTE_PREFIX}${ref.slice('refs/heads/'.length)}`, sha);
    else if (ref.startsWith('refs/tags/')) tips.set(ref, sha);
  }
  return { tips, defaultBranch };
}

/** The for-each-ref format {@link parseMirrorRefs} reads. */
// %(objecttype) makes git read every object a ref names: a corrupt one fails the listing.
export const MIRROR_REFS_FORMAT = '%(objectname) %(refname) %(objecttype) %(symref)';

/**
 * Parses `git for-each-ref --format=MIRROR_REFS_FORMAT` of a mirror: the remote's branches
 * (refs/remotes/origin/) and tags; other refs (an agent's own branches) are left out.
 */
export function parseMirrorRefs(stdout: string): MirrorRefs {
  const tips: RefTips = new Map();
  const commits = new Set<string>();
  let headTarget: string | undefined;
  for (const line of stdout.split('\n')) {
    const [sha, ref, type, symref] = line.split(' ');
    if (!sha || !ref || !(ref.startsWith(REMOTE_PREFIX) || ref.startsWith('refs/tags/'))) continue;
    if (ref === REMOTE_HEAD) {
      headTarget = symref || undefined;
      continue;
    }
    tips.set(ref, sha);
    if (type === 'commit') commits.add(ref);
  }
  return { tips, headTarget, commits };
}

/** True when the mirror already holds exactly the remote's branch and tag tips: a fetch would change nothing. */
export function isMirrorCurrent(remote: RefTips, mirror: RefTips): boolean {
  if (remote.size !== mirror.size) return false;
  for (const [ref, sha] of remote) if (mirror.get(ref) !== sha) return false;
  return true;
}

/** The branch names a mirror holds. */
export function branchesOf(refs: MirrorRefs): string[] {
  return [...refs.tips.keys()].filter((ref) => ref.startsWith(REMOTE_PREFIX)).map((ref) => ref.slice(REMOTE_PREFIX.length));
}
