// The table and BENCHMARKS.md of `npm run bench`. Text below NOTES_MARKER in an existing
// BENCHMARKS.md (findings, what changed) is kept when the figures are rewritten.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { root } from '../bench-repo.mjs';

const NOTES_MARKER = '<!-- notes below are kept by npm run bench -->';

const ms = (value) => (value === undefined || value === null ? '–' : `${Math.round(value)} ms`);
const times = (value) => (value === undefined || value === null ? '' : ` (${value.toFixed(2)}×)`);

/** One row per goal: the yardstick's figure, then each dispatch build's figure and ratio. */
function goalRows(results, labels) {
  const rows = [];
  const per = (section, fn) => Object.fromEntries(labels.map((label) => [label, section?.[`dispatch_${label}`] ? fn(section[`dispatch_${label}`]) : '–']));
  const { codex, noop, big, parallel, remote, flood, list } = results;
  if (codex && !codex.skipped) {
    rows.push({ measure: 'real codex, trivial task: wall vs raw `codex exec`', goal: '≤ 1.3×', yardstick: ms(codex.raw_codex.wall_ms), values: per(codex, (d) => ms(d.wall_ms) + times(d.vs_raw_codex)) });
    if (codex.raw_codex_native) rows.push({ measure: 'real codex, trivial task: wall vs its native binary run directly (no npm launcher)', goal: '', yardstick: ms(codex.raw_codex_native.wall_ms), values: per(codex, (d) => ms(d.wall_ms) + times(d.vs_raw_native)) });
    rows.push({ measure: 'real codex, trivial task: wall vs shell dispatcher', goal: '≤ 1.2×', yardstick: ms(codex.shell_dispatcher.wall_ms), values: per(codex, (d) => ms(d.wall_ms) + times(d.vs_shell)) });
    rows.push({ measure: 'real codex, trivial task: CPU (user+sys, all processes)', goal: '', yardstick: `${ms(codex.raw_codex.cpu_ms)} raw, ${ms(codex.shell_dispatcher.cpu_ms)} shell`, values: per(codex, (d) => ms(d.cpu_ms)) });
  }
  if (noop) {
    rows.push({ measure: 'no-op fake agent, 50-file repo: wall', goal: '≤ 250 ms', yardstick: `${ms(noop.fake_agent_alone.wall_ms)} agent alone`, values: per(noop, (d) => ms(d.wall_ms)) });
    rows.push({ measure: 'no-op fake agent: CPU / git processes / node processes', goal: '', yardstick: ms(noop.fake_agent_alone.cpu_ms), values: per(noop, (d) => `${ms(d.cpu_ms)} / ${d.git_processes ?? '?'} / ${d.node_processes ?? '?'}`) });
  }
  if (remote && !remote.skipped) {
    for (const name of Object.keys(remote.files)) {
      rows.push({ measure: `no-op, ${remote.files[name]}-file remote repo (git daemon, ${remote.round_trip_ms} ms round trip): wall vs shell dispatcher`, goal: '', yardstick: ms(remote[`shell_${name}`].wall_ms), values: per(remote, (d) => ms(d[name]?.wall_ms) + times(d[name]?.vs_shell)) });
    }
    rows.push({ measure: 'remote repo: connections to the remote per run', goal: '', yardstick: `${remote.shell_small.connections} shell`, values: per(remote, (d) => `${d.small?.connections}`) });
  }
  if (big) rows.push({ measure: `${big.files}-file / ${big.repo_mb} MB repo, no-op: wall vs \`git worktree add\``, goal: '≤ 1.3×', yardstick: ms(big.git_worktree_add.wall_ms), values: per(big, (d) => ms(d.wall_ms) + times(d.vs_worktree_add)) });
  if (big?.git_worktree_add_remove) {
    rows.push({ measure: `${big.files}-file repo, no-op, warm workspace pool (--no-keep-workspace): wall vs \`git worktree add\` + remove`, goal: '≤ 0.5×', yardstick: ms(big.git_worktree_add_remove.wall_ms), values: per(big, (d) => (d.warm_wall_ms === undefined ? '–' : ms(d.warm_wall_ms) + times(d.warm_vs_worktree_add_remove))) });
  }
  if (parallel) {
    rows.push({ measure: `16 parallel runs (agent works ${parallel.agent_work_ms} ms) vs 16 raw CLIs from a shell`, goal: '≤ 1.15×', yardstick: ms(parallel.raw_clis.wall_ms), values: per(parallel, (d) => ms(d.wall_ms) + times(d.vs_raw)) });
    rows.push({ measure: '16 parallel runs: dispatcher peak RSS', goal: '≤ 100 MB', yardstick: '', values: per(parallel, (d) => `${Math.round(d.dispatcher_rss_mb)} MB`) });
  }
  if (flood) {
    rows.push({ measure: `${flood.flood_mb} MB event flood: throughput`, goal: '≥ 100 MB/s', yardstick: '', values: per(flood, (d) => `${Math.round(d.mb_per_s)} MB/s${d.exit_code === 0 ? '' : ` (exit ${d.exit_code})`}`) });
    rows.push({ measure: `${flood.flood_mb} MB event flood: dispatcher peak RSS`, goal: '≤ 150 MB', yardstick: '', values: per(flood, (d) => `${Math.round(d.dispatcher_rss_mb)} MB`) });
  }
  if (list) {
    rows.push({ measure: `\`list --limit 20\` over ${list.runs} runs (index present)`, goal: '≤ 300 ms', yardstick: '', values: per(list, (d) => ms(d.list_limit_20_ms)) });
    rows.push({ measure: `\`list --limit 20\` over ${list.runs} runs, index dropped first`, goal: '', yardstick: '', values: per(list, (d) => ms(d.list_limit_20_no_index_ms)) });
    rows.push({ measure: '`dispatch --version` (start-up)', goal: '', yardstick: '', values: per(list, (d) => ms(d.version_ms) + (d.version_minstr ? `, ${d.version_minstr} M instr` : '')) });
    if (Object.values(list).some((d) => d?.list_limit_20_minstr)) rows.push({ measure: '`list --limit 20`: instructions (callgrind, dispatcher process)', goal: '', yardstick: '', values: per(list, (d) => `${d.list_limit_20_minstr} M`) });
  }
  return rows;
}

/** The figures as a markdown table (also what the bench prints). */
export function renderTable(results, labels) {
  const head = `| measure | goal | yardstick | ${labels.map((label) => `dispatch (${label})`).join(' | ')} |\n|---|---|---|${labels.map(() => '---|').join('')}\n`;
  return head + goalRows(results, labels).map((row) => `| ${row.measure} | ${row.goal} | ${row.yardstick} | ${labels.map((label) => row.values[label]).join(' | ')} |`).join('\n') + '\n';
}

function versionOf(file, args) {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0];
  } catch {
    return 'not found';
  }
}

export function renderReport(results, context) {
  const labels = Object.keys(context.dispatchers);
  const load = (values) => values.map((value) => value.toFixed(2)).join(', ');
  const machine = [
    `- when: ${context.startedAt.toISOString()} to ${context.finishedAt.toISOString()}${context.settings.quick ? ' (`--quick`)' : ''}`,
    `- machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}; load average ${load(context.loadBefore)} at the start, ${load(context.loadAfter)} at the end`,
    `- versions: node ${process.version}, ${versionOf('git', ['--version'])}, codex ${versionOf(join(root, 'node_modules', '.bin', 'codex'), ['--version'])}`,
    `- builds: ${labels.map((label) => `\`${label}\` = ${context.dispatchers[label]}`).join('; ')}`,
    `- creating an empty file in the temp dir, before each section: ${Object.entries(context.fileCreateUs ?? {}).map(([section, us]) => `${section} ${us} µs`).join(', ')}`,
  ];
  const old = existsSync(join(root, 'BENCHMARKS.md')) ? readFileSync(join(root, 'BENCHMARKS.md'), 'utf8') : '';
  const notes = old.includes(NOTES_MARKER) ? old.slice(old.indexOf(NOTES_MARKER) + NOTES_MARKER.length).trim() : '';
  return `# Benchmarks

Written by \`npm run bench\` (\`npm run bench -- --quick\` for a shorter run; \`--compare DIR\` measures
another build alternately with this one). Not part of \`npm test\`.

${describeLoad(context)}

## Machine

${machine.join('\n')}

## Method

- Every variant of a section runs once per round, in an order that rotates each round; figures are
  medians over the rounds: ${context.settings.quick ? 'codex, no-op, remote repo and list 3; big repo 3; parallel 2; flood 1' : 'codex, no-op, remote repo and list 7; big repo 5; parallel 5; flood 2'}.
- Wall time is measured around the whole process; CPU is user+sys of the process and all it waited for
  (GNU time); RSS is the dispatcher's own VmHWM sampled from /proc every 20 ms; instructions are
  callgrind's count for the dispatcher process only (children not traced).${context.droppedEnv?.length ? `
- ${context.droppedEnv.map((name) => `\`${name}\``).join(', ')}, set in this machine's environment, is removed for every measured
  process: node reads it at each start (about 90 ms per node process here), for raw agents and dispatch alike.` : ''}
- Each dispatch build measured has its own code cache (\`XDG_CACHE_HOME\`, see README), as one install on
  a user's machine does; a cache is written by the build's first start in a section (its warm-up).
- real codex: the pinned codex against the scripted model server (src/model-server/, scenario \`edit\`) on
  127.0.0.1, offline; raw \`codex exec\` runs in a clone made before the clock starts, by the npm
  launcher (node_modules/.bin/codex) and by the native binary it runs (as dispatch starts it); the shell
  dispatcher is bench/shell-dispatch.sh (mirror fetch, clone, codex, git diff).
- fake agents: test/fixtures/fake-agent.mjs (no-op and 16 parallel \`slow-ok\` runs) and
  bench/flood-agent.mjs (codex JSON events of 1–8 KB a line). Each dispatch home gets one warm-up run so
  the mirror exists, as for any run after a user's first.
- remote repo: the no-op runs on a repo served by \`git daemon\` on 127.0.0.1 through a relay that holds
  every chunk for half a round trip each way (bench/lib/latency-proxy.mjs), as a forge across a network
  answers; each build's first run makes the mirror. The yardstick is the shell dispatcher on the same URL.
- Sections run in this order: real codex, no-op, parallel, remote repo, big repo, flood, list. Their temp
  homes are removed at the end of the whole bench, not after each section: on an ext4 without a journal (this
  machine's root fs) the kernel's inode allocator looks up every inode of a block group deleted in the
  last one to six minutes and passes over it, so after a mass deletion each new file costs 0.3–0.7 ms
  of kernel CPU instead of ~20 µs. Before each section the bench calls \`sync\`: the files an earlier
  section wrote are written back before, not during, the next one's rounds. After the big repo, whose
  rounds delete 20,000-file worktrees, come only sections that create few files (flood) or make theirs before the clock starts (list). The
  cost of creating a file right before each section is given under Machine.
- big repo, warm workspace pool: \`--no-keep-workspace\` runs in a home of their own; the warm-up run
  parks its worktree (repos/<slug>.pool/), every measured run takes a parked one, resets it to the base
  (\`checkout --force --detach\` + \`clean -ffdx\`) and parks it again at its end. The yardstick is
  \`git worktree add\` then \`git worktree remove\` of a worktree of the same repo, summed.

## Figures

${renderTable(results, labels)}
<details><summary>raw results (JSON)</summary>

\`\`\`json
${JSON.stringify(results, null, 2)}
\`\`\`
</details>

${NOTES_MARKER}

${notes}
`;
}

export function writeReport(file, text) {
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

/** What the load average before the first section says about how far the wall times can be trusted. */
function describeLoad(context) {
  return [describeCpuLoad(context), describeSlowFiles(context)].filter(Boolean).join('\n\n');
}

function describeCpuLoad(context) {
  const before = context.loadBefore[0];
  if (before < 1) return `Nothing else ran on the machine (load average ${before.toFixed(2)} when the benchmark started; its own runs raise it later).`;
  return `**The figures were taken under load** (load average ${before.toFixed(1)} on ${cpus().length} cores when the benchmark started), so
wall times are noisy. Read the ratios (taken within one run, from alternating rounds) and the CPU and
instruction figures, which load disturbs far less.`;
}

// Above this, creating files is the filesystem's slow state (see Method): sections that check out
// worktrees measure it more than dispatch.
const SLOW_FILE_CREATION_US = 100;

function describeSlowFiles(context) {
  const slow = Object.entries(context.fileCreateUs ?? {}).filter(([, us]) => us > SLOW_FILE_CREATION_US);
  if (slow.length === 0) return '';
  return `**Creating files was slow** before ${slow.map(([section, us]) => `${section} (${us} µs a file)`).join(', ')}: on this
filesystem that follows deletions (see Method). Those sections' wall times include it, dispatch's more than the yardsticks'.`;
}
