#!/usr/bin/env node
// Benchmark (not a test): runs on a queue with two workers and the fake agent. Prints job
// pickup latency (queued → run started on a worker), jobs/s submitted with --detach, and the
// time until every submitted job is done. Needs redis-server (REDIS_SERVER_BIN).
import { spawn, execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createBenchRepo, fakeAgent, root } from './bench-repo.mjs';

const jobs = Number(process.env.BENCH_JOBS ?? 20);
const submitters = Number(process.env.BENCH_SUBMITTERS ?? 4);
const { home, repo } = createBenchRepo('dispatch-bench-queue-', 50, 10);
const dispatchBin = join(root, 'bin', 'dispatch');

const port = await new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port: p } = server.address();
    server.close(() => resolve(p));
  });
});
mkdirSync(join(home, 'redis'), { recursive: true });
const redis = spawn(process.env.REDIS_SERVER_BIN ?? 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', join(home, 'redis'), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
const url = `redis://127.0.0.1:${port}`;
await new Promise((r) => setTimeout(r, 500));

const envFor = (name) => ({ ...process.env, DISPATCH_HOME: join(home, name), CODEX_BIN: fakeAgent, OPENAI_API_KEY: 'sk-bench-000000000000000000000', DISPATCH_QUEUE: url });
const workers = ['w1', 'w2'].map((name) => spawn(process.execPath, [dispatchBin, 'worker', '--executor', 'codex', '--concurrency', '4'], { env: envFor(name), stdio: 'ignore' }));
await new Promise((r) => setTimeout(r, 2500));

const run = promisify(execFile);
const submit = async () => (await run(process.execPath, [dispatchBin, '--detach', repo, 'bench task'], { env: envFor('sub') })).stdout.trim();
const started = Date.now();
const ids = [];
let left = jobs;
await Promise.all(Array.from({ length: submitters }, async () => {
  while (left > 0) {
    left--;
    ids.push(await submit());
  }
}));
const submitSeconds = (Date.now() - started) / 1000;
// Collect: show brings each run's results back.
for (const id of ids) {
  for (;;) {
    const shown = execFileSync(process.execPath, [dispatchBin, 'show', '--quiet', id], { env: envFor('sub') }).toString().trim();
    if (shown !== 'running') break;
    await new Promise((r) => setTimeout(r, 200));
  }
}
const allDoneSeconds = (Date.now() - started) / 1000;
// BullMQ's own rate, without a CLI start per job: one client adding jobs to a scratch queue.
const { openQueueClient } = await import(join(root, 'dist', 'queue', 'queue-client.js'));
const client = openQueueClient(url);
const rawJobs = 2000;
const rawStart = Date.now();
const scratch = client.queueFor('bench-scratch');
await Promise.all(Array.from({ length: rawJobs }, (_, i) => scratch.add('run', { i }, { removeOnComplete: true })));
const rawRate = rawJobs / ((Date.now() - rawStart) / 1000);
await scratch.obliterate({ force: true });
await client.close();
const pickups = [];
for (const name of ['w1', 'w2']) {
  const runs = join(home, name, 'runs');
  for (const id of readdirSync(runs).filter((n) => /^\d{8}-/.test(n))) {
    const queued = JSON.parse(readFileSync(join(home, 'sub', 'runs', id, 'queue.json'), 'utf8')).submitted;
    const runStarted = JSON.parse(readFileSync(join(runs, id, 'summary.json'), 'utf8')).started;
    pickups.push(Date.parse(runStarted) - Date.parse(queued));
  }
}
pickups.sort((a, b) => a - b);
console.log(`queue: ${jobs} jobs from ${submitters} submitters (CLI --detach): ${(jobs / submitSeconds).toFixed(1)} jobs/s submitted; all done after ${allDoneSeconds.toFixed(1)} s`);
console.log(`queue: ${rawRate.toFixed(0)} jobs/s added by one in-process client (BullMQ alone)`);
console.log(`queue: pickup latency (queued → started on a worker): median ${pickups[Math.floor(pickups.length / 2)]} ms, max ${pickups.at(-1)} ms`);
for (const worker of workers) worker.kill('SIGTERM');
await Promise.all(workers.map((w) => new Promise((r) => w.on('exit', r))));
redis.kill('SIGTERM');
rmSync(home, { recursive: true, force: true });
