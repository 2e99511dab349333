import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { FIXTURE_GIT_ENV } from './git-fixtures.js';
import { processesUnder } from './run-cli.js';

const GIT_ENV = { ...process.env, ...FIXTURE_GIT_ENV };

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

/** A temp dispatch home holding a sample repository at `<home>/src-repo`. */
export async function createRunHome(prefix: string): Promise<{ home: string; repo: string }> {
  const home = await mkdtemp(join(tmpdir(), prefix));
  return { home, repo: await createSampleRepo(join(home, 'src-repo')) };
}

/** Fails the test if any process still works under `home` (an agent outlived its run), then removes it. */
export async function cleanRunHome(home: string): Promise<void> {
  expect(processesUnder(home)).toEqual([]);
  await rm(home, { recursive: true, force: true });
}
