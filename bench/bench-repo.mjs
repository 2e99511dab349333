// Shared set-up of the benchmarks: a temp dispatch home with a small real repository.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const fakeAgent = join(root, 'test', 'fixtures', 'fake-agent.mjs');

/**
 * `env` with dispatch's code cache (bin/dispatch, $XDG_CACHE_HOME/outpost) in `dir`: each
 * dispatch measured has one of its own, as one install on a user's machine does. Two builds
 * measured in turn would otherwise share one, and a build that keeps one bundle's cache per
 * command would drop the other's at every start.
 */
export function withCodeCache(env, dir) {
  return { ...env, XDG_CACHE_HOME: dir };
}

/** A temp home holding `repo/`: `files` text files of `lines` lines, one commit on main. */
export function createBenchRepo(prefix, files, lines) {
  const home = mkdtempSync(join(tmpdir(), prefix));
  const repo = join(home, 'repo');
  mkdirSync(repo);
  const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b.invalid', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b.invalid' };
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo, env: gitEnv });
  for (let i = 0; i < files; i++) writeFileSync(join(repo, `file-${i}.txt`), `line ${i}\n`.repeat(lines));
  writeFileSync(join(repo, 'README.md'), '# bench\n');
  execFileSync('git', ['add', '-A'], { cwd: repo, env: gitEnv });
  execFileSync('git', ['commit', '-qm', 'init'], { cwd: repo, env: gitEnv });
  return { home, repo };
}

// The sections' temp homes are removed at the end of `npm run bench`, not at the end of each
// section. On an ext4 without a journal (this machine's root fs), the kernel's inode allocator
// passes over every free inode of a block group that was deleted in the last minute, or in
// the last six minutes while its inode table block is unwritten (`recently_deleted` in
// fs/ext4/ialloc.c), and it looks each one up. So for minutes after a section deletes
// thousands of files, every file the next section creates costs 0.3–0.7 ms of kernel CPU
// instead of ~20 µs, and a dispatch that checks out 16 worktrees pays for the files an
// earlier section deleted.
const removals = [];

/** Removes dir (recursively) when removeDeferred is called: at the end of the bench. */
export function removeLater(dir) {
  removals.push(dir);
}

export function removeDeferred() {
  const dirs = removals.splice(0);
  if (dirs.length > 0) execFileSync('rm', ['-rf', '--', ...dirs]);
}

/**
 * What creating a file costs in the temp dir right now: microseconds per empty file, median of
 * five batches of 100, in a dir of its own that is removed with the bench's homes (removing it
 * now would make the next creations slower; see above).
 */
export function probeFileCreation() {
  const dir = mkdtempSync(join(tmpdir(), 'dispatch-bench-probe-'));
  removeLater(dir);
  const batches = [];
  for (let batch = 0; batch < 5; batch++) {
    const started = performance.now();
    for (let i = 0; i < 100; i++) writeFileSync(join(dir, `${batch}-${i}`), '');
    batches.push(((performance.now() - started) * 1000) / 100);
  }
  return Math.round(batches.sort((a, b) => a - b)[2]);
}
