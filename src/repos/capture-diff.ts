import { copyFileSync, mkdirSync, readFileSync, realpathSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { realpath, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InfraError } from '../errors.js';
import { randomBytes } from '../runs/random-bytes.js';
import { settleBoth } from '../settle-both.js';
import { buildFilterGuardEnv } from './config-guard.js';
import { readDetachedWorktree } from './detached-worktree.js';
import { runGit, runGitBuffer } from './git.js';
import { findIndexDoubt, indexHashBytes } from './index-flags.js';

/** Everything an agent changed in its worktree, against the commit it started from. */
export interface CapturedChanges {
  /** `git diff --binary` from beforeSha to the worktree as it is; applies with `git apply`. */
  patch: Buffer;
  /** The worktree's HEAD (beforeSha when the agent left HEAD unborn). */
  afterSha: string;
  /** The tree of the worktree as captured (files as they were, tracked or not): a resume diffs against it. */
  afterTree: string;
  changes: 'committed' | 'uncommitted' | 'none';
  filesChanged: number;
  insertions: number;
  deletions: number;
}

interface DiffStat {
  filesChanged: number;
  insertions: number;
  deletions: number;
}

const COMMIT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

// Plumbing diff ignores diff.external, textconv, color and prefix settings; the flags
// say so explicitly anyway, as the config may come from the agent.
const DIFF_ARGS = ['diff-index', '--cached', '--find-renames', '--no-color', '--no-ext-diff', '--no-textconv'];

/**
 * Captures committed, staged, unstaged and untracked (not ignored) changes, deletions and
 * binary files vs beforeSha. Uses a temporary index (GIT_INDEX_FILE), so the worktree's own
 * index and files are left exactly as the agent left them.
 */
export async function captureChanges(
  worktree: string,
  beforeSha: string,
  opts: { diffBase?: string } = {},
): Promise<CapturedChanges> {
  if (!COMMIT_ID.test(beforeSha)) throw new InfraError(`not a commit id: ${JSON.stringify(beforeSha)}`);
  return withWorktreeIndex(worktree, async ({ root, baseEnv, env, headSha }) => {
    // diffBase: a tree-ish to diff against instead of beforeSha (a resumed run: its parent's end state).
    const base = opts.diffBase ?? beforeSha;
    if (!COMMIT_ID.test(base)) throw new InfraError(`not a tree id: ${JSON.stringify(base)}`);
    // One diff prints both: the --numstat lines, a blank line, then the patch. The tree is
    // written meanwhile (the index is replaced whole, by rename, so the diff reads either;
    // neither call outlives the temporary index).
    const [diff, tree] = await settleBoth(
      runGitBuffer([...DIFF_ARGS, '--numstat', '--patch', '--binary', base, '--'], { cwd: root, env }),
      runGit(['write-tree'], { cwd: root, env }),
    );
    const { patch, numstat } = splitNumstatAndPatch(diff.stdout);
    const stat = parseNumstat(numstat);
    const afterTree = tree.stdout.trim();
    const afterSha = headSha ?? beforeSha;
    const changes = await classifyChanges(root, baseEnv, beforeSha, afterSha, patch.length > 0);
    return { patch, afterSha, afterTree, changes, ...stat };
  }, beforeSha);
}

interface IndexedWorktree {
  root: string;
  /** Env for git calls on the worktree itself (ceiling, filter guard). */
  baseEnv: Record<string, string>;
  /** baseEnv plus GIT_INDEX_FILE: a temporary index holding every file of the worktree. */
  env: Record<string, string>;
  headSha: string | undefined;
}

/**
 * Where the capture of a worktree writes its objects (the blobs of the agent's files, the
 * trees): beside the worktree, in its run directory, never in the shared mirror, so a
 * secret an agent wrote into a file does not land in repos/. Removed with the worktree.
 */
export function captureObjectDir(worktree: string): string {
  return join(dirname(resolve(worktree)), '.capture-objects');
}

/**
 * Runs fn with a temporary index filled from the worktree; the worktree's own index is
 * untouched. The index starts as a copy of the worktree's own (its stat data lets `add
 * --all` skip files that did not change), or as HEAD's tree when that copy cannot be
 * trusted; objects go to captureObjectDir, the mirror's are read through an alternate.
 */
async function withWorktreeIndex<T>(worktree: string, fn: (indexed: IndexedWorktree) => Promise<T>, startSha?: string): Promise<T> {
  const { root, gitDir, commonDir, headSha } = await locateWorktree(worktree, startSha);
  const repository = resolve(root, commonDir ?? '.git');
  const baseEnv = { GIT_CEILING_DIRECTORIES: dirname(root), ...(await buildFilterGuardEnv(root, [], repository)) };
  // The metadata calls up to `add` are synchronous: microseconds each, where an async one
  // waits behind the fsyncs of the run's files in the thread pool.
  const objectDir = captureObjectDir(root);
  mkdirSync(objectDir, { recursive: true });
  // Beside the objects, named as the run's temp files are: a capture killed midway leaves it
  // where settling the run removes a dead writer's temp files (atomic-write.ts), not in /tmp.
  const indexFile = join(dirname(objectDir), `.capture-index.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    const env = {
      ...baseEnv,
      GIT_INDEX_FILE: indexFile,
      GIT_OBJECT_DIRECTORY: objectDir,
      GIT_ALTERNATE_OBJECT_DIRECTORIES: join(repository, 'objects'),
    };
    const seeded = gitDir !== undefined && (await seedFromOwnIndex(root, gitDir, env));
    if (!seeded) await runGit(headSha ? ['read-tree', headSha] : ['read-tree', '--empty'], { cwd: root, env });
    // An fsmonitor hook (the agent may set one) would tell git which files changed: not asked.
    await runGit(['-c', 'core.fsmonitor=false', 'add', '--all'], { cwd: root, env });
    return await fn({ root, baseEnv, env, headSha });
  } finally {
    await Promise.all([rm(indexFile, { force: true }), rm(`${indexFile}.lock`, { force: true })]);
  }
}

/**
 * Copies the worktree's index as the temporary one. Not when an entry carries the
 * assume-unchanged or skip-worktree bit: `add` would not look at that file, and an agent
 * could hide a change that way. The index file is read here (index-flags.ts; its checksum
 * tells its hash size); only one whose checksum cannot be checked is listed by git
 * (`git ls-files -v`: a lower-case or `S` tag).
 */
async function seedFromOwnIndex(root: string, gitDir: string, env: Record<string, string>): Promise<boolean> {
  const indexFile = env.GIT_INDEX_FILE ?? '';
  let index: Buffer;
  let written: Date;
  try {
    index = readFileSync(join(gitDir, 'index'));
    written = statSync(join(gitDir, 'index')).mtime;
  } catch {
    return false;
  }
  const hashBytes = indexHashBytes(index);
  if (hashBytes !== null) {
    // Any doubt (also a conflict, a submodule, an intent-to-add entry): HEAD's tree is the start instead.
    if (findIndexDoubt(index, hashBytes) !== null) return false;
    writeFileSync(indexFile, index);
    keepIndexTime(indexFile, written);
    return true;
  }
  copyFileSync(join(gitDir, 'index'), indexFile);
  keepIndexTime(indexFile, written);
  const listed = await runGit(['ls-files', '-v'], { cwd: root, env, allowFailure: true });
  if (listed.exitCode === 0 && !/^(?:[a-z]|S) /m.test(listed.stdout)) return true;
  await rm(indexFile, { force: true });
  return false;
}

/**
 * Gives the copy the original index's mtime (never a later one). git trusts an entry's stat
 * data only when the file's mtime is older than the index's: a file changed in the second it
 * was checked out, its size and mtime kept, is then still read again, as with the worktree's
 * own index; a copy dated now would hide that change.
 */
function keepIndexTime(indexFile: string, written: Date): void {
  const seconds = Math.floor(written.getTime()) / 1000;
  utimesSync(indexFile, seconds, seconds);
}

/**
 * The tree of the worktree as it is now, tracked and untracked (not ignored) files alike,
 * written with a temporary index: the baseline after --copy and --setup, so that what they
 * put there is not counted as the agent's change.
 */
export async function snapshotWorktree(worktree: string): Promise<string> {
  return withWorktreeIndex(worktree, async ({ root, env }) => (await runGit(['write-tree'], { cwd: root, env })).stdout.trim());
}

/** Files, added and deleted lines from `--numstat` output; a binary file counts 1 file, 0/0 lines. */
export function parseNumstat(output: string): DiffStat {
  const stat: DiffStat = { filesChanged: 0, insertions: 0, deletions: 0 };
  for (const line of output.split('\n')) {
    const match = /^(\d+|-)\t(\d+|-)\t/.exec(line);
    if (!match) continue;
    stat.filesChanged += 1;
    stat.insertions += match[1] === '-' ? 0 : Number(match[1]);
    stat.deletions += match[2] === '-' ? 0 : Number(match[2]);
  }
  return stat;
}

/**
 * Splits `diff-index --numstat --patch` output: numstat lines (one per file, paths quoted,
 * so never a newline inside), a blank line, then the patch, byte for byte. Pure.
 */
export function splitNumstatAndPatch(output: Buffer): { numstat: string; patch: Buffer } {
  let offset = 0;
  while (offset < output.length) {
    const end = output.indexOf(0x0a, offset);
    if (end === -1) break;
    if (end === offset) return { numstat: output.subarray(0, offset).toString('utf8'), patch: output.subarray(end + 1) };
    if (!NUMSTAT_LINE.test(output.subarray(offset, end).toString('utf8'))) break;
    offset = end + 1;
  }
  if (output.length === 0) return { numstat: '', patch: output };
  throw new InfraError('git diff-index printed numstat and patch output in an unexpected shape');
}

const NUMSTAT_LINE = /^(?:\d+|-)\t(?:\d+|-)\t./;

interface WorktreeLocation {
  root: string;
  gitDir: string | undefined;
  commonDir: string | undefined;
  headSha: string | undefined;
}

// An agent can delete or rewrite the worktree's `.git` file; git would then find the
// repository around the run directory (or the one the new file names) instead. One
// rev-parse answers where the worktree's repository is and what HEAD is, unless the files
// say it beyond doubt (HEAD still detached at the commit the run started from).
async function locateWorktree(worktree: string, startSha: string | undefined): Promise<WorktreeLocation> {
  const root = realWorkspacePath(worktree);
  const known = startSha === undefined ? null : readDetachedWorktree(root, startSha);
  if (known) return { root, ...known };
  const env = { GIT_CEILING_DIRECTORIES: dirname(root) };
  const where = ['rev-parse', '--show-toplevel', '--absolute-git-dir', '--git-common-dir'];
  let result = await runGit([...where, 'HEAD^{commit}'], { cwd: root, env, allowFailure: true });
  // An unborn HEAD (or a file of that name) fails the combined call: asked again, apart.
  const combined = result.exitCode === 0;
  if (!combined) result = await runGit(where, { cwd: root, env, allowFailure: true });
  const [top, gitDir, commonDir, head] = result.exitCode === 0 ? result.stdout.trim().split('\n') : [];
  const realTop = top ? await realpath(top).catch(() => '') : '';
  if (realTop !== root) {
    throw new InfraError(`workspace is no longer a git worktree: ${worktree}`, 'its .git file was removed or replaced');
  }
  const headSha = combined ? (head !== undefined && COMMIT_ID.test(head) ? head : undefined) : await readHead(root, env);
  return { root, gitDir, commonDir, headSha };
}

function realWorkspacePath(worktree: string): string {
  try {
    return realpathSync(worktree);
  } catch {
    throw new InfraError(`workspace is missing: ${worktree}`);
  }
}

async function readHead(root: string, env: Record<string, string>): Promise<string | undefined> {
  const result = await runGit(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: root, env, allowFailure: true });
  const sha = result.stdout.trim();
  return result.exitCode === 0 && COMMIT_ID.test(sha) ? sha : undefined;
}

async function classifyChanges(
  root: string,
  env: Record<string, string>,
  beforeSha: string,
  afterSha: string,
  hasDiff: boolean,
): Promise<CapturedChanges['changes']> {
  if (afterSha !== beforeSha && (hasDiff || (await countNewCommits(root, env, beforeSha, afterSha)) > 0)) {
    return 'committed';
  }
  return hasDiff ? 'uncommitted' : 'none';
}

async function countNewCommits(root: string, env: Record<string, string>, beforeSha: string, afterSha: string): Promise<number> {
  const result = await runGit(['rev-list', '--count', `${beforeSha}..${afterSha}`, '--'], { cwd: root, env, allowFailure: true });
  return result.exitCode === 0 ? Number(result.stdout.trim()) || 0 : 0;
}
