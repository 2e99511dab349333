import { existsSync, readdirSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pushBranch } from '../../src/repos/deliver-branch.js';
import { processesUnder, readJson, testEnv } from '../helpers/run-cli.js';
import { startSilentRemote, type SilentRemote } from '../helpers/git-fixtures.js';
import { cleanRunHome, createRunHome, git } from '../helpers/sample-repo.js';
import { runDirs, startDispatch, waitFor } from './reliability-helpers.js';

// A remote that accepts the connection and never answers a byte (a dead proxy, a
// half-open firewall). It used to hang dispatch forever, holding the mirror lock.

let home: string;
let repo: string;
let remote: SilentRemote;
let sockets: Socket[];
let url: string;

beforeEach(async () => {
  ({ home, repo } = await createRunHome('dispatch-dead-remote-'));
  remote = await startSilentRemote();
  ({ sockets, url } = remote);
});
afterEach(async () => {
  await remote.close();
  await cleanRunHome(home);
});

function gitProcesses(): string[] {
  return processesUnder(home).map((p) => `${p.pid} ${p.cmdline}`);
}

function repoLocks(): string[] {
  const repos = join(home, 'repos');
  return existsSync(repos) ? readdirSync(repos).filter((name) => name.endsWith('.lock')) : [];
}

describe('a remote that never answers', () => {
  it('--fetch-timeout: exit 3, one line naming the remote and the limit, git gone, lock free', async () => {
    const credentialed = url.replace('http://', 'http://user:s3cr3t-pass@');
    const started = Date.now();
    const result = await startDispatch(['--fetch-timeout', '2s', credentialed, 'do something'], testEnv(home));
    const failedAfter = Date.now() - started;
    console.log(`[measure] dead remote, --fetch-timeout 2s → dispatch exited after ${failedAfter} ms`);
    expect(result.exitCode).toBe(3);
    const printed = `${String(result.stdout)}\n${String(result.stderr)}`;
    const errorLines = printed.split('\n').filter((line) => line.startsWith('error:'));
    expect(errorLines).toEqual([`error: git ls-remote of ${url} did not finish within --fetch-timeout 2.0s; git was stopped`]);
    expect(printed).not.toContain('s3cr3t-pass');
    expect(failedAfter).toBeLessThan(30_000);
    const [dir] = runDirs(home);
    const summary = readJson(join(dir ?? '', 'summary.json'));
    expect(summary).toMatchObject({ outcome: 'infra', status: 'failed', dispatch_exit_code: 3 });
    expect(JSON.stringify(summary)).not.toContain('s3cr3t-pass');
    expect(gitProcesses()).toEqual([]);
    expect(repoLocks()).toEqual([]);
    // Asked once: the run records the failure of the first ask (for the repo's .dispatch.json), it does not wait again.
    expect(sockets).toHaveLength(1);
  });

  it('Ctrl-C during the fetch: the run is cancelled at once, exit 130, git gone, lock free', async () => {
    const child = startDispatch(['--fetch-timeout', '10m', url, 'do something'], testEnv(home), { detached: true });
    await waitFor('git to connect to the remote', () => sockets.length > 0 && gitProcesses().length > 0);
    const sent = Date.now();
    // To dispatch's process group, as a terminal delivers Ctrl-C.
    process.kill(-(child.pid ?? 0), 'SIGINT');
    const result = await child;
    console.log(`[measure] SIGINT during a dead fetch → dispatch exited after ${Date.now() - sent} ms`);
    expect(result.exitCode).toBe(130);
    const [dir] = runDirs(home);
    expect(readJson(join(dir ?? '', 'summary.json'))).toMatchObject({ outcome: 'cancelled', error: { kind: 'interrupted' } });
    expect(gitProcesses()).toEqual([]);
    expect(repoLocks()).toEqual([]);
  });

  it('a group (--attempts 2) stopped by --fetch-timeout: exit 3, git gone, lock free', async () => {
    const result = await startDispatch(['--fetch-timeout', '1s', '--attempts', '2', url, 'do something'], testEnv(home));
    expect(result.exitCode).toBe(3);
    expect(String(result.stderr)).toContain(`did not finish within --fetch-timeout 1.0s`);
    expect(gitProcesses()).toEqual([]);
    expect(repoLocks()).toEqual([]);
  });

  it('--push to it: stopped at the limit with the same kind of line, git gone', async () => {
    git(repo, 'branch', 'dispatch/feature');
    const target = { gitArgs: [], cwd: repo, remote: url, displayUrl: url };
    await expect(pushBranch(target, 'dispatch/feature', { timeoutMs: 1_500 })).rejects.toThrow(
      `git push of ${url} did not finish within --fetch-timeout 1.5s; git was stopped`,
    );
    expect(gitProcesses()).toEqual([]);
  });
});
