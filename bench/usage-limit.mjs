#!/usr/bin/env node
// Benchmark (not a test): how fast a usage limit stops the real pinned agents. For each CLI,
// BENCH_RUNS dispatches against the scripted server's `usage-limit` scenario (claude with an
// OAuth token, which it needs to read the subscription headers); reports the time from the
// usage-limit event in events.jsonl to run.finished (agent stopped, diff and summary written)
// and the whole dispatch. Needs `npm run build` (dist/) and the pinned CLIs.
import { execa } from 'execa';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBenchRepo, root } from './bench-repo.mjs';

const { startModelServer, codexConfigToml, claudeEnv } = await import(join(root, 'dist', 'model-server', 'index.js'));
const runs = Number(process.env.BENCH_RUNS ?? 5);
const { home, repo } = createBenchRepo('dispatch-bench-limit-', 5, 5);
const server = await startModelServer();
const codexHome = join(home, 'codex-home');
mkdirSync(codexHome, { recursive: true });
writeFileSync(join(codexHome, 'config.toml'), codexConfigToml(server.url));
const env = {
  PATH: process.env.PATH,
  HOME: join(home, 'user-home'),
  DISPATCH_HOME: home,
  CODEX_HOME: codexHome,
  ...claudeEnv(server.url),
  CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-bench',
};
delete env.ANTHROPIC_API_KEY;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const result = { runs };
try {
  for (const agent of ['codex', 'claude']) {
    const stops = [];
    const walls = [];
    for (let i = 0; i < runs; i++) {
      const started = Date.now();
      // Asynchronously: the scripted server answers from this process.
      const run = await execa(process.execPath, [join(root, 'bin', 'dispatch'), '--quiet', '--executor', agent, repo, `[scenario:usage-limit] bench ${agent} ${i}`], { env, extendEnv: false, reject: false, timeout: 120_000 });
      walls.push(Date.now() - started);
      if (run.exitCode !== 7) throw new Error(`${agent}: expected exit 7, got ${run.exitCode}: ${run.stderr}`);
      const events = readFileSync(join(run.stdout.trim(), 'events.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
      const limit = events.find((event) => event.type === 'error' && event.fatal);
      const finished = events.find((event) => event.type === 'run.finished');
      stops.push(Date.parse(finished.ts) - Date.parse(limit.ts));
    }
    result[agent] = { limit_event_to_run_finished_ms: { median: median(stops), max: Math.max(...stops) }, dispatch_wall_ms: { median: median(walls) } };
  }
} finally {
  await server.close();
  rmSync(home, { recursive: true, force: true });
}
console.log(JSON.stringify(result, null, 2));
