import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Outpost Test',
  GIT_AUTHOR_EMAIL: 'test@outpost.invalid',
  GIT_COMMITTER_NAME: 'Outpost Test',
  GIT_COMMITTER_EMAIL: 'test@outpost.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'commit.gpgsign=false', '-c', 'gc.auto=0', ...args], { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

/**
 * A small real repository on branch `main` with the files the fake agent's scenarios touch
 * (README.md, delete-me.txt). Returns its path.
 */
export async function createSampleRepo(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'README.md'), '# sample\n');
  writeFileSync(join(dir, 'delete-me.txt'), 'to be deleted\n');
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'index.js'), 'export const answer = 42;\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'initial');
  return Promise.resolve(dir);
}
