import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readJson, runCli, testEnv } from '../helpers/run-cli.js';
import { createFixtureRepo, gitIn, makeTempDir, startGitHttpServer, type FixtureRepo, type GitHttpServer } from '../helpers/git-fixtures.js';

// A run on a remote repository fetches its mirror for the repo's .dispatch.json first, then
// starts from what that fetch found: the remote is asked once per run, not twice (each ask is
// a round trip, 50–300 ms to a real forge), and the run starts from the commit whose config
// it was given.

let home: string;
let served: string;
let source: FixtureRepo;
let server: GitHttpServer;
let url: string;

beforeEach(async () => {
  home = await makeTempDir('outpost-fetch-once-');
  served = await makeTempDir('outpost-served-');
  source = await createFixtureRepo();
  await gitIn(served, ['clone', '--quiet', '--bare', source.path, 'team.git']);
  server = await startGitHttpServer(served, 'bot', 's3cret-token');
  url = `${server.baseUrl.replace('http://', 'http://bot:s3cret-token@')}team.git`;
});
afterEach(async () => {
  await server.close();
  await source.cleanup();
  await rm(home, { recursive: true, force: true });
  await rm(served, { recursive: true, force: true });
});

/** A run on the remote; returns its summary and the upload-pack advertisements it asked for. */
async function runOnRemote(): Promise<{ beforeSha: string; asks: number }> {
  const from = server.requests.length;
  const result = await runCli(['--quiet', url, 'Create hello.txt'], { env: testEnv(home) });
  expect(result.exitCode, result.stderr).toBe(0);
  const summary = readJson<{ before_sha: string; outcome: string }>(join(result.stdout.trim(), 'summary.json'));
  expect(summary.outcome).toBe('success');
  const asks = server.requests.slice(from).filter((request) => request.startsWith('GET /team.git/info/refs?service=git-upload-pack')).length;
  return { beforeSha: summary.before_sha, asks };
}

describe('a run on a remote repository', () => {
  it('asks the remote once when nothing is new, and fetches once when something is', async () => {
    // The first run makes the mirror: its listing and its fetch.
    expect((await runOnRemote()).beforeSha).toBe(await source.head());

    // Nothing new: one listing (the config's), none by the run itself.
    expect(await runOnRemote()).toEqual({ beforeSha: await source.head(), asks: 1 });

    // A new commit: the config's listing and fetch, and the run starts from that commit.
    const sha = await source.commitFiles({ 'more.txt': 'more\n' }, 'more');
    await gitIn(source.path, ['push', '--quiet', join(served, 'team.git'), 'main']);
    expect(await runOnRemote()).toEqual({ beforeSha: sha, asks: 2 });
  });
});
