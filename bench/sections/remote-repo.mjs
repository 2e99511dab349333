// No-op runs on a remote repository: git daemon on 127.0.0.1 behind a relay that adds a round
// trip of ROUND_TRIP_MS (bench/lib/latency-proxy.mjs), as a forge across a network would. What
// a remote costs a run is its round trips; the yardstick is the shell dispatcher (one fetch).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBenchRepo, fakeAgent, removeLater, root, withCodeCache } from '../bench-repo.mjs';
import { startLatencyProxy } from '../lib/latency-proxy.mjs';
import { alternate, medianOf, runChecked } from '../lib/measure.mjs';

export const ROUND_TRIP_MS = 40;
const shellDispatcher = join(root, 'bench', 'shell-dispatch.sh');
// The larger one is kept small enough that its worktrees (one per round and build) do not
// weigh on the sections after this one.
const REPOS = { small: [50, 20], large: [2000, 20] };

export async function benchRemoteRepo({ rounds, dispatchers }) {
  const home = mkdtempSync(join(tmpdir(), 'dispatch-bench-remote-'));
  const served = join(home, 'served');
  mkdirSync(served);
  for (const [name, [files, lines]] of Object.entries(REPOS)) {
    const made = createBenchRepo('dispatch-bench-remote-src-', files, lines);
    execFileSync('git', ['clone', '-q', '--bare', made.repo, join(served, `${name}.git`)]);
    removeLater(made.home);
  }
  const port = await freePort();
  const daemon = spawn('git', ['daemon', `--base-path=${served}`, '--export-all', '--listen=127.0.0.1', `--port=${port}`, '--reuseaddr', served], { stdio: 'ignore' });
  let proxy;
  try {
    if (!(await waitForDaemon(port))) return { skipped: 'git daemon did not start (it comes with git: /usr/lib/git-core/git-daemon)' };
    proxy = await startLatencyProxy(port, ROUND_TRIP_MS);
    const urlOf = (name) => `git://127.0.0.1:${proxy.port}/${name}.git`;
    const env = (dir) => withCodeCache({ ...process.env, DISPATCH_HOME: dir, CODEX_BIN: fakeAgent, OPENAI_API_KEY: 'sk-bench-000000000000000000000' }, `${dir}.cache`);
    const asks = {};
    // Each variant's connections to the remote, per run.
    const counted = (name, run) => async (round) => {
      const before = proxy.connections();
      const result = await run(round);
      (asks[name] ??= []).push(proxy.connections() - before);
      return result;
    };
    const variants = {};
    for (const name of Object.keys(REPOS)) {
      const shellHome = join(home, `shell-${name}`);
      const shellArgs = [urlOf(name), shellHome, '[scenario:noop] bench', fakeAgent, 'exec', '--json', '-o', '.last', '-'];
      await runChecked('shell dispatcher', shellDispatcher, shellArgs, { env: env(shellHome) });
      variants[`shell_${name}`] = counted(`shell_${name}`, () => runChecked('shell dispatcher', shellDispatcher, shellArgs, { env: env(shellHome) }));
      for (const [label, bin] of Object.entries(dispatchers)) {
        const dispatchEnv = env(join(home, `home-${label}-${name}`));
        // A first run makes the mirror, as a user's first run does.
        await runChecked(`dispatch (${label})`, process.execPath, [bin, '--quiet', urlOf(name), '[scenario:noop] warm-up'], { env: dispatchEnv });
        variants[`dispatch_${label}_${name}`] = counted(`dispatch_${label}_${name}`, () => runChecked(`dispatch (${label})`, process.execPath, [bin, '--quiet', urlOf(name), '[scenario:noop] bench'], { env: dispatchEnv }));
      }
    }
    const results = await alternate(rounds, variants);
    const out = { round_trip_ms: ROUND_TRIP_MS, files: Object.fromEntries(Object.entries(REPOS).map(([name, [files]]) => [name, files])) };
    const connections = (name) => medianOf(asks[name].map((n) => ({ n })), 'n');
    for (const name of Object.keys(REPOS)) {
      const shell = { wall_ms: medianOf(results[`shell_${name}`], 'ms'), connections: connections(`shell_${name}`) };
      out[`shell_${name}`] = shell;
      for (const label of Object.keys(dispatchers)) {
        const key = `${label}_${name}`;
        const wall = medianOf(results[`dispatch_${key}`], 'ms');
        out[`dispatch_${label}`] = { ...out[`dispatch_${label}`], [name]: { wall_ms: wall, vs_shell: Number((wall / shell.wall_ms).toFixed(2)), connections: connections(`dispatch_${key}`) } };
      }
    }
    return out;
  } finally {
    await proxy?.close();
    daemon.kill();
    removeLater(home);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitForDaemon(port) {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      execFileSync('git', ['ls-remote', `git://127.0.0.1:${port}/small.git`], { stdio: 'ignore' });
      return true;
    } catch {
      await sleep(50);
    }
  }
  return false;
}
