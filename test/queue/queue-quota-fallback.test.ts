import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDirsOf, startWorker, stopWorkers, summaryOf, type TestWorker } from '../helpers/queue-workers.js';
import { sharedOrOwnRedis, skipWithoutRedis, type TestRedis } from '../helpers/redis-server.js';
import { readJson, runCli, testEnv } from '../helpers/run-cli.js';
import { createSampleRepo } from '../helpers/sample-repo.js';

const SUITE = 'queue: --on-quota wait as a delayed job, and --fallback on the workers';
const RESET_S = 4;

interface WaitData {
  quotaWait?: { waiting_until?: string | null; waits?: { worker: string; reset_at: string | null; until: string }[] };
}

describe.skipIf(skipWithoutRedis(SUITE))(SUITE, () => {
  let root: string;
  let repo: string;
  let redis: TestRedis;
  let connection: Redis;
  let codexQueue: Queue;
  const workers: TestWorker[] = [];
  const submitter = () => join(root, 'submitter');

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dispatch-queue-quota-'));
    repo = await createSampleRepo(join(root, 'repo'));
    redis = await sharedOrOwnRedis(7);
    // One worker per executor, one job at a time: codex runs only on w1, claude only on w2.
    // The fake agent's usage-limit-once remembers its one limit in a directory both share.
    const shared = { FAKE_AGENT_STATE_DIR: root, FAKE_AGENT_RESET_S: String(RESET_S) };
    workers.push(
      await startWorker(root, 'w1', redis.url, { ...shared, ANTHROPIC_API_KEY: undefined }, ['--concurrency', '1', '--executor', 'codex']),
      await startWorker(root, 'w2', redis.url, { ...shared, OPENAI_API_KEY: undefined }, ['--concurrency', '1', '--executor', 'claude']),
    );
    connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    codexQueue = new Queue('dispatch-codex', { connection });
  });

  afterAll(async () => {
    await codexQueue?.close();
    connection?.disconnect();
    await stopWorkers(workers);
    await redis?.remove();
    await rm(root, { recursive: true, force: true });
  });

  it('--on-quota wait: a run that hits a usage limit becomes a delayed job; a worker runs it after the reset', async () => {
    const env = testEnv(submitter(), { DISPATCH_QUEUE: redis.url });
    const detached = await runCli(['--detach', '--on-quota', 'wait', repo, '[scenario:usage-limit-once] add a greeting'], { env });
    expect(detached.exitCode, detached.stderr).toBe(0);
    const runId = detached.stdout.trim();

    // The job itself waits in Redis, delayed, not a worker and not the (detached) submitter.
    let state = '';
    const deadline = Date.now() + 30_000;
    while (state !== 'delayed' && Date.now() < deadline) {
      state = await codexQueue.getJobState(runId);
      if (state !== 'delayed') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(state).toBe('delayed');
    const job = await codexQueue.getJob(runId);
    const wait = (job?.data as WaitData).quotaWait;
    const until = Date.parse(wait?.waiting_until ?? '');
    expect(until - Date.now()).toBeGreaterThan(0);
    expect(wait?.waits?.[0]?.worker).toMatch(/^.+-\d+-/);

    // show says it waits, and until when; the only codex worker is free meanwhile: another job runs on it.
    const shown = await runCli(['show', runId], { env });
    expect(shown.stdout).toMatch(/waiting: hit a usage limit; the job is delayed on the queue until/);
    expect(readJson<{ waiting_until: string }>(join(submitter(), 'runs', runId, 'queue.json')).waiting_until).toBe(wait?.waiting_until);
    const meanwhile = await runCli(['--json', repo, 'add a greeting'], { env });
    expect(meanwhile.exitCode, meanwhile.stderr).toBe(0);
    expect(await codexQueue.getJobState(runId)).toBe('delayed');

    const logs = await runCli(['logs', '-f', runId], { env, timeoutMs: 60_000 });
    expect(logs.exitCode, logs.stderr).toBe(0);
    const summary = summaryOf(join(submitter(), 'runs', runId));
    expect(summary, JSON.stringify(summary.error)).toMatchObject({ run_id: runId, status: 'success', outcome: 'success' });
    // The rerun started after the reset the agent named, and the record says what happened.
    expect(Date.parse(summary.started as string)).toBeGreaterThanOrEqual(Date.parse(wait?.waits?.[0]?.reset_at ?? ''));
    expect(summary.warnings.some((w) => /hit a usage limit on queue worker .* delayed until .*--on-quota wait/.test(w))).toBe(true);
    expect(readJson<{ waiting_until: string | null }>(join(submitter(), 'runs', runId, 'queue.json')).waiting_until ?? null).toBeNull();
  });

  it('--fallback: the first executor fails on its worker, the fallback runs on the worker that has the other one', async () => {
    const env = testEnv(submitter(), { DISPATCH_QUEUE: redis.url });
    const result = await runCli(['-e', 'codex', '--fallback', 'claude', '--json', repo, '[scenario-codex:fail] add a greeting'], { env, timeoutMs: 90_000 });
    expect(result.exitCode, result.stderr).toBe(0);
    const record = JSON.parse(result.stdout) as { winner: string; members: { executor: string; run_id: string; outcome: string; run_dir: string; fallback_of: string | null }[] };
    const [primary, fallback] = record.members;
    expect(primary).toMatchObject({ executor: 'codex', outcome: 'agent_error', fallback_of: null });
    expect(fallback).toMatchObject({ executor: 'claude', outcome: 'success', fallback_of: primary?.run_id });
    expect(record.winner).toBe(fallback?.run_id);
    // Each ran where its executor is: codex on w1, claude on w2.
    const ranOn = (runId: string | undefined) => workers.filter((w) => runDirsOf(w.home).some((d) => d.endsWith(runId ?? '?'))).map((w) => w.name);
    expect(ranOn(primary?.run_id)).toEqual(['w1']);
    expect(ranOn(fallback?.run_id)).toEqual(['w2']);
    expect(summaryOf(fallback?.run_dir ?? '').warnings.some((w) => /ran on queue worker .*\/w2\/runs\//.test(w))).toBe(true);
  });
});
