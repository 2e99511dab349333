import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findIndexDoubt, findIndexFileDoubt, indexHashBytes } from '../../src/repos/index-flags.js';
import { createFixtureRepo, type FixtureRepo } from '../helpers/git-fixtures.js';

let fixture: FixtureRepo;
const indexOf = () => readFileSync(join(fixture.path, '.git', 'index'));

beforeEach(async () => {
  fixture = await createFixtureRepo({ 'README.md': '# r\n', [`${'deep/'.repeat(30)}long-name.txt`]: 'x\n', 'a.txt': 'a\n', 'b.txt': 'b\n' });
});
afterEach(() => fixture.cleanup());

describe('findIndexDoubt (real indexes written by git)', () => {
  // (Version 3 only differs when an entry has extended flags: git writes a plain one as 2.)
  it.each([2, 4])('finds nothing in a plain index of version %i', async (version) => {
    await fixture.git(['update-index', '--index-version', String(version)]);
    expect(indexOf().readUInt32BE(4)).toBe(version);
    expect(findIndexDoubt(indexOf(), 20)).toBeNull();
  });

  it.each([
    ['assume-unchanged', ['update-index', '--assume-unchanged', 'b.txt'], /assume-unchanged/],
    ['skip-worktree', ['update-index', '--skip-worktree', 'b.txt'], /skip-worktree/],
  ])('finds an entry marked %s, in every index version', async (_name, args, doubt) => {
    await fixture.git(args);
    for (const version of [version2or3(args), 4]) {
      await fixture.git(['update-index', '--index-version', String(version)]);
      expect(findIndexDoubt(indexOf(), 20)).toMatch(doubt);
    }
  });

  it('finds an intent-to-add entry and a conflict', async () => {
    writeFileSync(join(fixture.path, 'new.txt'), 'new\n');
    await fixture.git(['add', '--intent-to-add', 'new.txt']);
    expect(findIndexDoubt(indexOf(), 20)).toMatch(/intent-to-add/);
    await fixture.git(['rm', '-q', '--cached', 'new.txt']);
    const blob = await fixture.git(['hash-object', '-w', 'a.txt']);
    // An unmerged entry: stage 1 and 2 of one path, as a conflicted merge leaves them.
    execFileSync('git', ['update-index', '--index-info'], { cwd: fixture.path, input: `0 ${'0'.repeat(40)}\tc.txt\n100644 ${blob} 1\tc.txt\n100644 ${blob} 2\tc.txt\n` });
    expect(findIndexDoubt(indexOf(), 20)).toMatch(/conflict/);
  });

  it('finds a submodule (gitlink)', async () => {
    await fixture.git(['update-index', '--add', '--cacheinfo', `160000,${await fixture.head()},vendor/lib`]);
    expect(findIndexDoubt(indexOf(), 20)).toMatch(/submodule/);
  });

  it('refuses what it cannot read', () => {
    const index = indexOf();
    expect(findIndexDoubt(index.subarray(0, 40), 20)).toMatch(/cut short/);
    expect(findIndexDoubt(Buffer.from('NOPE0000000000'), 20)).toMatch(/signature/);
    const future = Buffer.from(index);
    future.writeUInt32BE(9, 4);
    expect(findIndexDoubt(future, 20)).toMatch(/version 9/);
  });
});

describe('indexHashBytes (the hash size an index was written with)', () => {
  it('is 20 for a SHA-1 repository and 32 for a SHA-256 one, by the checksum git wrote', () => {
    expect(indexHashBytes(indexOf())).toBe(20);
    const sha256 = join(fixture.path, 'sha256');
    execFileSync('git', ['init', '-q', '--object-format=sha256', sha256]);
    writeFileSync(join(sha256, 'a.txt'), 'a\n');
    execFileSync('git', ['add', 'a.txt'], { cwd: sha256 });
    const index = readFileSync(join(sha256, '.git', 'index'));
    expect(indexHashBytes(index)).toBe(32);
    expect(findIndexDoubt(index, 32)).toBeNull();
  });

  it('tells a doubt with the hash size the checksum gives, and one it cannot check is a doubt too', () => {
    expect(findIndexFileDoubt(indexOf())).toBeNull();
    const sha256 = join(fixture.path, 'sha256');
    execFileSync('git', ['init', '-q', '--object-format=sha256', sha256]);
    writeFileSync(join(sha256, 'a.txt'), 'a\n');
    execFileSync('git', ['add', 'a.txt'], { cwd: sha256 });
    execFileSync('git', ['update-index', '--skip-worktree', 'a.txt'], { cwd: sha256 });
    expect(findIndexFileDoubt(readFileSync(join(sha256, '.git', 'index')))).toMatch(/skip-worktree/);
    const zeroed = Buffer.from(indexOf());
    zeroed.fill(0, zeroed.length - 20);
    expect(findIndexFileDoubt(zeroed)).toMatch(/checksum/);
  });

  it('is null when the checksum matches neither (a zeroed trailer, one changed byte)', () => {
    const zeroed = Buffer.from(indexOf());
    zeroed.fill(0, zeroed.length - 20);
    expect(indexHashBytes(zeroed)).toBeNull();
    const changed = Buffer.from(indexOf());
    changed[20] = (changed[20] ?? 0) ^ 1;
    expect(indexHashBytes(changed)).toBeNull();
    expect(indexHashBytes(Buffer.from('DIRC'))).toBeNull();
  });
});

/** skip-worktree needs an extended entry: git writes version 3 for it, assume-unchanged stays 2. */
function version2or3(args: string[]): number {
  return args.includes('--skip-worktree') ? 3 : 2;
}
