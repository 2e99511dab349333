import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectRoot, readJson, runCli, testEnv } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';
import { runDirs, sleep, startDispatch, survivorsOf } from './reliability-helpers.js';

// The instants where a dispatcher killed with SIGKILL used to leave a run that could not be
// read, a summary that lied about its diff, agents nobody could find, or a lock that stalled.

interface Summary {
  run_id: string;
  status: string;
  pid: number;
  files_changed: number;
  agent_pgid: number | null;
  agent_marker?: string | null;
  agent: { argv: string[] };
}

let home: string;
let repo: string;

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-crash-')));
afterEach(() => cleanRunHome(home));

/** A pid that surely names no process any more (a child that has exited and was reaped). */
async function deadPid(): Promise<number> {
  const child = execa(process.execPath, ['-e', '']);
  await child;
  return child.pid ?? 999_999;
}

describe('kill -9 just as the agent is spawned', () => {
  it('6 of 6 aimed kills: the next command finds and stops every process of the agent', async () => {
    const pidfile = join(home, 'helper-pids');
    const env = testEnv(home, { FAKE_AGENT_PIDFILE: pidfile, FAKE_AGENT_LATE_MS: '30000' });
    let beforePgid = 0;
    for (let i = 0; i < 6; i++) {
      const child = startDispatch(['--quiet', repo, `attempt ${i} [scenario:daemon-hang]`], env);
      // The summary written just before the spawn (argv known, agent_pgid not yet): kill then.
      let dir: string | undefined;
      for (let tries = 0; tries < 10_000 && !dir; tries++) {
        dir = runDirs(home).find((candidate) => {
          try {
            const summary = readJson<Summary>(join(candidate, 'summary.json'));
            return summary.status === 'running' && summary.agent.argv.length > 0;
          } catch {
            return false;
          }
        });
        if (!dir) await sleep(2);
      }
      child.kill('SIGKILL');
      await child;
      if (dir && readJson<Summary>(join(dir, 'summary.json')).agent_pgid === null) beforePgid += 1;
      await sleep(300); // the agent, if it was spawned, starts its helpers meanwhile
      expect((await runCli(['list', '--json'], { env })).exitCode).toBe(0);
      expect(survivorsOf(pidfile, home)).toEqual([]);
      for (const run of runDirs(home)) expect(readJson<Summary>(join(run, 'summary.json')).status).toBe('abandoned');
    }
    console.log(`[measure] aimed kills: 6, of which ${beforePgid} before agent_pgid reached summary.json`);
  });
});

describe('an abandoned summary matches its diff.patch', () => {
  it.each([
    ['the workspace was removed (--no-keep-workspace)', ['--no-keep-workspace']],
    ['the workspace is still there', []],
  ])('killed after diff.patch was written, %s', async (_what, flags) => {
    const env = testEnv(home);
    const done = await runCli(['--quiet', ...flags, repo, '[scenario:ok]'], { env });
    const dir = done.stdout.trim();
    const finished = readJson<Summary>(join(dir, 'summary.json'));
    expect(finished.files_changed).toBe(2);
    // The state a kill -9 between writing diff.patch and the final summary leaves.
    writeFileSync(join(dir, 'summary.json'), JSON.stringify({ ...finished, status: 'running', outcome: null, files_changed: 0, insertions: 0, deletions: 0, pid: await deadPid(), pid_start: null }));
    const shown = await runCli(['show', finished.run_id, '--json'], { env });
    expect(JSON.parse(shown.stdout)).toMatchObject({ status: 'abandoned', files_changed: 2 });
    expect(readFileSync(join(dir, 'diff.patch'), 'utf8')).toContain('hello.txt');
  });
});

describe('a run directory appears complete or not at all', () => {
  it('watched while a group starts: every visible run (and group) directory already holds its records, and they parse', async () => {
    const env = testEnv(home);
    const runs = join(home, 'runs');
    let seen = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const name of existsSync(runs) ? readdirSync(runs) : []) {
          if (name.startsWith('.')) continue;
          seen += 1;
          if (name.includes('-group-')) {
            expect(() => readJson(join(runs, name, 'group.json')), name).not.toThrow();
            continue;
          }
          expect(existsSync(join(runs, name, 'task.md')), name).toBe(true);
          expect(() => readJson(join(runs, name, 'summary.json')), name).not.toThrow();
        }
        await sleep(1);
      }
    })();
    await runCli(['--quiet', '-n', '3', repo, '[scenario:noop]'], { env });
    watching = false;
    await watcher;
    expect(seen).toBeGreaterThan(0);
  });
});

describe('the mirror lock of a dispatcher that died', () => {
  it('the next dispatch says so and takes it over at once', async () => {
    const env = testEnv(home);
    expect((await runCli(['--quiet', repo, '[scenario:noop]'], { env })).exitCode).toBe(0);
    const mirror = readdirSync(join(home, 'repos')).find((name) => name.endsWith('.git')) ?? '';
    const lockPath = join(home, 'repos', `${mirror.slice(0, -'.git'.length)}.lock`);
    // A dispatcher that took the lock and was killed with SIGKILL while holding it.
    const holder = execa(process.execPath, [
      '--input-type=module',
      '-e',
      `const { tryOwnedLock } = await import(${JSON.stringify(join(projectRoot, 'dist', 'locks', 'owned-lock.js'))});
       await tryOwnedLock(${JSON.stringify(lockPath)}); process.kill(process.pid, 'SIGKILL');`,
    ], { reject: false });
    expect((await holder).signal).toBe('SIGKILL');
    expect(existsSync(join(lockPath, 'owner.json'))).toBe(true);
    const started = Date.now();
    const next = await runCli(['--quiet', repo, '[scenario:noop]'], { env });
    const ms = Date.now() - started;
    expect(next.exitCode).toBe(0);
    expect(next.stderr).toMatch(/lock of repository .* was held by pid \d+, which is gone; taking it over/);
    console.log(`[measure] dispatch after a dead mirror-lock holder: ${ms} ms in all (it used to wait ~20 s)`);
    expect(ms).toBeLessThan(15_000);
  });
});
