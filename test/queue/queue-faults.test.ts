import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDirsOf, startWorker, stopWorkers, summaryOf, type TestWorker } from '../helpers/queue-workers.js';
import { skipWithoutRedis, startRedis, type TestRedis } from '../helpers/redis-server.js';
import { dispatchBin, readEvents, testEnv } from '../helpers/run-cli.js';
import { createSampleRepo } from '../helpers/sample-repo.js';
import { waitFor } from '../reliability/reliability-helpers.js';

const SUITE = 'queue: worker and Redis faults';

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(skipWithoutRedis(SUITE))(SUITE, () => {
  let root: string;
  let repo: string;
  let redis: TestRedis;
  let workers: TestWorker[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dispatch-queue-faults-'));
    repo = await createSampleRepo(join(root, 'repo'));
    redis = await startRedis({ appendonly: true });
  });
  afterEach(async () => {
    await stopWorkers(workers);
    workers = [];
  });
  afterAll(async () => {
    await redis?.remove();
    await rm(root, { recursive: true, force: true });
  });

  function submit(name: string, task: string, extra: Record<string, string> = {}) {
    const home = join(root, name);
    const child = execa(process.execPath, [dispatchBin, repo, task], { env: testEnv(home, { DISPATCH_QUEUE: redis.url, ...extra }), extendEnv: false, reject: false, input: '' });
    return { home, child };
  }

  /** The first run directory of a worker whose agent has started. */
  const agentStartedOn = (worker: TestWorker) =>
    waitFor(`the agent to start on ${worker.name}`, () => runDirsOf(worker.home).find((dir) => (summaryOf(dir).agent_pgid as number | null) !== null), 30_000);

  it('a worker SIGKILLed mid-run: its agent dies with it; another worker runs the job again; it is recorded once', async () => {
    const slow = { FAKE_AGENT_DELAY_MS: '4000' };
    const a = await startWorker(root, 'kill-a', redis.url, slow);
    workers.push(a);
    const { home, child } = submit('kill-sub', '[scenario:slow-ok] add a greeting');
    const dirOnA = await agentStartedOn(a);
    const pgid = summaryOf(dirOnA).agent_pgid as number;
    workers.push(await startWorker(root, 'kill-b', redis.url, slow));
    const killedAt = Date.now();
    a.process.kill('SIGKILL');
    await waitFor('the agent of the killed worker to die', () => !groupAlive(pgid), 15_000);
    const agentGoneMs = Date.now() - killedAt;
    await waitFor('the killed worker\'s run to be marked abandoned', () => summaryOf(dirOnA).status === 'abandoned', 15_000);
    const b = workers[1] as TestWorker;
    await waitFor('the job to be taken again on the other worker', () => runDirsOf(b.home).length === 1, 30_000);
    const recoveredMs = Date.now() - killedAt;
    const result = await child;
    expect(result.stderr + result.stdout).toContain('success');
    expect(result.exitCode).toBe(0);
    const [dir, ...more] = runDirsOf(home);
    expect(more).toEqual([]);
    const summary = summaryOf(dir as string);
    expect(summary.status).toBe('success');
    expect(summary.warnings.join('\n')).toContain(join(root, 'kill-b'));
    const events = readEvents(join(dir as string, 'events.jsonl'));
    expect(events.filter((e) => e.type === 'run.started')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'run.finished')).toHaveLength(1);
    console.log(`figures: agent of a SIGKILLed worker gone after ${agentGoneMs} ms; job running again on another worker after ${recoveredMs} ms`);
  });

  it('SIGTERM on a worker requeues its running job within the drain time; another worker finishes it', async () => {
    const slow = { FAKE_AGENT_DELAY_MS: '5000', DISPATCH_WORKER_DRAIN_MS: '1000' };
    const a = await startWorker(root, 'term-a', redis.url, slow);
    workers.push(a);
    const { home, child } = submit('term-sub', '[scenario:slow-ok] add a greeting');
    const dirOnA = await agentStartedOn(a);
    const b = await startWorker(root, 'term-b', redis.url, slow);
    workers.push(b);
    const termAt = Date.now();
    a.process.kill('SIGTERM');
    await a.process;
    const stoppedMs = Date.now() - termAt;
    expect(stoppedMs).toBeLessThan(20_000);
    expect(a.output()).toContain('requeueing');
    expect(summaryOf(dirOnA).status).toBe('cancelled');
    const result = await child;
    expect(result.exitCode).toBe(0);
    const [dir, ...more] = runDirsOf(home);
    expect(more).toEqual([]);
    expect(summaryOf(dir as string).warnings.join('\n')).toContain(join(root, 'term-b'));
    console.log(`figures: SIGTERMed worker exited after ${stoppedMs} ms (drain 1000 ms)`);
  });

  it('a brief Redis restart during a run loses nothing', async () => {
    workers.push(await startWorker(root, 'redis-a', redis.url, { FAKE_AGENT_DELAY_MS: '4000', DISPATCH_QUEUE_LOCK_MS: '30000', DISPATCH_QUEUE_STALLED_MS: '30000' }));
    const { home, child } = submit('redis-sub', '[scenario:slow-ok] add a greeting');
    await agentStartedOn(workers[0] as TestWorker);
    await redis.restart(1_000);
    const result = await child;
    expect(result.exitCode).toBe(0);
    const [dir, ...more] = runDirsOf(home);
    expect(more).toEqual([]);
    expect(summaryOf(dir as string)).toMatchObject({ status: 'success', outcome: 'success' });
  });
});
