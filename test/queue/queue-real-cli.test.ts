import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startModelServer, type ModelServer } from '../../src/model-server/index.js';
import { missingPinnedClis, realAgentEnv } from '../helpers/e2e-env.js';
import { skipE2eSuite } from '../helpers/e2e-gate.js';
import { runDirsOf, startWorker, stopWorkers, summaryOf, type TestWorker } from '../helpers/queue-workers.js';
import { sharedOrOwnRedis, skipWithoutRedis, type TestRedis } from '../helpers/redis-server.js';
import { runCli, testEnv } from '../helpers/run-cli.js';
import { createSampleRepo } from '../helpers/sample-repo.js';

const SUITE = 'queue: the real codex CLI on a worker';
const skip = skipWithoutRedis(SUITE) || skipE2eSuite(SUITE, missingPinnedClis);

describe.skipIf(skip)(SUITE, () => {
  let root: string;
  let repo: string;
  let redis: TestRedis;
  let server: ModelServer;
  const workers: TestWorker[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dispatch-queue-real-'));
    repo = await createSampleRepo(join(root, 'repo'));
    redis = await sharedOrOwnRedis(6);
    server = await startModelServer();
    const workerHome = join(root, 'worker');
    workers.push(await startWorker(root, 'worker', redis.url, {}, ['--executor', 'codex'], await realAgentEnv(workerHome, server.url)));
  });

  afterAll(async () => {
    await stopWorkers(workers);
    await server?.close();
    await redis?.remove();
    await rm(root, { recursive: true, force: true });
  });

  it('a queued run drives the pinned codex against the scripted server and comes back whole', async () => {
    const submitter = join(root, 'submitter');
    // The submitter has no agent CLI and no login: the worker's are used.
    const env = testEnv(submitter, { DISPATCH_QUEUE: redis.url, CODEX_BIN: undefined, OPENAI_API_KEY: undefined });
    const result = await runCli(['--json', repo, 'Create hello.txt'], { env, timeoutMs: 120_000 });
    expect(result.exitCode).toBe(0);
    const summary = JSON.parse(result.stdout) as { outcome: string; final_message: string; session_id: string; agent: { cli: string } };
    expect(summary).toMatchObject({ outcome: 'success', final_message: 'Created hello.txt.', agent: { cli: 'codex' } });
    const [dir] = runDirsOf(submitter);
    expect(readFileSync(join(dir as string, 'diff.patch'), 'utf8')).toContain('+hello from codex');
    expect(readFileSync(join(dir as string, 'events.jsonl'), 'utf8')).toContain(summary.session_id);
    expect(summaryOf(dir as string).status).toBe('success');
  });
});
