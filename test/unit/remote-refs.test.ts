import { describe, expect, it } from 'vitest';
import { branchesOf, isMirrorCurrent, parseMirrorRefs, parseRemoteListing } from '../../src/repos/remote-refs.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

describe('remote and mirror ref listings', () => {
  it('maps ls-remote branches and tags to where the mirror keeps them, skipping peeled tags and other refs', () => {
    const listing = parseRemoteListing(
      [`ref: refs/heads/main\tHEAD`, `${A}\tHEAD`, `${A}\trefs/heads/main`, `${B}\trefs/heads/feature/x`, `${C}\trefs/tags/v1`, `${A}\trefs/tags/v1^{}`, `${B}\trefs/pull/1/head`].join('\n'),
    );
    expect(listing.defaultBranch).toBe('main');
    expect([...listing.tips]).toEqual([
      ['refs/remotes/origin/main', A],
      ['refs/remotes/origin/feature/x', B],
      ['refs/tags/v1', C],
    ]);
  });

  it('reads a mirror\'s refs and where its HEAD points', () => {
    const refs = parseMirrorRefs([
      `${A} refs/heads/agent-branch commit `,
      `${A} refs/remotes/origin/HEAD commit refs/remotes/origin/main`,
      `${A} refs/remotes/origin/main commit `,
      `${C} refs/tags/v1 tag `,
      `${B} refs/tags/v2 commit `,
    ].join('\n'));
    expect(refs.headTarget).toBe('refs/remotes/origin/main');
    expect(branchesOf(refs)).toEqual(['main']);
    // An agent's own branch in the mirror is not one of the remote's tips.
    expect([...refs.tips.keys()]).toEqual(['refs/remotes/origin/main', 'refs/tags/v1', 'refs/tags/v2']);
    // An annotated tag names a tag object: its commit is not known without peeling.
    expect([...refs.commits]).toEqual(['refs/remotes/origin/main', 'refs/tags/v2']);
  });

  it('calls a mirror current only when every tip matches and nothing is extra', () => {
    const remote = new Map([['refs/remotes/origin/main', A], ['refs/tags/v1', C]]);
    expect(isMirrorCurrent(remote, new Map(remote))).toBe(true);
    expect(isMirrorCurrent(remote, new Map([['refs/remotes/origin/main', B], ['refs/tags/v1', C]]))).toBe(false);
    expect(isMirrorCurrent(remote, new Map([...remote, ['refs/remotes/origin/gone', A]]))).toBe(false);
    expect(isMirrorCurrent(remote, new Map([['refs/remotes/origin/main', A]]))).toBe(false);
    expect(isMirrorCurrent(new Map(), new Map())).toBe(true);
  });
});
