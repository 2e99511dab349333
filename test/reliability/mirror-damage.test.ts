import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readJson, runCli, testEnv } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome, git } from '../helpers/sample-repo.js';
import { runDirs, waitFor } from './reliability-helpers.js';

// What a crashed or killed git leaves in the shared mirror. Each used to make every later
// run fail with exit 3, "cannot reach …", until someone repaired repos/ by hand.

let home: string;
let repo: string;

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-mirror-damage-')));
afterEach(() => cleanRunHome(home));

function mirrorPath(): string {
  const name = readdirSync(join(home, 'repos')).find((entry) => entry.endsWith('.git'));
  if (!name) throw new Error('no mirror');
  return join(home, 'repos', name);
}

/** A run on the sample repo, after a new commit there (so the fetch must update origin/main). */
async function runAfterNewCommit(label: string, target = repo) {
  writeFileSync(join(repo, `${label}.txt`), `${label}\n`);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', label);
  const started = Date.now();
  const result = await runCli(['--label', `step=${label}`, target, '[scenario:ok]'], { env: testEnv(home) });
  const ms = Date.now() - started;
  const dir = runDirs(home).find((d) => readJson<{ labels: Record<string, string> }>(join(d, 'summary.json')).labels.step === label);
  const summary = readJson<{ outcome: string; before_sha: string; warnings: string[] }>(join(dir ?? '', 'summary.json'));
  return { result, summary, ms };
}

describe('a damaged mirror is repaired before the fetch', () => {
  it('stale ref locks of a crashed fetch are removed and said in warnings', async () => {
    expect((await runAfterNewCommit('first')).result.exitCode).toBe(0);
    const mirror = mirrorPath();
    writeFileSync(join(mirror, 'refs', 'remotes', 'origin', 'main.lock'), '');
    writeFileSync(join(mirror, 'refs', 'heads', 'feature.lock'), '');
    const { result, summary } = await runAfterNewCommit('second');
    expect(result.exitCode).toBe(0);
    expect(summary.outcome).toBe('success');
    expect(summary.before_sha).toBe(git(repo, 'rev-parse', 'HEAD'));
    const warning = summary.warnings.find((w) => w.startsWith('removed stale lock files')) ?? '';
    expect(warning).toContain('refs/remotes/origin/main.lock');
    expect(warning).toContain('refs/heads/feature.lock');
    expect(existsSync(join(mirror, 'refs', 'remotes', 'origin', 'main.lock'))).toBe(false);
    expect(existsSync(join(mirror, 'refs', 'heads', 'feature.lock'))).toBe(false);
    expect(result.stdout).toContain('warning: removed stale lock files');
  });

  it('a remote URL too: the repair made by the fetch for its .dispatch.json is in the run\'s warnings', async () => {
    const url = `file://${repo}`;
    expect((await runAfterNewCommit('first', url)).result.exitCode).toBe(0);
    writeFileSync(join(mirrorPath(), 'refs', 'remotes', 'origin', 'main.lock'), '');
    const { result, summary } = await runAfterNewCommit('second', url);
    expect(result.exitCode).toBe(0);
    expect(summary.before_sha).toBe(git(repo, 'rev-parse', 'HEAD'));
    expect(summary.warnings.find((w) => w.startsWith('removed stale lock files'))).toContain('refs/remotes/origin/main.lock');
  });

  it('a branch lock stays while a live git works in the mirror; the fetch lock still goes', async () => {
    expect((await runAfterNewCommit('first')).result.exitCode).toBe(0);
    const mirror = mirrorPath();
    // A git that holds the repository open (as an agent's git in a worktree would).
    const live = spawn('git', [`--git-dir=${mirror}`, 'cat-file', '--batch'], { cwd: mirror, stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      await waitFor('the live git', () => live.pid !== undefined);
      writeFileSync(join(mirror, 'refs', 'remotes', 'origin', 'main.lock'), '');
      writeFileSync(join(mirror, 'refs', 'heads', 'feature.lock'), '');
      const { result, summary } = await runAfterNewCommit('second');
      expect(result.exitCode).toBe(0);
      expect(existsSync(join(mirror, 'refs', 'heads', 'feature.lock'))).toBe(true);
      expect(existsSync(join(mirror, 'refs', 'remotes', 'origin', 'main.lock'))).toBe(false);
      expect(summary.warnings.join('\n')).not.toContain('feature.lock');
    } finally {
      live.kill('SIGKILL');
      await new Promise((resolve) => live.once('exit', resolve));
    }
  });

  it('garbage in packed-refs: the mirror is moved aside and fetched again, said in warnings', async () => {
    const first = await runAfterNewCommit('first');
    expect(first.result.exitCode).toBe(0);
    const mirror = mirrorPath();
    writeFileSync(join(mirror, 'packed-refs'), 'this is not a ref line\n\0\0garbage\n');
    const { result, summary, ms } = await runAfterNewCommit('second');
    console.log(`[measure] run on a mirror with a corrupted packed-refs (repair included): ${ms} ms; a normal run: ${first.ms} ms`);
    expect(result.exitCode).toBe(0);
    expect(summary.outcome).toBe('success');
    expect(summary.before_sha).toBe(git(repo, 'rev-parse', 'HEAD'));
    const warning = summary.warnings.find((w) => w.includes('could not be read'));
    expect(warning).toMatch(/packed-refs.*moved aside to .*\.damaged-/);
    const damaged = readdirSync(join(home, 'repos')).filter((name) => name.includes('.damaged-'));
    expect(damaged).toHaveLength(1);
    // The next run finds a healthy mirror: no repair, no warning.
    const third = await runAfterNewCommit('third');
    expect(third.result.exitCode).toBe(0);
    expect(third.summary.warnings.filter((w) => /mirror/.test(w))).toEqual([]);
  });

  it('a corrupt object at a branch tip (a write cut short): moved aside and fetched again', async () => {
    expect((await runAfterNewCommit('first')).result.exitCode).toBe(0);
    const mirror = mirrorPath();
    const tip = git(repo, 'rev-parse', 'HEAD');
    const object = join(mirror, 'objects', tip.slice(0, 2), tip.slice(2));
    expect(existsSync(object)).toBe(true);
    chmodSync(object, 0o644);
    writeFileSync(object, 'not zlib data');
    const { result, summary } = await runAfterNewCommit('second');
    expect(result.exitCode).toBe(0);
    expect(summary.before_sha).toBe(git(repo, 'rev-parse', 'HEAD'));
    expect(summary.warnings.find((w) => w.includes('could not be read'))).toContain(tip);
  });
});
