// Synthetic run directories for the `list` benchmarks: months of cron runs, deterministic.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DAY_MS = 86_400_000;
const EXECUTORS = ['codex', 'claude'];
const REPOS = ['api', 'web', 'infra', 'docs', 'mobile', 'billing', 'search', 'etl'];
// [outcome, status, weight]: mostly successes, as months of cron leave them.
const OUTCOMES = [
  ['success', 'success', 60], ['no_changes', 'success', 10], ['agent_error', 'failed', 10], ['check_failed', 'failed', 6],
  ['timeout', 'timeout', 4], ['idle_timeout', 'timeout', 2], ['quota', 'failed', 4], ['infra', 'failed', 2],
  ['cancelled', 'cancelled', 1], ['auth', 'failed', 1],
];
const WEIGHTS = OUTCOMES.reduce((sum, [, , weight]) => sum + weight, 0);

/** A deterministic pseudo-random sequence, so every bench run lists the same data. */
let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = (items) => items[Math.floor(random() * items.length)];

function pickOutcome() {
  let roll = random() * WEIGHTS;
  for (const entry of OUTCOMES) if ((roll -= entry[2]) < 0) return entry;
  return OUTCOMES[0];
}

function idOf(date, executor, n) {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${executor}-${n.toString(36).padStart(6, '0')}`;
}

function summaryOf(id, started, executor, repo, [outcome, status], n) {
  const durationMs = Math.floor(30_000 + random() * 1_500_000);
  const changed = outcome === 'success' ? 1 + Math.floor(random() * 12) : 0;
  return {
    schema: 1, run_id: id, group_id: null, repo, repo_url: `https://github.com/acme/${repo}.git`, branch: 'main', executor,
    model: executor === 'codex' ? 'gpt-5-codex' : 'claude-sonnet-4-5', mode: 'single', started: started.toISOString(),
    completed: new Date(started.getTime() + durationMs).toISOString(), duration_ms: durationMs, status, outcome,
    exit_code: status === 'success' ? 0 : 1, signal: null, before_sha: 'a'.repeat(40), after_sha: 'b'.repeat(40),
    changes: changed ? 'uncommitted' : 'none', files_changed: changed, insertions: changed * 7, deletions: changed * 2,
    session_id: `session-${n}`, final_message: `Done. ${'I changed the handler and added tests. '.repeat(12)}`,
    usage: { input_tokens: 48_000, cached_input_tokens: 30_000, output_tokens: 2_400, reasoning_tokens: 900 }, cost_usd: 0.0421,
    check: null, error: status === 'success' ? null : { kind: outcome, message: `the run ended with ${outcome}` },
    agent: { cli: executor, version: '1.0.0', tested_version: '1.0.0', argv: [executor, 'exec', '--json', '-s', 'workspace-write', '-'] },
    dispatcher_version: '0.1.0', host: 'bench-host', pid: 1, agent_pgid: null,
    labels: { job: pick(['nightly', 'deps', 'flaky-tests']), ...(n % 500 === 0 ? { rare: 'yes' } : {}) },
    parent_run_id: null, fallback_of: null, unknown_events: 0, sandbox: 'workspace-write', workspace: null, warnings: [],
  };
}

/** `count` run directories (summary.json, task.md, events.jsonl) spread over 60 days. */
export function createRuns(runsDir, count) {
  const newest = Date.now() - 60_000;
  for (let n = 0; n < count; n++) {
    const started = new Date(newest - Math.floor(((count - n) / count) * 60 * DAY_MS));
    const executor = pick(EXECUTORS);
    const id = idOf(started, executor, n);
    const dir = join(runsDir, id);
    mkdirSync(dir);
    const summary = summaryOf(id, started, executor, pick(REPOS), pickOutcome(), n);
    writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    writeFileSync(join(dir, 'task.md'), `Nightly: fix the flaky tests in ${summary.repo} (#${n})\n\nDetails follow.\n`);
    const events = [{ type: 'run.started' }, { type: 'message', text: 'working' }, { type: 'run.finished', status: summary.status }];
    writeFileSync(join(dir, 'events.jsonl'), events.map((event) => JSON.stringify({ ts: summary.started, ...event })).join('\n') + '\n');
  }
}

