import { Command } from 'commander';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { GroupRecord } from '../runs/group-record.js';
import { resolveHome } from '../runs/home.js';
import type { CliIo } from './io.js';

/** `dispatch compare <group-id>`: a group's members side by side, with files touched and diff similarity. */
export function createCompareCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('compare')
    .description("a group's runs side by side: outcome, check, diffstat, tokens, files touched, diff similarity, winner")
    .argument('<group-id>', 'group id (or prefix, suffix, `latest`), or the id of one of its runs')
    .option('--json', 'print the comparison as JSON')
    .option('--home <dir>', 'where runs/ and repos/ live (env DISPATCH_HOME)')
    .action(async (ref: string, flags: { json?: boolean; home?: string }) => {
      const runsDir = resolveHome(flags.home, io.env).runsDir;
      const record = await readGroup(runsDir, ref);
      const { buildComparison, renderComparison } = await import('../report/compare-report.js');
      const comparison = buildComparison(record, await readMemberPatches(runsDir, record));
      const columns = (io.stdout as { columns?: number }).columns;
      io.stdout.write(flags.json ? `${JSON.stringify(comparison, null, 2)}\n` : renderComparison(comparison, columns));
      setExitCode(0);
    });
}

/** The group's group.json, found from a group ref or from the ref of one of its runs. */
async function readGroup(runsDir: string, ref: string): Promise<GroupRecord> {
  const [{ readGroupRecord, readRunSummary }, { resolveRunRef }] = await Promise.all([import('../runs/read-run.js'), import('../runs/find-run.js')]);
  const found = resolveRunRef(runsDir, ref, ref === 'latest' ? 'group' : 'any');
  let groupId = found.id;
  if (found.kind === 'run') {
    const summary = await readRunSummary(found.dir);
    if (!summary?.group_id) throw new UsageError(`run ${found.id} is not part of a group`, 'compare takes a group id; see `dispatch list`');
    groupId = summary.group_id;
  }
  const record = await readGroupRecord(join(runsDir, groupId));
  if (!record) throw new UsageError(`group ${groupId} has no readable group.json`, 'it may still be starting, or was pruned');
  return record;
}

/** Each started member's diff.patch as text, by run id; members without one are left out. */
async function readMemberPatches(runsDir: string, record: GroupRecord): Promise<Map<string, string>> {
  const { readRunPatch } = await import('../runs/run-dir.js');
  const patches = new Map<string, string>();
  for (const member of record.members) {
    if (member.run_id === null) continue;
    const patch = await readRunPatch(join(runsDir, member.run_id));
    if (patch !== null) patches.set(member.run_id, patch);
  }
  return patches;
}
