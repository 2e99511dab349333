// A big repository (20,000 files / 100 MB by default): a no-op dispatch against
// `git worktree add` alone from a bare mirror of the same repo.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBenchRepo, fakeAgent } from '../bench-repo.mjs';
import { alternate, medianOf, runChecked } from '../lib/measure.mjs';

export async function benchBigRepo({ rounds, dispatchers, files }) {
  const started = Date.now();
  // 5 KB a file: 20,000 files make 100 MB.
  const { home, repo } = createBenchRepo('dispatch-bench-big-', files, 5120 / 64);
  writeFileSync(join(repo, '.gitignore'), 'build/\n');
  const createMs = Date.now() - started;
  try {
    const mirror = join(home, 'mirror.git');
    execFileSync('git', ['clone', '-q', '--bare', repo, mirror]);
    const variants = {
      git_worktree_add: (round) => runChecked('git worktree add', 'git', ['--git-dir', mirror, 'worktree', 'add', '-q', '--detach', join(home, `wt-${round}`), 'HEAD'], {}),
    };
    for (const [label, bin] of Object.entries(dispatchers)) {
      const env = { ...process.env, DISPATCH_HOME: join(home, `home-${label}`), CODEX_BIN: fakeAgent, OPENAI_API_KEY: 'sk-bench-000000000000000000000' };
      await runChecked(`dispatch (${label})`, process.execPath, [bin, '--quiet', repo, '[scenario:noop] warm-up'], { env });
      variants[`dispatch_${label}`] = () => runChecked(`dispatch (${label})`, process.execPath, [bin, '--quiet', repo, '[scenario:noop] bench'], { env });
    }
    const results = await alternate(rounds, variants);
    const out = { files, repo_mb: Math.round((files * 5120) / 2 ** 20), create_ms: createMs, git_worktree_add: { wall_ms: medianOf(results.git_worktree_add, 'ms'), cpu_ms: medianOf(results.git_worktree_add, 'cpuMs') } };
    for (const label of Object.keys(dispatchers)) {
      const list = results[`dispatch_${label}`];
      const wall = medianOf(list, 'ms');
      out[`dispatch_${label}`] = { wall_ms: wall, cpu_ms: medianOf(list, 'cpuMs'), vs_worktree_add: Number((wall / out.git_worktree_add.wall_ms).toFixed(2)) };
    }
    return out;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
