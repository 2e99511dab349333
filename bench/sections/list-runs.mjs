// `list --limit 20` over many runs (10,000 by default), with and without the run index, and
// the bare start-up of the CLI (`--version`), in wall time and in instructions (callgrind).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuns } from '../lib/synthetic-runs.mjs';
import { removeLater, withCodeCache } from '../bench-repo.mjs';
import { alternate, countInstructions, medianOf, runChecked } from '../lib/measure.mjs';

export async function benchList({ rounds, dispatchers, runs, instructions }) {
  const home = mkdtempSync(join(tmpdir(), 'dispatch-bench-list-'));
  try {
    const runsDir = join(home, 'runs');
    mkdirSync(runsDir);
    createRuns(runsDir, runs);
    const env = { ...process.env, DISPATCH_HOME: home };
    const dropIndex = () => rmSync(join(runsDir, '.index.jsonl'), { force: true });
    const variants = {};
    for (const [label, bin] of Object.entries(dispatchers)) {
      const run = (args) => runChecked(`dispatch ${args.join(' ')} (${label})`, process.execPath, [bin, ...args], { env: withCodeCache(env, join(home, `cache-${label}`)) });
      variants[`version_${label}`] = () => run(['--version']);
      variants[`list_${label}`] = () => run(['list', '--limit', '20']);
      variants[`list_no_index_${label}`] = () => {
        dropIndex();
        return run(['list', '--limit', '20']);
      };
    }
    const results = await alternate(rounds, variants);
    const out = { runs };
    for (const label of Object.keys(dispatchers)) {
      out[`dispatch_${label}`] = {
        version_ms: medianOf(results[`version_${label}`], 'ms'),
        list_limit_20_ms: medianOf(results[`list_${label}`], 'ms'),
        list_limit_20_cpu_ms: medianOf(results[`list_${label}`], 'cpuMs'),
        list_limit_20_no_index_ms: medianOf(results[`list_no_index_${label}`], 'ms'),
      };
      if (instructions) {
        const bin = dispatchers[label];
        out[`dispatch_${label}`].version_minstr = toMillions(await countInstructions(process.execPath, [bin, '--version'], { env: withCodeCache(env, join(home, `cache-${label}`)) }));
        out[`dispatch_${label}`].list_limit_20_minstr = toMillions(await countInstructions(process.execPath, [bin, 'list', '--limit', '20'], { env: withCodeCache(env, join(home, `cache-${label}`)) }));
      }
    }
    return out;
  } finally {
    removeLater(home);
  }
}

const toMillions = (count) => (count === null ? null : Math.round(count / 1e6));
