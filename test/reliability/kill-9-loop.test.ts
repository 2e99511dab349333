import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readEvents, readJson, runCli, testEnv } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';
import { runDirs, sleep, startDispatch, survivorsOf } from './reliability-helpers.js';

// kill -9 of dispatch at random instants of a run whose agent forks helpers into new
// sessions: after the next command, every file parses, no temp file is visible, no run
// says "running", the counts of an abandoned run match its diff.patch, nothing survives.

const ITERATIONS = Number(process.env.DISPATCH_KILL_LOOP ?? 50);

let home: string;
let repo: string;

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-kill9-')));
afterEach(() => cleanRunHome(home));

interface Summary {
  status: string;
  files_changed: number;
  insertions: number;
  deletions: number;
}

/** What a user's `ls runs/*` may show: only the files of DESIGN §2 (and the agent's own home). */
const RUN_FILES = new Set(['task.md', 'agent-options.json', 'summary.json', 'events.jsonl', 'output.log', 'diff.patch', 'last-message.md', 'workspace', 'agent-home', 'cancel-request']);

function checkRunDir(dir: string): Summary {
  const visible = readdirSync(dir).filter((name) => !name.startsWith('.'));
  expect(visible.filter((name) => !RUN_FILES.has(name)), dir).toEqual([]);
  expect(readdirSync(dir).filter((name) => name.endsWith('.tmp')), dir).toEqual([]);
  const summary = readJson<Summary>(join(dir, 'summary.json'));
  expect(summary.status, dir).not.toBe('running');
  if (existsSync(join(dir, 'events.jsonl'))) readEvents(join(dir, 'events.jsonl'));
  const patch = join(dir, 'diff.patch');
  if (summary.status === 'abandoned' && existsSync(patch)) {
    const numstat = readFileSync(patch).length === 0 ? '' : execFileSync('git', ['apply', '--numstat', patch], { encoding: 'utf8' });
    const lines = numstat.split('\n').filter(Boolean);
    expect(summary.files_changed, dir).toBe(lines.length);
  }
  return summary;
}

describe('kill -9 of dispatch at random instants', () => {
  it(`${ITERATIONS} iterations: every file parses, nothing stays running or alive after the next command`, { timeout: 600_000 }, async () => {
    const pidfile = join(home, 'helper-pids');
    const env = testEnv(home, { FAKE_AGENT_PIDFILE: pidfile, FAKE_AGENT_LATE_MS: '30000' });
    const tally: Record<string, number> = { 'no run directory': 0 };
    const started = Date.now();
    for (let i = 0; i < ITERATIONS; i++) {
      const before = runDirs(home).length;
      const child = startDispatch(['--quiet', '--kill-grace', '500ms', repo, `fork a tree, attempt ${i} [scenario:fork-tree]`], env);
      // Spread over the whole life of a run: start-up, workspace, agent, capture, final summary.
      await sleep(Math.floor(Math.random() * 3_600));
      child.kill('SIGKILL');
      await child;
      const list = await runCli(['list', '--json', '--limit', '1000'], { env });
      expect(list.exitCode).toBe(0);
      const dirs = runDirs(home);
      if (dirs.length === before) tally['no run directory'] = (tally['no run directory'] ?? 0) + 1;
      for (const dir of dirs) checkRunDir(dir);
      const last = dirs.length > before ? dirs.at(-1) : undefined;
      if (last) {
        const status = readJson<Summary>(join(last, 'summary.json')).status;
        tally[status] = (tally[status] ?? 0) + 1;
      }
      expect(survivorsOf(pidfile, home), `iteration ${i}`).toEqual([]);
    }
    // A run directory killed before it was renamed into place stays hidden (runs/.new-<pid>-…); the next run sweeps it.
    expect((await runCli(['--quiet', repo, '[scenario:noop]'], { env })).exitCode).toBe(0);
    expect(readdirSync(join(home, 'runs')).filter((name) => name.startsWith('.new-'))).toEqual([]);
    expect(readFileSync(pidfile, 'utf8').length).toBeGreaterThan(0);
    console.log(`[measure] kill -9 loop: ${ITERATIONS} iterations in ${Date.now() - started} ms; last run of each: ${JSON.stringify(tally)}`);
  });
});
