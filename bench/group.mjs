#!/usr/bin/env node
// Benchmark (not a test): `-n 8 --concurrency 8` with a fake agent that works for a fixed
// time, against 8 sequential single runs; and the dispatcher's own peak memory (VmHWM).
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createBenchRepo, fakeAgent, root } from './bench-repo.mjs';

const attempts = Number(process.env.BENCH_ATTEMPTS ?? 8);
const agentMs = Number(process.env.BENCH_AGENT_MS ?? 2000);

const { home, repo } = createBenchRepo('dispatch-bench-group-', 200, 50);

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
