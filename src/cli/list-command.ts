import { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { RunQuery } from '../runs/run-filter.js';
import { resolveHome } from '../runs/home.js';
import type { CliIo } from './io.js';
import { parseLabels, parsePositiveInt } from './run-options.js';

interface ListFlags {
  executor?: string;
  status?: string;
  outcome?: string;
  repo?: string;
  since?: string;
  label: string[];
  limit?: string;
  all?: boolean;
  groups?: boolean;
  json?: boolean;
  quiet?: boolean;
  home?: string;
}

const DEFAULT_LIMIT = 20;
const collect = (value: string, previous: string[]) => [...previous, value];

/** `dispatch list`: runs newest first, reading only the summaries it prints. */
export function createListCommand(io: CliIo, _setExitCode: (code: number) => void): Command {
  return new Command('list')
    .description('list runs newest first (or groups with --groups)')
    .option('-e, --executor <names>', 'only runs of this executor (or a comma list)')
    .option('--status <status>', 'only runs with this status: running, success, failed, timeout, cancelled, abandoned')
    .option('--outcome <outcome>', 'only runs with this outcome (success, no_changes, agent_error, quota, …)')
    .option('--repo <text>', 'only runs whose repo or repo URL contains this (case-insensitive)')
    .option('--since <when>', 'only runs started since a duration ago (2d, 12h) or a date (2026-01-31)')
    .option('--label <key=value>', 'only runs with this label (repeatable; all must match)', collect, [])
    .option('-n, --limit <n>', `at most this many runs (default ${DEFAULT_LIMIT}; all with --json)`)
    .option('--all', 'no limit')
    .option('--groups', 'list groups instead of runs (--since, --repo and --limit apply)')
    .option('--json', 'one summary.json per line (NDJSON), for jq')
    .option('-q, --quiet', 'only the ids, one a line')
    .option('--home <dir>', 'where runs/ and repos/ live (env DISPATCH_HOME)')
    .action(async (flags: ListFlags) => {
      const isBroken = watchBrokenPipe(io.stdout);
      const { parseRunQuery } = await import('../runs/run-filter.js');
      const query = parseRunQuery({ ...flags, labels: parseLabels(flags.label), limit: limitOf(flags) }, new Date());
      const { runsDir } = resolveHome(flags.home, io.env);
      if (flags.json && flags.quiet) throw new UsageError('--json and --quiet exclude each other', 'give one of them');
      if (flags.groups) await printGroups(io, runsDir, query, flags);
      else if (flags.json || flags.quiet) await printRunsJson(io, runsDir, query, isBroken, flags.quiet === true);
      else await printRunTable(io, runsDir, query);
    });
}

function limitOf(flags: ListFlags): number | null {
  if (flags.all && flags.limit !== undefined) throw new UsageError('--all and --limit exclude each other', 'give one of them');
  if (flags.all) return null;
  if (flags.limit !== undefined) return parsePositiveInt('--limit', flags.limit);
  return flags.json || flags.quiet ? null : DEFAULT_LIMIT;
}

async function printRunTable(io: CliIo, runsDir: string, query: RunQuery): Promise<void> {
  const [{ listRuns }, report] = await Promise.all([import('../runs/list-runs.js'), import('../report/list-report.js')]);
  const listing = await listRuns(runsDir, query);
  if (listing.runs.length === 0) return void io.stdout.write(report.renderEmptyListing(runsDir, listing.total, 'runs'));
  io.stdout.write(report.renderRunTable(listing.runs, new Date()));
  if (listing.more) io.stdout.write(report.renderMoreHint(listing.runs.length, 'runs'));
}

/** NDJSON, streamed: each summary is written as soon as it is read, and `| head` ends the listing quietly. */
async function printRunsJson(io: CliIo, runsDir: string, query: RunQuery, isBroken: () => boolean, idsOnly: boolean): Promise<void> {
  const { scanRuns } = await import('../runs/list-runs.js');
  const scan = await scanRuns(runsDir, query);
  for await (const run of scan.runs) {
    if (isBroken()) break;
    const line = idsOnly ? run.summary.run_id : JSON.stringify(run.summary);
    if (!io.stdout.write(`${line}\n`)) await waitForDrain(io.stdout, isBroken);
  }
}

/**
 * A reader that went away (`dispatch list | head`) ends the output quietly: EPIPE is not an
 * error of ours (it can come after the last write, so the listener stays). Returns whether it happened.
 */
export function watchBrokenPipe(stream: NodeJS.WritableStream): () => boolean {
  let broken = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    broken = true;
  });
  return () => broken;
}

function waitForDrain(stream: NodeJS.WritableStream, isClosed: () => boolean): Promise<void> {
  if (isClosed()) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('error', done);
  });
}

async function printGroups(io: CliIo, runsDir: string, query: RunQuery, flags: ListFlags): Promise<void> {
  const runOnly = (['executor', 'status', 'outcome'] as const).filter((flag) => flags[flag] !== undefined);
  if (runOnly.length > 0 || flags.label.length > 0) {
    throw new UsageError(`--groups lists groups: ${[...runOnly.map((flag) => `--${flag}`), ...(flags.label.length ? ['--label'] : [])].join(', ')} apply to runs only`, 'drop them, or list runs');
  }
  const [{ listGroups }, report] = await Promise.all([import('../runs/list-runs.js'), import('../report/list-report.js')]);
  const listing = await listGroups(runsDir, query);
  if (flags.json || flags.quiet) {
    for (const group of listing.groups) io.stdout.write(`${flags.quiet ? group.record.group_id : JSON.stringify(group.record)}\n`);
    return;
  }
  if (listing.groups.length === 0) return void io.stdout.write(report.renderEmptyListing(runsDir, listing.total, 'groups'));
  io.stdout.write(report.renderGroupTable(listing.groups, new Date()));
  if (listing.more) io.stdout.write(report.renderMoreHint(listing.groups.length, 'groups'));
}
