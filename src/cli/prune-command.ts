import { Command } from 'commander';
import { resolveHome } from '../runs/home.js';
import type { PruneReport } from '../lifecycle/prune-runs.js';
import type { CliIo } from './io.js';
import { parseDurationFlag, parsePositiveInt } from './run-options.js';

interface PruneFlags {
  olderThan?: string;
  keep?: string;
  workspacesOnly?: boolean;
  dryRun?: boolean;
  json?: boolean;
  quiet?: boolean;
  home?: string;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** `dispatch prune`: removes old worktrees and run directories, never a running run. */
export function createPruneCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('prune')
    .description('remove old worktrees, run directories, damaged mirror copies (repos/*.git.damaged-*) and every worktree parked for reuse (repos/*.pool); never a running run; default: older than 14d')
    .option('--older-than <duration>', 'runs that started longer ago than this (default 14d unless --keep)')
    .option('--keep <n>', 'always keep the newest N runs')
    .option('--workspaces-only', 'remove only the worktrees; keep the run directories (logs, diff, summary)')
    .option('--dry-run', 'list what would be removed; remove nothing')
    .option('--json', 'print the report as JSON')
    .option('-q, --quiet', 'print nothing unless something went wrong (cron)')
    .option('--home <dir>', 'where runs/ and repos/ live (env DISPATCH_HOME)')
    .action(async (flags: PruneFlags) => {
      const { pruneRuns } = await import('../lifecycle/prune-runs.js');
      const report = await pruneRuns(resolveHome(flags.home, io.env), {
        olderThanMs: flags.olderThan === undefined ? undefined : parseDurationFlag('--older-than', flags.olderThan, { allowZero: true }),
        keep: flags.keep === undefined ? undefined : parsePositiveInt('--keep', flags.keep),
        workspacesOnly: flags.workspacesOnly === true,
        dryRun: flags.dryRun === true,
        now: new Date(),
      });
      if (flags.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else if (!flags.quiet) io.stdout.write(renderPruneReport(report, flags));
      setExitCode(0);
    });
}

function renderPruneReport(report: PruneReport, flags: PruneFlags): string {
  const lines: string[] = [];
  // A dry run lists what it would remove, so the user can check before pruning for real.
  if (flags.dryRun) {
    const worktrees = new Set(report.workspaces);
    if (flags.workspacesOnly) for (const id of report.workspaces) lines.push(`  worktree of ${id}`);
    else for (const id of report.runs) lines.push(`  run   ${id}${worktrees.has(id) ? ' (and its worktree)' : ''}`);
    if (!flags.workspacesOnly) for (const id of report.groups) lines.push(`  group ${id}`);
    for (const name of report.damagedMirrors) lines.push(`  damaged mirror copy repos/${name}`);
    if (report.pooledWorkspaces > 0) lines.push(`  ${report.pooledWorkspaces} parked worktree(s) in repos/*.pool`);
  }
  const verb = flags.dryRun ? 'would remove' : 'removed';
  const what = flags.workspacesOnly
    ? `${report.workspaces.length} worktree(s)`
    : `${report.runs.length} run(s) (${report.workspaces.length} with worktrees), ${report.groups.length} group(s)${report.damagedMirrors.length > 0 ? `, ${report.damagedMirrors.length} damaged mirror copy(ies)` : ''}`;
  const pooled = report.pooledWorkspaces > 0 ? `, ${report.pooledWorkspaces} parked worktree(s)` : '';
  lines.push(`${verb} ${what}${pooled}, ${formatBytes(report.bytesFreed)}${flags.dryRun ? '' : ' freed'}`);
  if (report.skippedRunning.length > 0) lines.push(`kept ${report.skippedRunning.length} running run(s): ${report.skippedRunning.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
