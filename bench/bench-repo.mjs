// Shared set-up of the benchmarks: a temp dispatch home with a small real repository.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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
