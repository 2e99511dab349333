import { createHash, type Hash } from 'node:crypto';

/** The changed lines of a patch as a multiset: key → how many times it occurs. */
export interface ChangeSet {
  counts: Map<string, number>;
  total: number;
}

interface FileSection {
  path: string;
  mode: 'header' | 'hunk' | 'binary';
  header: string[];
  binary: Hash | undefined;
  keys: number;
}

const GIT_HEADER = 'diff --git ';
const SKIPPED_HEADERS = ['index ', '--- ', '+++ '];

/**
 * Reads a unified diff (`git diff --binary`) into its changed lines, each keyed as
 * `path + sign + trimmed content`. Repeated lines (a second `}`) count again, so the
 * comparison is a weighted Jaccard. Binary hunks become `path:binary:<sha1>`; a file
 * section with no line changes (mode change, empty new file, pure rename) becomes
 * `path:meta:<its header lines>`.
 */
export function parseChanges(patch: string): ChangeSet {
  const set: ChangeSet = { counts: new Map(), total: 0 };
  let section: FileSection | undefined;
  for (const line of patch.split('\n')) {
    if (line.startsWith(GIT_HEADER)) {
      if (section) closeSection(section, set);
      section = openSection(line);
    } else if (section) {
      readSectionLine(section, line, set);
    }
  }
  if (section) closeSection(section, set);
  return set;
}

/** Weighted Jaccard similarity of two change sets: both empty → 1, one empty → 0. */
export function compareChanges(a: ChangeSet, b: ChangeSet): number {
  if (a.total === 0 && b.total === 0) return 1;
  if (a.total === 0 || b.total === 0) return 0;
  const [small, large] = a.counts.size <= b.counts.size ? [a, b] : [b, a];
  let shared = 0;
  for (const [key, count] of small.counts) {
    const other = large.counts.get(key);
    if (other !== undefined) shared += Math.min(count, other);
  }
  return shared / (a.total + b.total - shared);
}

/** How much two unified diffs agree, in [0, 1]: 1 = the same changed lines, 0 = nothing in common. */
export function diffSimilarity(patchA: string, patchB: string): number {
  return compareChanges(parseChanges(patchA), parseChanges(patchB));
}

/** Mean similarity of patch `index` to every other patch; a lone patch agrees with itself (1). */
export function averageAgreement(index: number, patches: readonly string[]): number {
  const own = patches[index];
  if (own === undefined) throw new RangeError(`no patch at index ${index} (have ${patches.length})`);
  if (patches.length < 2) return 1;
  const mine = parseChanges(own);
  let sum = 0;
  patches.forEach((patch, other) => {
    if (other !== index) sum += compareChanges(mine, parseChanges(patch));
  });
  return sum / (patches.length - 1);
}

function openSection(line: string): FileSection {
  return { path: pathOf(line.slice(GIT_HEADER.length)), mode: 'header', header: [], binary: undefined, keys: 0 };
}

// `a/P b/P` when the file kept its name; otherwise (rename, odd quoting) the whole
// remainder names the section, which is still consistent between two git patches.
function pathOf(rest: string): string {
  const trimmed = rest.trimEnd();
  const nameLength = (trimmed.length - 5) / 2;
  if (Number.isInteger(nameLength) && nameLength > 0 && trimmed.startsWith('a/')) {
    const before = trimmed.slice(2, 2 + nameLength);
    if (trimmed.slice(2 + nameLength) === ` b/${before}`) return before;
  }
  return trimmed;
}

function readSectionLine(section: FileSection, line: string, set: ChangeSet): void {
  if (section.mode === 'binary') {
    section.binary?.update(line.trimEnd()).update('\n');
  } else if (section.mode === 'hunk') {
    readHunkLine(section, line, set);
  } else if (line.startsWith('@@')) {
    section.mode = 'hunk';
  } else if (line.trimEnd() === 'GIT binary patch') {
    section.mode = 'binary';
    section.binary = createHash('sha1');
  } else if (line.startsWith('Binary files ')) {
    addKey(set, `${section.path}:binary:${hashText(line.trimEnd())}`);
    section.keys += 1;
  } else if (line.trim() !== '' && !SKIPPED_HEADERS.some((prefix) => line.startsWith(prefix))) {
    section.header.push(line.trim());
  }
}

// Inside a hunk only `+`/`-` lines count; context, `\ No newline` and `@@` are skipped.
function readHunkLine(section: FileSection, line: string, set: ChangeSet): void {
  const sign = line[0];
  if (sign !== '+' && sign !== '-') return;
  addKey(set, `${section.path}${sign}${line.slice(1).trim()}`);
  section.keys += 1;
}

function closeSection(section: FileSection, set: ChangeSet): void {
  if (section.binary) {
    addKey(set, `${section.path}:binary:${section.binary.digest('hex')}`);
  } else if (section.keys === 0 && section.header.length > 0) {
    addKey(set, `${section.path}:meta:${section.header.join(';')}`);
  }
}

function addKey(set: ChangeSet, key: string): void {
  set.counts.set(key, (set.counts.get(key) ?? 0) + 1);
  set.total += 1;
}

function hashText(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}
