import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { resolveHome } from '../runs/home.js';
import type { CliIo } from './io.js';

interface DiffFlags {
  stat?: boolean;
  json?: boolean;
  home?: string;
}

/** `dispatch diff <run-id>`: the run's diff.patch, coloured on a terminal, byte for byte otherwise. */
export function createDiffCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('diff')
    .description("print a run's diff.patch (pipe it to `git apply`), or with --stat the files it changed")
    .argument('<run-id>', 'run id, unique prefix or suffix, `latest`, the run directory, or a group id (its winner)')
    .option('--stat', 'one line per changed file (+insertions -deletions path), then the totals')
    .option('--json', 'the files changed and their counts as JSON')
    .option('--home <dir>', 'where runs/ and repos/ live (env DISPATCH_HOME)')
    .action(async (ref: string, flags: DiffFlags) => {
      const { describePick, resolveRunOrGroupMember } = await import('../runs/resolve-member.js');
      const picked = await resolveRunOrGroupMember(resolveHome(flags.home, io.env).runsDir, ref);
      const note = describePick(picked, 'showing');
      if (note) io.stderr.write(`${note}\n`);
      const run = picked.ref;
      const patch = await readPatch(run.dir, run.id);
      if (flags.stat || flags.json) {
        const { statPatchFile } = await import('../repos/patch-stat.js');
        const files = patch.length === 0 ? [] : await statPatchFile(join(run.dir, 'diff.patch'), run.dir);
        const totals = { files_changed: files.length, insertions: sum(files, 'insertions'), deletions: sum(files, 'deletions') };
        if (flags.json) io.stdout.write(`${JSON.stringify({ run_id: run.id, ...totals, files }, null, 2)}\n`);
        else io.stdout.write(renderStat(files, totals));
      } else if (patch.length === 0) {
        io.stderr.write(`run ${run.id} changed nothing: its diff is empty\n`);
      } else {
        const { colorizePatch, createPalette, shouldUseColor } = await import('../report/term-style.js');
        const color = shouldUseColor(io.stdout as { isTTY?: boolean }, io.env);
        // Plain mode writes the Buffer untouched: binary hunks and odd encodings survive `git apply`.
        io.stdout.write(color ? colorizePatch(patch.toString('utf8'), createPalette(true)) : patch);
      }
      setExitCode(0);
    });
}

function sum(files: { insertions: number; deletions: number }[], key: 'insertions' | 'deletions'): number {
  return files.reduce((total, file) => total + file[key], 0);
}

function renderStat(
  files: { path: string; insertions: number; deletions: number; binary: boolean }[],
  totals: { files_changed: number; insertions: number; deletions: number },
): string {
  const counts = files.map((file) => (file.binary ? 'binary' : `+${file.insertions} -${file.deletions}`));
  const width = Math.max(0, ...counts.map((count) => count.length));
  const lines = files.map((file, index) => `${(counts[index] ?? '').padEnd(width)}  ${file.path}`);
  lines.push(`${totals.files_changed} file${totals.files_changed === 1 ? '' : 's'} changed, +${totals.insertions} -${totals.deletions}`);
  return `${lines.join('\n')}\n`;
}

/** diff.patch, or a usage error saying why the run has none. */
async function readPatch(runDir: string, runId: string): Promise<Buffer> {
  const path = join(runDir, 'diff.patch');
  const patch = await readIfExists(path);
  if (patch) return patch;
  // Reading the summary reconciles a run whose dispatcher died, which captures its partial diff.
  const { readRunSummary } = await import('../runs/read-run.js');
  const summary = await readRunSummary(runDir);
  if (summary?.status === 'running') {
    throw new UsageError(`run ${runId} is still running: diff.patch is written when it ends`, `follow it with \`dispatch logs -f ${runId}\``);
  }
  const captured = await readIfExists(path);
  if (captured) return captured;
  const ended = summary ? `it ended (${summary.outcome ?? summary.status}) before its changes were captured` : 'it has no summary.json';
  throw new UsageError(`run ${runId} has no diff.patch: ${ended}`, 'see `dispatch logs` for what happened');
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
