// A big repository (20,000 files / 100 MB by default): a no-op dispatch against
// `git worktree add` alone from a bare mirror of the same repo; and a no-op dispatch with
// --no-keep-workspace, whose worktree is parked and reused by the next run (the workspace
// pool, warm after one run), against `git worktree add` + `git worktree remove`.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBenchRepo, fakeAgent, removeLater, withCodeCache } from '../bench-repo.mjs';
import { alternate, medianOf, runChecked } from '../lib/measure.mjs';

/** `git worktree add` then `git worktree remove` of the same worktree: wall and CPU summed. */
async function addAndRemove(mirror, dir) {
  const add = await runChecked('git worktree add', 'git', ['--git-dir', mirror, 'worktree', 'add', '-q', '--detach', dir, 'HEAD'], {});
  const remove = await runChecked('git worktree remove', 'git', ['--git-dir', mirror, 'worktree', 'remove', '--force', dir], {});
  return { ms: add.ms + remove.ms, cpuMs: add.cpuMs === null || remove.cpuMs === null ? null : add.cpuMs + remove.cpuMs };
}

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
      git_worktree_add_remove: (round) => addAndRemove(mirror, join(home, `wt-ar-${round}`)),
    };
    for (const [label, bin] of Object.entries(dispatchers)) {
      const env = withCodeCache({ ...process.env, DISPATCH_HOME: join(home, `home-${label}`), CODEX_BIN: fakeAgent, OPENAI_API_KEY: 'sk-bench-000000000000000000000' }, join(home, `cache-${label}`));
      await runChecked(`dispatch (${label})`, process.execPath, [bin, '--quiet', repo, '[scenario:noop] warm-up'], { env });
      variants[`dispatch_${label}`] = () => runChecked(`dispatch (${label})`, process.execPath, [bin, '--quiet', repo, '[scenario:noop] bench'], { env });
      // Its own home: the warm-up run parks its worktree, every measured run takes and parks one.
      const warmEnv = { ...env, DISPATCH_HOME: join(home, `home-${label}-warm`) };
      const warmArgs = [bin, '--quiet', '--no-keep-workspace', repo];
      await runChecked(`dispatch warm (${label})`, process.execPath, [...warmArgs, '[scenario:noop] warm-up'], { env: warmEnv });
      variants[`warm_${label}`] = () => runChecked(`dispatch warm (${label})`, process.execPath, [...warmArgs, '[scenario:noop] bench'], { env: warmEnv });
    }
    const results = await alternate(rounds, variants);
    const figures = (list) => ({ wall_ms: medianOf(list, 'ms'), cpu_ms: medianOf(list, 'cpuMs') });
    const out = { files, repo_mb: Math.round((files * 5120) / 2 ** 20), create_ms: createMs, git_worktree_add: figures(results.git_worktree_add), git_worktree_add_remove: figures(results.git_worktree_add_remove) };
    const ratio = (wall, yardstick) => Number((wall / yardstick.wall_ms).toFixed(2));
    for (const label of Object.keys(dispatchers)) {
      const cold = figures(results[`dispatch_${label}`]);
      const warm = figures(results[`warm_${label}`]);
      out[`dispatch_${label}`] = {
        ...cold,
        vs_worktree_add: ratio(cold.wall_ms, out.git_worktree_add),
        warm_wall_ms: warm.wall_ms,
        warm_cpu_ms: warm.cpu_ms,
        warm_vs_worktree_add_remove: ratio(warm.wall_ms, out.git_worktree_add_remove),
        warm_vs_worktree_add: ratio(warm.wall_ms, out.git_worktree_add),
      };
    }
    return out;
  } finally {
    removeLater(home);
  }
}
