#!/usr/bin/env node
// Benchmark (not a test): `-n 8 --concurrency 8` with a fake agent that works for a fixed
// time, against 8 sequential single runs; and the dispatcher's own peak memory (VmHWM).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const fakeAgent = join(root, 'test', 'fixtures', 'fake-agent.mjs');
const attempts = Number(process.env.BENCH_ATTEMPTS ?? 8);
const agentMs = Number(process.env.BENCH_AGENT_MS ?? 2000);

const home = mkdtempSync(join(tmpdir(), 'dispatch-bench-group-'));
const repo = join(home, 'repo');
mkdirSync(repo);
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b.invalid', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b.invalid' };
execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo, env: gitEnv });
for (let i = 0; i < 200; i++) writeFileSync(join(repo, `file-${i}.txt`), `line ${i}\n`.repeat(50));
writeFileSync(join(repo, 'README.md'), '# bench\n');
execFileSync('git', ['add', '-A'], { cwd: repo, env: gitEnv });
execFileSync('git', ['commit', '-qm', 'init'], { cwd: repo, env: gitEnv });

const env = {
  ...process.env,
  DISPATCH_HOME: home,
  CODEX_BIN: fakeAgent,
  OPENAI_API_KEY: 'sk-bench-000000000000000000000',
  FAKE_AGENT_SCENARIO: 'slow-ok',
  FAKE_AGENT_DELAY_MS: String(agentMs),
};

/** Runs dispatch, sampling its peak RSS (VmHWM) until it exits. */
function dispatch(args) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(root, 'bin', 'dispatch'), '--quiet', ...args], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    let peakKb = 0;
    const sample = setInterval(() => {
      try {
        const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
        peakKb = Math.max(peakKb, kb);
      } catch {
        // exited
      }
    }, 20);
    child.on('exit', (code) => {
      clearInterval(sample);
      if (code !== 0) reject(new Error(`dispatch exited ${code}`));
      else resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, peakMb: peakKb / 1024 });
    });
  });
}

const group = await dispatch(['-n', String(attempts), '--concurrency', String(attempts), repo, 'bench task']);
let sequentialMs = 0;
let singlePeak = 0;
for (let i = 0; i < attempts; i++) {
  const run = await dispatch([repo, 'bench task']);
  sequentialMs += run.ms;
  singlePeak = Math.max(singlePeak, run.peakMb);
}
rmSync(home, { recursive: true, force: true });

console.log(
  JSON.stringify(
    {
      attempts,
      agent_work_ms: agentMs,
      group_concurrent_ms: Math.round(group.ms),
      sequential_ms: Math.round(sequentialMs),
      speedup: Number((sequentialMs / group.ms).toFixed(2)),
      dispatcher_peak_rss_mb_group: Math.round(group.peakMb),
      dispatcher_peak_rss_mb_single: Math.round(singlePeak),
    },
    null,
    2,
  ),
);
