#!/usr/bin/env node
// Benchmarks (not tests): wall time of dispatch runs with a fake agent on a small repo,
// against the fake agent alone, so the difference is the dispatcher's overhead.
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createBenchRepo, fakeAgent, root } from './bench-repo.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 10);

const { home, repo } = createBenchRepo('dispatch-bench-', 50, 20);

const env = { ...process.env, DISPATCH_HOME: home, CODEX_BIN: fakeAgent, OPENAI_API_KEY: 'sk-bench-000000000000000000000' };

function time(fn) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const agentAlone = [];
const dispatched = [];
for (let i = 0; i < runs; i++) {
  const ws = join(home, `alone-${i}`);
  execFileSync('git', ['clone', '-q', repo, ws]);
  agentAlone.push(time(() => spawnSync(fakeAgent, ['exec', '--json', '-o', join(ws, '.last'), '-'], { cwd: ws, input: 'bench task', env })));
  dispatched.push(time(() => {
    const result = spawnSync(process.execPath, [join(root, 'bin', 'dispatch'), '--quiet', repo, 'bench task'], { env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`dispatch failed: ${result.stderr}`);
  }));
}
rmSync(home, { recursive: true, force: true });

const result = {
  runs,
  fake_agent_alone_ms: Math.round(median(agentAlone)),
  dispatch_run_ms: Math.round(median(dispatched)),
  dispatcher_overhead_ms: Math.round(median(dispatched) - median(agentAlone)),
};
console.log(JSON.stringify(result, null, 2));
