// One trivial task (the scripted server's `edit`) with the real pinned codex: dispatch vs raw
// `codex exec` in a ready clone (by its npm launcher, and by the native binary the launcher
// runs, as dispatch starts it) vs the shell dispatcher (clone + codex + git diff).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBenchRepo, removeLater, root, withCodeCache } from '../bench-repo.mjs';
import { alternate, medianOf, runChecked } from '../lib/measure.mjs';

const codexBin = join(root, 'node_modules', '.bin', 'codex');
const shellDispatcher = join(root, 'bench', 'shell-dispatch.sh');

export async function benchRealCodex({ rounds, dispatchers }) {
  if (!existsSync(codexBin)) return { skipped: 'the pinned codex is not installed (npm ci)' };
  const { startModelServer, codexConfigToml } = await import(join(root, 'dist', 'model-server', 'index.js'));
  const { resolveCodexCommand } = await import(join(root, 'dist', 'executors', 'codex-native.js'));
  const { home, repo } = createBenchRepo('dispatch-bench-codex-', 50, 20);
  const server = await startModelServer();
  try {
    const codexHome = join(home, 'codex-home');
    mkdirSync(codexHome, { recursive: true });
    writeFileSync(join(codexHome, 'config.toml'), codexConfigToml(server.url));
    const env = { PATH: process.env.PATH, HOME: join(home, 'user-home'), CODEX_HOME: codexHome, GIT_CONFIG_NOSYSTEM: '1' };
    mkdirSync(env.HOME, { recursive: true });
    const codexArgs = (ws) => ['exec', '--json', '-s', 'workspace-write', '--skip-git-repo-check', '-C', ws, '-'];
    const task = 'bench: create hello.txt';
    const variants = {
      raw_codex: async (round) => {
        const ws = join(home, `raw-${round}`);
        execFileSync('git', ['clone', '-q', repo, ws]);
        return runChecked('codex exec', codexBin, codexArgs(ws), { env, cwd: ws, input: task });
      },
      raw_codex_native: async (round) => {
        const ws = join(home, `native-${round}`);
        execFileSync('git', ['clone', '-q', repo, ws]);
        const native = resolveCodexCommand(codexBin, env);
        return runChecked('native codex exec', native.bin, codexArgs(ws), { env: native.env, cwd: ws, input: task });
      },
      shell_dispatcher: async () => runChecked('shell dispatcher', shellDispatcher, [repo, join(home, 'shell'), task, codexBin, ...codexArgs('.')], { env }),
    };
    for (const [label, bin] of Object.entries(dispatchers)) {
      const dispatchEnv = withCodeCache({ ...env, DISPATCH_HOME: join(home, `home-${label}`) }, join(home, `cache-${label}`));
      variants[`dispatch_${label}`] = () => runChecked(`dispatch (${label})`, process.execPath, [bin, '--quiet', repo, task], { env: dispatchEnv });
    }
    const results = await alternate(rounds, variants);
    return summarize(results, Object.keys(dispatchers));
  } finally {
    await server.close();
    removeLater(home);
  }
}

function summarize(results, labels) {
  const out = {};
  for (const [name, list] of Object.entries(results)) out[name] = { wall_ms: medianOf(list, 'ms'), cpu_ms: medianOf(list, 'cpuMs') };
  for (const label of labels) {
    const d = out[`dispatch_${label}`];
    d.vs_raw_codex = Number((d.wall_ms / out.raw_codex.wall_ms).toFixed(2));
    d.vs_shell = Number((d.wall_ms / out.shell_dispatcher.wall_ms).toFixed(2));
    d.vs_raw_native = Number((d.wall_ms / out.raw_codex_native.wall_ms).toFixed(2));
  }
  return out;
}
