#!/usr/bin/env node
// Benchmark (not a test): `dispatch list` and `dispatch show` over 10,000 synthetic run
// directories spread over ~60 days, spawning the real bin/dispatch (run `npm run build` first).
// Prints the median of BENCH_REPEAT (3) wall times per command, in ms, as JSON.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuns } from './lib/synthetic-runs.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'dispatch');
const count = Number(process.env.BENCH_LIST_RUNS ?? 10_000);
const repeat = Number(process.env.BENCH_REPEAT ?? 3);

function time(args, env, before = () => {}) {
  const samples = [];
  for (let i = 0; i < repeat; i++) {
    before();
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.status !== 0) throw new Error(`dispatch ${args.join(' ')} failed: ${result.stderr}`);
  }
  return Math.round([...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]);
}

const home = mkdtempSync(join(tmpdir(), 'dispatch-bench-list-'));
try {
  const runsDir = join(home, 'runs');
  mkdirSync(runsDir);
  const createStart = Date.now();
  createRuns(runsDir, count);
  const env = { ...process.env, DISPATCH_HOME: home };
  const dropIndex = () => rmSync(join(runsDir, '.index.jsonl'), { force: true });
  const result = {
    runs: count,
    create_ms: Date.now() - createStart,
    startup_version_ms: time(['--version'], env),
    list_limit_20_ms: time(['list', '--limit', '20'], env),
    list_json_all_ms: time(['list', '--json'], env),
    list_outcome_agent_error_limit_20_ms: time(['list', '--outcome', 'agent_error', '--limit', '20'], env),
    // A filter almost nothing matches: every summary is read without the index, none with it.
    list_rare_label_no_index_ms: time(['list', '--label', 'rare=yes', '--limit', '100'], env, dropIndex),
    list_rare_label_with_index_ms: time(['list', '--label', 'rare=yes', '--limit', '100'], env),
    show_latest_ms: time(['show', 'latest'], env),
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  if (!process.env.BENCH_KEEP) rmSync(home, { recursive: true, force: true }); else console.error(home);
}
