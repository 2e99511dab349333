import { describe, expect, it } from 'vitest';
import { averageAgreement, diffSimilarity, parseChanges } from '../../src/modes/diff-similarity.js';

const GUARD_A = `diff --git a/src/math.js b/src/math.js
index 7d65831..c79529d 100644
--- a/src/math.js
+++ b/src/math.js
@@ -1,3 +1,4 @@
 export function add(a, b) {
+  if (typeof a !== 'number') throw new TypeError('a must be a number');
   return a + b;
 }
`;

// The same change found by another agent: other blob ids, other context, other indentation.
const GUARD_B = `diff --git a/src/math.js b/src/math.js
index 7d65831..0f1e2d3 100644
--- a/src/math.js
+++ b/src/math.js
@@ -1,2 +1,3 @@
 export function add(a, b) {
+    if (typeof a !== 'number') throw new TypeError('a must be a number');
   return a + b;
`;

const README = `diff --git a/README.md b/README.md
index 1111111..2222222 100644
--- a/README.md
+++ b/README.md
@@ -1,2 +1,2 @@
 # math
-Adds numbers.
+Adds numbers, and refuses anything else.
`;

const SQL = `diff --git a/db/schema.sql b/db/schema.sql
index 3333333..4444444 100644
--- a/db/schema.sql
+++ b/db/schema.sql
@@ -1,3 +1,2 @@
--- legacy table, drop me
 CREATE TABLE users (id INTEGER);
\\ No newline at end of file
`;

function binaryPatch(literal: string): string {
  return `diff --git a/logo.png b/logo.png
index d0463d47f174d7552cc8f1f10d3f1fdc31908ed7..3f24bd8434aead76cb8bab84e3f9ed2a481ca900 100644
GIT binary patch
literal 8
${literal}

literal 7
OcmeAS@N;KiWC8#POaXEL

`;
}

const MODE_ONLY = `diff --git a/run.sh b/run.sh
old mode 100644
new mode 100755
`;

const RENAME = `diff --git a/old name.js b/new name.js
similarity index 100%
rename from old name.js
rename to new name.js
`;

describe('diffSimilarity', () => {
  it('is 1 for identical patches and for two empty ones', () => {
    expect(diffSimilarity(GUARD_A, GUARD_A)).toBe(1);
    expect(diffSimilarity('', '')).toBe(1);
    expect(diffSimilarity('\n', '')).toBe(1);
  });

  it('is 0 for disjoint patches and when only one is empty', () => {
    expect(diffSimilarity(GUARD_A, README)).toBe(0);
    expect(diffSimilarity(GUARD_A, '')).toBe(0);
    expect(diffSimilarity('', README)).toBe(0);
  });

  it('ignores headers, blob ids, context lines and indentation', () => {
    expect(diffSimilarity(GUARD_A, GUARD_B)).toBe(1);
  });

  it('is the Jaccard index of the changed lines', () => {
    // {guard, readme-, readme+} vs {guard}: 1 shared of 3
    expect(diffSimilarity(GUARD_A + README, GUARD_B)).toBeCloseTo(1 / 3, 10);
    expect(diffSimilarity(GUARD_A + README, README + GUARD_B)).toBe(1);
  });

  it('tells the same line in different files apart', () => {
    const elsewhere = GUARD_A.replaceAll('src/math.js', 'src/other.js');
    expect(diffSimilarity(GUARD_A, elsewhere)).toBe(0);
  });

  it('counts repeated lines as often as they occur', () => {
    const closers = (count: number) =>
      `diff --git a/a.js b/a.js\n--- a/a.js\n+++ b/a.js\n@@ -1 +1,${count} @@\n${'+}\n'.repeat(count)}`;
    expect(diffSimilarity(closers(2), closers(4))).toBe(0.5);
  });

  it('reads a deleted line that looks like a header as a change', () => {
    const changes = parseChanges(SQL);
    expect([...changes.counts.keys()]).toEqual(['db/schema.sql--- legacy table, drop me']);
  });

  it('hashes binary blocks per file', () => {
    const one = binaryPatch('PcmeAS@N;KiWM%;X3B&<+');
    const other = binaryPatch('PcmeAS@N;KiWM%;X3B&<-');
    const [key] = [...parseChanges(one).counts.keys()];
    expect(key).toMatch(/^logo\.png:binary:[0-9a-f]{40}$/);
    expect(diffSimilarity(one, one)).toBe(1);
    expect(diffSimilarity(one, other)).toBe(0);
    expect(diffSimilarity(one + GUARD_A, other + GUARD_B)).toBeCloseTo(1 / 3, 10);
  });

  it('keys "Binary files … differ" and header-only sections', () => {
    const plainBinary = 'diff --git a/x.bin b/x.bin\nindex 1..2 100644\nBinary files a/x.bin and b/x.bin differ\n';
    expect([...parseChanges(plainBinary).counts.keys()][0]).toMatch(/^x\.bin:binary:/);
    expect([...parseChanges(MODE_ONLY).counts.keys()]).toEqual(['run.sh:meta:old mode 100644;new mode 100755']);
    expect(parseChanges(RENAME).total).toBe(1);
    expect(diffSimilarity(RENAME, RENAME.replaceAll('new name', 'newer name'))).toBe(0);
  });

  it('compares 20k-line patches correctly', () => {
    const lines = (count: number, word: (i: number) => string) =>
      Array.from({ length: count }, (_, i) => `+  const value${i} = ${word(i)};`).join('\n');
    const header = `diff --git a/big.ts b/big.ts\nnew file mode 100644\nindex 0000000..1234567\n--- /dev/null\n+++ b/big.ts\n@@ -0,0 +1,20000 @@\n`;
    const patchA = header + lines(20_000, (i) => `${i}`);
    const patchB = header + lines(20_000, (i) => (i < 18_000 ? `${i}` : `'changed ${i}'`));
    expect(diffSimilarity(patchA, patchA)).toBe(1);
    expect(diffSimilarity(patchA, patchB)).toBeCloseTo(18_000 / 22_000, 10);
  });
});

describe('averageAgreement', () => {
  it('is 1 for a lone candidate', () => {
    expect(averageAgreement(0, [GUARD_A])).toBe(1);
  });

  it('is the mean similarity to every other candidate', () => {
    const patches = [GUARD_A, GUARD_B, README];
    expect(averageAgreement(0, patches)).toBe(0.5);
    expect(averageAgreement(2, patches)).toBe(0);
  });

  it('rejects an index with no patch', () => {
    expect(() => averageAgreement(3, [GUARD_A])).toThrow(RangeError);
  });
});
