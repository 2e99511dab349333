import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { runGit } from '../repos/git.js';
import { pruneDamagedMirrors } from './prune-damaged-mirrors.js';
import { withRepoLock } from '../repos/repo-lock.js';
import { removeWorktree } from '../repos/worktree.js';
import { clearWorkspacePools } from '../repos/workspace-pool.js';
import { diskUsage } from '../runs/disk-usage.js';
import { listEntryIds } from '../runs/find-run.js';
import { compareRunIds, parseEntryId } from '../runs/run-id.js';
import type { DispatchHome } from '../runs/home.js';
import { readGroupRecord, readRunSummary } from '../runs/read-run.js';

export interface PruneOptions {
  /** Runs that started longer ago than this are removed. */
  olderThanMs?: number | undefined;
  /** The newest N runs are always kept. */
  keep?: number | undefined;
  workspacesOnly: boolean;
  dryRun: boolean;
  now: Date;
}

export interface PruneReport {
  runs: string[];
  workspaces: string[];
  groups: string[];
  /** Runs that matched but are still running: never touched. */
  skippedRunning: string[];
  /** `repos/*.git.damaged-*` copies kept by a mirror repair, older than --older-than. */
  damagedMirrors: string[];
  /** Worktrees parked for reuse (repos/<slug>.pool/*): every prune clears them. */
  pooledWorkspaces: number;
  bytesFreed: number;
}

const isGroupId = (id: string) => parseEntryId(id)?.executor === 'group';
const DEFAULT_OLDER_THAN_MS = 14 * 86_400_000;

/** Picks the runs to prune from their ids alone (newest first is kept). Pure. */
export function selectPrunable(runIds: string[], opts: Pick<PruneOptions, 'olderThanMs' | 'keep' | 'now'>): string[] {
  const olderThanMs = opts.olderThanMs ?? (opts.keep === undefined ? DEFAULT_OLDER_THAN_MS : undefined);
  const newestFirst = [...runIds].sort(compareRunIds).reverse();
  return newestFirst.filter((id, index) => {
    if (opts.keep !== undefined && index < opts.keep) return false;
    return olderThanMs === undefined || (parseEntryId(id)?.startedMs ?? 0) < opts.now.getTime() - olderThanMs;
  });
}

/**
 * Removes old runs' worktrees (and `git worktree prune`s the mirrors) and, unless
 * workspacesOnly, their run directories, groups left empty and old damaged mirror copies;
 * never a running run.
 */
export async function pruneRuns(home: DispatchHome, opts: PruneOptions): Promise<PruneReport> {
  const report: PruneReport = { runs: [], workspaces: [], groups: [], skippedRunning: [], damagedMirrors: [], pooledWorkspaces: 0, bytesFreed: 0 };
  const ids = listEntryIds(home.runsDir);
  for (const id of selectPrunable(ids.filter((entry) => !isGroupId(entry)), opts)) {
    const dir = join(home.runsDir, id);
    const summary = await readRunSummary(dir);
    if (summary?.status === 'running') {
      report.skippedRunning.push(id);
      continue;
    }
    const workspace = join(dir, 'workspace');
    // A resume still working in this run's workspace holds its lock.
    if (existsSync(`${workspace}.resume-lock`)) {
      report.skippedRunning.push(id);
      continue;
    }
    report.bytesFreed += await diskUsage(opts.workspacesOnly ? workspace : dir);
    if (existsSync(workspace)) {
      report.workspaces.push(id);
      if (!opts.dryRun) await removeWorkspace(workspace);
    }
    if (opts.workspacesOnly) continue;
    report.runs.push(id);
    if (!opts.dryRun) await rm(dir, { recursive: true, force: true });
  }
  if (!opts.workspacesOnly) {
    await pruneEmptyGroups(home, ids, report, opts.dryRun);
    const damaged = await pruneDamagedMirrors(home.reposDir, { olderThanMs: opts.olderThanMs ?? DEFAULT_OLDER_THAN_MS, now: opts.now, dryRun: opts.dryRun });
    report.damagedMirrors = damaged.names;
    report.bytesFreed += damaged.bytes;
  }
  const pooled = await clearWorkspacePools(home.reposDir, opts.dryRun);
  report.pooledWorkspaces = pooled.entries.length;
  report.bytesFreed += pooled.bytes;
  if (!opts.dryRun) await pruneMirrors(home.reposDir);
  return report;
}

/** The mirror a worktree belongs to, from its `.git` file (`gitdir: <mirror>/worktrees/<name>`). */
function mirrorOf(workspace: string): string | undefined {
  try {
    const gitdir = /^gitdir: (.+)$/m.exec(readFileSync(join(workspace, '.git'), 'utf8'))?.[1];
    return gitdir ? resolve(dirname(dirname(gitdir.trim()))) : undefined;
  } catch {
    return undefined;
  }
}

async function removeWorkspace(workspace: string): Promise<void> {
  const mirror = mirrorOf(workspace);
  if (mirror && existsSync(mirror)) await removeWorktree(mirror, workspace);
  await rm(workspace, { recursive: true, force: true });
}

async function pruneEmptyGroups(home: DispatchHome, ids: string[], report: PruneReport, dryRun: boolean): Promise<void> {
  const removed = new Set(report.runs);
  for (const id of ids.filter(isGroupId)) {
    const dir = join(home.runsDir, id);
    const record = await readGroupRecord(dir);
    if (record?.status === 'running') continue;
    const members = (record?.members ?? []).map((member) => member.run_id).filter((runId): runId is string => runId !== null);
    const left = members.filter((runId) => !removed.has(runId) && existsSync(join(home.runsDir, runId)));
    if (left.length > 0) continue;
    report.groups.push(id);
    report.bytesFreed += await diskUsage(dir);
    if (!dryRun) await rm(dir, { recursive: true, force: true });
  }
}

async function pruneMirrors(reposDir: string): Promise<void> {
  if (!existsSync(reposDir)) return;
  for (const name of readdirSync(reposDir).filter((entry) => entry.endsWith('.git'))) {
    // Under the mirror's lock: a prune must not meet a dispatch adding a worktree.
    await withRepoLock(reposDir, name.slice(0, -'.git'.length), () =>
      runGit([`--git-dir=${join(reposDir, name)}`, 'worktree', 'prune'], { allowFailure: true }),
    );
  }
}
