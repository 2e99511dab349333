#!/usr/bin/env node
// Benchmarks (not tests): wall time of dispatch runs with a fake agent on a small repo,
// against the fake agent alone, so the difference is the dispatcher's overhead.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const fakeAgent = join(root, 'test', 'fixtures', 'fake-agent.mjs');
const runs = Number(process.env.BENCH_RUNS ?? 10);

const home = mkdtempSync(join(tmpdir(), 'dispatch-bench-'));
const repo = join(home, 'repo');
mkdirSync(repo);
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b.invalid', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b.invalid' };
execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo, env: gitEnv });
for (let i = 0; i < 50; i++) writeFileSync(join(repo, `file-${i}.txt`), `line ${i}\n`.repeat(20));
writeFileSync(join(repo, 'README.md'), '# bench\n');
execFileSync('git', ['add', '-A'], { cwd: repo, env: gitEnv });
execFileSync('git', ['commit', '-qm', 'init'], { cwd: repo, env: gitEnv });

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
