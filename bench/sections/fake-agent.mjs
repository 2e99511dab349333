// Dispatcher overhead with small fake agents: a no-op run on a small repo (wall, CPU, git and
// node processes per run), 16 parallel runs against 16 raw agents started by a shell, and an
// event flood (throughput into the run dir, dispatcher RSS).
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createBenchRepo, fakeAgent, removeLater, root, withCodeCache } from '../bench-repo.mjs';
import { alternate, medianOf, runChecked, runTimed } from '../lib/measure.mjs';

const floodAgent = join(root, 'bench', 'flood-agent.mjs');
// Each dispatch home has its install's own code cache beside it (see withCodeCache).
const baseEnv = (home) => withCodeCache({ ...process.env, DISPATCH_HOME: home, CODEX_BIN: fakeAgent, OPENAI_API_KEY: 'sk-bench-000000000000000000000' }, `${home}.cache`);

export async function benchNoop({ rounds, dispatchers }) {
  const { home, repo } = createBenchRepo('dispatch-bench-noop-', 50, 20);
  try {
    const variants = {
      fake_agent_alone: async (round) => {
        const ws = join(home, `alone-${round}`);
        execFileSync('git', ['clone', '-q', repo, ws]);
        return runChecked('fake agent', fakeAgent, ['exec', '--json', '-o', join(ws, '.last'), '-'], { cwd: ws, input: '[scenario:noop] bench', env: baseEnv(home) });
      },
    };
    for (const [label, bin] of Object.entries(dispatchers)) {
      const env = baseEnv(join(home, `home-${label}`));
      // A first run makes the mirror, as a user's first run does; the rounds measure the runs after it.
      await runChecked(`dispatch (${label})`, process.execPath, [bin, '--quiet', repo, '[scenario:noop] warm-up'], { env });
      variants[`dispatch_${label}`] = () => runChecked(`dispatch (${label})`, process.execPath, [bin, '--quiet', repo, '[scenario:noop] bench'], { env });
    }
    const results = await alternate(rounds, variants);
    const out = {};
    for (const [name, list] of Object.entries(results)) out[name] = { wall_ms: medianOf(list, 'ms'), cpu_ms: medianOf(list, 'cpuMs') };
    for (const [label, bin] of Object.entries(dispatchers)) Object.assign(out[`dispatch_${label}`], countProcesses(bin, repo, baseEnv(join(home, `home-${label}`))));
    return out;
  } finally {
    removeLater(home);
  }
}

/** Processes one no-op run starts, by strace's execve log: git ones and node ones. */
function countProcesses(bin, repo, env) {
  const log = `${env.DISPATCH_HOME}.strace`;
  try {
    execFileSync('strace', ['-f', '-qq', '-e', 'trace=execve', '-e', 'signal=none', '-o', log, process.execPath, bin, '--quiet', repo, '[scenario:noop] counted'], { env, stdio: 'ignore' });
  } catch {
    return {};
  }
  const execs = readFileSync(log, 'utf8').split('\n').filter((line) => / execve\(".*", \[/.test(line) && !line.includes('ENOENT'));
  rmSync(log, { force: true });
  return { git_processes: execs.filter((line) => /execve\("[^"]*\/git"/.test(line)).length, node_processes: execs.filter((line) => /execve\("[^"]*\/node"/.test(line)).length - 1 };
}

export async function benchParallel({ rounds, dispatchers, agentMs = 3000, n = 16 }) {
  const { home, repo } = createBenchRepo('dispatch-bench-par-', 200, 50);
  try {
    const agentEnv = { ...baseEnv(home), FAKE_AGENT_SCENARIO: 'slow-ok', FAKE_AGENT_DELAY_MS: String(agentMs) };
    const script = `for i in $(seq 1 ${n}); do (cd "$1/ws-$i" && "$2" exec --json -o .last - </dev/null >out.log 2>&1) & done; wait`;
    const variants = {
      raw_clis: async (round) => {
        const dir = join(home, `raw-${round}`);
        for (let i = 1; i <= n; i++) execFileSync('git', ['clone', '-q', repo, join(dir, `ws-${i}`)]);
        return runChecked('16 raw agents', 'bash', ['-c', script, 'bench', dir, fakeAgent], { env: agentEnv });
      },
    };
    for (const [label, bin] of Object.entries(dispatchers)) {
      const env = withCodeCache({ ...agentEnv, DISPATCH_HOME: join(home, `home-${label}`) }, join(home, `cache-${label}`));
      // A first group makes the mirror and the home's caches (codex's databases), as a user's first run does.
      await runChecked(`dispatch -n ${n} warm-up (${label})`, process.execPath, [bin, '--quiet', '-n', String(n), '--concurrency', String(n), repo, 'warm-up'], { env: { ...env, FAKE_AGENT_DELAY_MS: '0' } });
      variants[`dispatch_${label}`] = () => runChecked(`dispatch -n ${n} (${label})`, process.execPath, [bin, '--quiet', '-n', String(n), '--concurrency', String(n), repo, 'bench'], { env, rss: true });
    }
    const results = await alternate(rounds, variants);
    const out = { agent_work_ms: agentMs, raw_clis: { wall_ms: medianOf(results.raw_clis, 'ms') } };
    for (const label of Object.keys(dispatchers)) {
      const list = results[`dispatch_${label}`];
      const wall = medianOf(list, 'ms');
      out[`dispatch_${label}`] = { wall_ms: wall, vs_raw: Number((wall / out.raw_clis.wall_ms).toFixed(2)), dispatcher_rss_mb: medianOf(list, 'peakMb') };
    }
    return out;
  } finally {
    removeLater(home);
  }
}

export async function benchFlood({ rounds, dispatchers, floodMb }) {
  const { home, repo } = createBenchRepo('dispatch-bench-flood-', 5, 5);
  try {
    const variants = {};
    for (const [label, bin] of Object.entries(dispatchers)) {
      const env = { ...baseEnv(join(home, `home-${label}`)), CODEX_BIN: floodAgent, FLOOD_MB: String(floodMb) };
      // A first, small run makes the mirror and the home's caches, as a user's first run does.
      const warmUp = await runTimed(process.execPath, [bin, '--quiet', repo, 'flood'], { env: { ...env, FLOOD_MB: '1' } });
      rmSync(warmUp.stdout.trim(), { recursive: true, force: true });
      variants[`dispatch_${label}`] = async () => {
        const result = await runTimed(process.execPath, [bin, '--quiet', repo, 'flood'], { env, rss: true });
        const runDir = result.stdout.trim();
        const bytes = sizeOf(join(runDir, 'events.jsonl')) + sizeOf(join(runDir, 'output.log'));
        rmSync(runDir, { recursive: true, force: true });
        return { ...result, mbPerS: (floodMb / result.ms) * 1000, writtenMb: bytes / 2 ** 20 };
      };
    }
    const results = await alternate(rounds, variants);
    const out = { flood_mb: floodMb };
    for (const [name, list] of Object.entries(results)) {
      out[name] = { wall_ms: medianOf(list, 'ms'), mb_per_s: medianOf(list, 'mbPerS'), dispatcher_rss_mb: medianOf(list, 'peakMb'), run_dir_mb: medianOf(list, 'writtenMb'), exit_code: list[0].code };
    }
    return out;
  } finally {
    removeLater(home);
  }
}

function sizeOf(file) {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
