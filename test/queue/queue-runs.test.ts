import { readFileSync, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, runDirsOf, stopWorkers, summaryOf, type TestWorker } from '../helpers/queue-workers.js';
import { sharedOrOwnRedis, skipWithoutRedis, type TestRedis } from '../helpers/redis-server.js';
import { readEvents, runCli, testEnv } from '../helpers/run-cli.js';
import { createSampleRepo } from '../helpers/sample-repo.js';

const SUITE = 'queue: runs on BullMQ workers';

describe.skipIf(skipWithoutRedis(SUITE))(SUITE, () => {
  let root: string;
  let repo: string;
  let redis: TestRedis;
  const workers: TestWorker[] = [];
  const submitter = () => join(root, 'submitter');

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dispatch-queue-'));
    repo = await createSampleRepo(join(root, 'repo'));
    redis = await sharedOrOwnRedis(5);
    // Two workers with homes of their own, one job at a time each, one slower than the
    // other (slow-ok waits FAKE_AGENT_DELAY_MS); claude is not logged in on either.
    const noClaude = { ANTHROPIC_API_KEY: undefined };
    const one = ['--concurrency', '1'];
    workers.push(
      await startWorker(root, 'w1', redis.url, { ...noClaude, FAKE_AGENT_DELAY_MS: '800' }, one),
      await startWorker(root, 'w2', redis.url, { ...noClaude, FAKE_AGENT_DELAY_MS: '6000' }, one),
    );
  });

  afterAll(async () => {
    await stopWorkers(workers);
    await redis?.remove();
    await rm(root, { recursive: true, force: true });
  });

  it('runs a submitted task on a worker and brings every file back to runs/<run-id>/', async () => {
    const env = testEnv(submitter(), { DISPATCH_QUEUE: redis.url });
    const result = await runCli([repo, 'add a greeting'], { env });
    expect(result.stderr).toContain('queued on');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^success: codex on repo/);
    const [dir] = runDirsOf(submitter());
    if (!dir) throw new Error('no run directory on the submitter');
    const summary = summaryOf(dir);
    expect(summary.status).toBe('success');
    expect(summary.warnings.some((w) => /ran on queue worker .* its run directory: .*\/w[12]\/runs\//.test(w))).toBe(true);
    for (const file of ['task.md', 'diff.patch', 'events.jsonl', 'last-message.md', 'output.log', 'queue.json']) expect(existsSync(join(dir, file)), file).toBe(true);
    expect(readFileSync(join(dir, 'diff.patch'), 'utf8')).toContain('hello.txt');
    const events = readEvents(join(dir, 'events.jsonl'));
    expect(events.filter((e) => e.type === 'run.finished')).toHaveLength(1);
    // The worker's own run directory has the same id.
    const onWorker = workers.flatMap((w) => runDirsOf(w.home)).filter((d) => d.endsWith(summary.run_id as string));
    expect(onWorker).toHaveLength(1);
  });

  it('--detach prints the run id at once; logs -f follows it from the worker; show then has the result', async () => {
    const env = testEnv(submitter(), { DISPATCH_QUEUE: redis.url });
    const detached = await runCli(['--detach', repo, '[scenario:slow-ok] add a greeting'], { env });
    expect(detached.exitCode).toBe(0);
    const runId = detached.stdout.trim();
    expect(runId).toMatch(/^\d{8}-\d{6}-codex-[a-z0-9]{6}$/);
    const logs = await runCli(['logs', '-f', runId], { env });
    expect(logs.exitCode).toBe(0);
    expect(logs.stdout).toContain('turn completed');
    expect(logs.stdout).toMatch(/run finished: success/);
    const show = await runCli(['show', '--json', runId], { env });
    expect(JSON.parse(show.stdout)).toMatchObject({ run_id: runId, status: 'success', outcome: 'success' });
  });

  it('cancel stops a running queued run on its worker', async () => {
    const env = testEnv(submitter(), { DISPATCH_QUEUE: redis.url });
    const runId = (await runCli(['--detach', repo, '[scenario:hang] wait forever'], { env })).stdout.trim();
    const deadline = Date.now() + 20_000;
    while (!workers.some((w) => runDirsOf(w.home).some((d) => d.endsWith(runId))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const cancel = await runCli(['cancel', runId], { env });
    expect(cancel.stdout).toContain('cancelled');
    expect(summaryOf(join(submitter(), 'runs', runId))).toMatchObject({ status: 'cancelled', outcome: 'cancelled' });
  });

  it('a job no live worker can run fails saying so (claude, while no worker is logged in to it)', async () => {
    const env = testEnv(submitter(), { DISPATCH_QUEUE: redis.url, DISPATCH_QUEUE_NO_WORKER_MS: '1500' });
    const result = await runCli(['-e', 'claude', repo, 'add a greeting'], { env });
    expect(result.stderr).toContain('no live worker takes claude jobs right now');
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toContain('no live worker could run claude jobs');
  });

  it('best-of-N: three members run as jobs on the workers; the group picks a winner here', async () => {
    const env = testEnv(submitter(), { DISPATCH_QUEUE: redis.url });
    const result = await runCli(['-n', '3', '--check', 'test -f hello.txt', '--json', repo, 'add a greeting'], { env, timeoutMs: 90_000 });
    expect(result.exitCode).toBe(0);
    const record = JSON.parse(result.stdout) as { mode: string; winner: string | null; members: { run_id: string; outcome: string; run_dir: string }[] };
    expect(record.mode).toBe('best-of-n');
    expect(record.members.map((m) => m.outcome)).toEqual(['success', 'success', 'success']);
    expect(record.winner).not.toBeNull();
    for (const member of record.members) {
      expect(summaryOf(member.run_dir).check).toMatchObject({ passed: true });
      expect(readFileSync(join(member.run_dir, 'diff.patch'), 'utf8')).toContain('hello.txt');
    }
  });

  it('race across workers: the first success wins; the loser running on the other worker is stopped there', async () => {
    const env = testEnv(submitter(), { DISPATCH_QUEUE: redis.url });
    const result = await runCli(['-n', '2', '--race', '--json', repo, '[scenario:slow-ok] add a greeting'], { env, timeoutMs: 90_000 });
    expect(result.exitCode).toBe(0);
    const record = JSON.parse(result.stdout) as { winner: string; members: { run_id: string; outcome: string; run_dir: string }[] };
    const loser = record.members.find((m) => m.run_id !== record.winner);
    const winner = record.members.find((m) => m.run_id === record.winner);
    if (!loser || !winner) throw new Error(`no winner and loser in ${result.stdout}`);
    expect(winner.outcome).toBe('success');
    const lost = summaryOf(loser.run_dir);
    expect(lost).toMatchObject({ outcome: 'cancelled', error: { kind: 'race_lost' } });
    // The loser really ran on the slow worker and was stopped there, well before its 6 s.
    const [onWorker] = runDirsOf((workers[1] as TestWorker).home).filter((d) => d.endsWith(loser.run_id));
    expect(summaryOf(onWorker as string)).toMatchObject({ outcome: 'cancelled' });
    const cancelMs = Date.parse(lost.completed as string) - Date.parse(summaryOf(winner.run_dir).completed as string);
    expect(cancelMs).toBeLessThan(5_000);
    console.log(`figures: race loser on the other worker stopped ${cancelMs} ms after the winner finished`);
  });

  it('--no-overlap holds across submitters: a second submit of the same job exits 4 until the first ends', async () => {
    const env = testEnv(submitter(), { DISPATCH_QUEUE: redis.url });
    const other = testEnv(join(root, 'other-submitter'), { DISPATCH_QUEUE: redis.url });
    const task = '[scenario:hang] the nightly job';
    const runId = (await runCli(['--detach', '--no-overlap', repo, task], { env })).stdout.trim();
    const second = await runCli(['--detach', '--no-overlap', repo, task], { env: other });
    expect(second.exitCode).toBe(4);
    expect(second.stderr).toContain(`already on the queue (${runId})`);
    await runCli(['cancel', runId], { env });
    const third = await runCli(['--detach', '--no-overlap', repo, task], { env: other });
    expect(third.exitCode).toBe(0);
    await runCli(['cancel', third.stdout.trim()], { env: other });
  });

  it('doctor --queue lists the live workers', async () => {
    const result = await runCli(['doctor', '--queue', redis.url], { env: testEnv(submitter()) });
    expect(result.stdout).toMatch(/queue .* answers; 2 live workers/);
    expect(result.stdout.match(/worker .*: codex; \d\/1 running/g)).toHaveLength(2);
  });
});
