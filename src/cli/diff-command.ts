import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { resolveRunRef } from '../runs/find-run.js';
import { resolveHome } from '../runs/home.js';
import type { CliIo } from './io.js';

/** `dispatch diff <run-id>`: the run's diff.patch, coloured on a terminal, byte for byte otherwise. */
export function createDiffCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('diff')
    .description("print a run's diff.patch (pipe it to `git apply`)")
    .argument('<run-id>', 'run id, unique prefix or suffix, `latest`, or the run directory')
    .option('--home <dir>', 'where runs/ and repos/ live (env DISPATCH_HOME)')
    .action(async (ref: string, flags: { home?: string }) => {
      const run = resolveRunRef(resolveHome(flags.home, io.env).runsDir, ref, 'run');
      const patch = await readPatch(run.dir, run.id);
      if (patch.length === 0) {
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
