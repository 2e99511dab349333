import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { damagedSince } from '../../src/lifecycle/prune-damaged-mirrors.js';
import { runCli, testEnv } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';
import { runDirs } from './reliability-helpers.js';

describe('damaged mirror copies', () => {
  let home: string;
  let repo: string;
  beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-prune-damaged-')));
  afterEach(() => cleanRunHome(home));
  const repos = () => readdirSync(join(home, 'repos'));

  it('dispatch prune lists and removes old repos/*.git.damaged-* copies; a kept workspace of one no longer works', async () => {
    const env = testEnv(home);
    expect((await runCli([repo, '[scenario:ok]'], { env })).exitCode).toBe(0);
    const mirror = repos().find((name) => name.endsWith('.git')) ?? '';
    writeFileSync(join(home, 'repos', mirror, 'packed-refs'), 'this is not a ref line\n\0garbage\n');
    expect((await runCli([repo, '[scenario:ok]'], { env })).exitCode).toBe(0);
    const [damaged] = repos().filter((name) => name.includes('.damaged-'));
    expect(damaged).toBeDefined();

    // The first run's kept workspace was a worktree of the copy moved aside: it now points at
    // that copy, never at the fresh mirror's worktrees/<name> (the second run's).
    const [firstRun = '', secondRun = ''] = runDirs(home);
    const dotGit = (run: string) => readFileSync(join(run, 'workspace', '.git'), 'utf8').trim();
    // A worktree's admin dir is named after its run: `<run-id>-workspace`.
    const adminName = (run: string) => `${basename(run)}-workspace`;
    expect(dotGit(firstRun)).toBe(`gitdir: ${join(home, 'repos', damaged ?? '', 'worktrees', adminName(firstRun))}`);
    expect(dotGit(secondRun)).toBe(`gitdir: ${join(home, 'repos', mirror, 'worktrees', adminName(secondRun))}`);
    const gitStatus = (run: string) => execFileSync('git', ['status', '--porcelain'], { cwd: join(run, 'workspace'), encoding: 'utf8', stdio: 'pipe' });
    expect(gitStatus(secondRun)).not.toBe('');

    // Newer than --older-than (default 14d): kept.
    expect((await runCli(['prune', '--dry-run', '--workspaces-only'], { env })).stdout).not.toContain('damaged');
    expect((await runCli(['prune'], { env })).exitCode).toBe(0);
    expect(repos()).toContain(damaged);
    const dry = await runCli(['prune', '--older-than', '0s', '--dry-run'], { env });
    expect(dry.stdout).toContain(`damaged mirror copy repos/${damaged}`);
    expect(repos()).toContain(damaged);
    const real = await runCli(['prune', '--older-than', '0s'], { env });
    expect(real.stdout).toContain('1 damaged mirror copy(ies)');
    expect(repos().filter((name) => name.includes('.damaged-'))).toEqual([]);
    expect(repos()).toContain(mirror);
    // Once the copy is gone, git in that old workspace fails: it says so, it never touches another run's index.
    expect(() => gitStatus(firstRun)).toThrow();
  });

  it('the time of a copy comes from its name', () => {
    expect(damagedSince('x.git.damaged-2026-12-01T152200123Z', 0)).toBe(Date.UTC(2026, 11, 1, 15, 22, 0, 123));
    expect(damagedSince('x.git.damaged-odd', 42)).toBe(42);
  });
});
