#!/usr/bin/env node
// `npm run bench`: every dispatch benchmark in one run, printed as a table and written to
// BENCHMARKS.md (machine, versions, method, figures). Not a test.
//   --quick             fewer rounds and smaller inputs (a few minutes)
//   --compare DIR       also measure the dispatch built in DIR (DIR/bin/dispatch), alternating
//                       with this checkout's, e.g. a copy of bin/ and dist/ from before a change
//   --only a,b          only these sections: codex, noop, parallel, remote, big, flood, list
//   --out FILE          where to write the report (BENCHMARKS.md); --no-write to only print
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { probeFileCreation, removeDeferred, root } from './bench-repo.mjs';
import { renderReport, renderTable, writeReport } from './lib/report.mjs';
import { benchBigRepo } from './sections/big-repo.mjs';
import { benchFlood, benchNoop, benchParallel } from './sections/fake-agent.mjs';
import { benchList } from './sections/list-runs.mjs';
import { benchRealCodex } from './sections/real-codex.mjs';
import { benchRemoteRepo } from './sections/remote-repo.mjs';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    compare: { type: 'string' },
    'compare-label': { type: 'string', default: 'before' },
    only: { type: 'string' },
    out: { type: 'string', default: join(root, 'BENCHMARKS.md') },
    'no-write': { type: 'boolean', default: false },
  },
});

// Node loads NODE_EXTRA_CA_CERTS at every start (90 ms per node process on this machine, where the
// sandbox sets it for its own proxy). It would weigh on every variant's node processes, raw agents
// included, and is not part of what dispatch costs: every measured process runs without it.
const droppedEnv = ['NODE_EXTRA_CA_CERTS'].filter((name) => process.env[name] !== undefined);
for (const name of droppedEnv) delete process.env[name];

const quick = values.quick;
const dispatchers = { ...(values.compare ? { [values['compare-label']]: join(values.compare, 'bin', 'dispatch') } : {}), now: join(root, 'bin', 'dispatch') };
const settings = {
  quick,
  rounds: quick ? 3 : 7,
  bigFiles: quick ? 5_000 : 20_000,
  floodMb: quick ? 200 : 1024,
  listRuns: 10_000,
};
// In this order: the sections that create many small files (a worktree per run) come before the
// big repo, whose rounds delete 20,000-file worktrees (see removeLater in bench-repo.mjs).
const sections = {
  codex: () => benchRealCodex({ rounds: settings.rounds, dispatchers }),
  noop: () => benchNoop({ rounds: settings.rounds, dispatchers }),
  parallel: () => benchParallel({ rounds: quick ? 2 : 5, dispatchers }),
  remote: () => benchRemoteRepo({ rounds: settings.rounds, dispatchers }),
  big: () => benchBigRepo({ rounds: quick ? 3 : 5, dispatchers, files: settings.bigFiles }),
  flood: () => benchFlood({ rounds: quick ? 1 : 2, dispatchers, floodMb: settings.floodMb }),
  list: () => benchList({ rounds: settings.rounds, dispatchers, runs: settings.listRuns, instructions: !quick }),
};
const chosen = values.only ? values.only.split(',') : Object.keys(sections);
for (const name of chosen) {
  if (!sections[name]) throw new Error(`unknown section ${name}; one of ${Object.keys(sections).join(', ')}`);
}
const results = {};
const fileCreateUs = {};
const startedAt = new Date();
const loadBefore = (await import('node:os')).loadavg();
process.on('exit', removeDeferred);
for (const name of Object.keys(sections).filter((section) => chosen.includes(section))) {
  const t0 = Date.now();
  // What earlier sections wrote is written back now, not during this one's rounds.
  execFileSync('sync');
  fileCreateUs[name] = probeFileCreation();
  process.stderr.write(`bench: ${name} (creating a file: ${fileCreateUs[name]} µs)…\n`);
  results[name] = await sections[name]();
  process.stderr.write(`bench: ${name} done in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}
removeDeferred();
const context = { settings, dispatchers, droppedEnv, startedAt, finishedAt: new Date(), loadBefore, loadAfter: (await import('node:os')).loadavg(), fileCreateUs };
process.stdout.write(renderTable(results, Object.keys(dispatchers)));
if (!values['no-write']) {
  writeReport(values.out, renderReport(results, context));
  process.stderr.write(`bench: wrote ${values.out}\n`);
}
