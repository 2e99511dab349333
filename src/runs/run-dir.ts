import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeFileAtomically, writeJsonAtomically } from './atomic-write.js';
import { createWholeDir } from './whole-dir.js';
import { RESERVE_NAME, reserveContent } from './disk-reserve.js';
import type { RunSummary } from './summary.js';

/** The files of one run directory (DESIGN §2). */
export interface RunPaths {
  dir: string;
  task: string;
  outputLog: string;
  events: string;
  diff: string;
  summary: string;
  lastMessage: string;
  workspace: string;
  agentHome: string;
  checkLog: string;
  setupLog: string;
}

export function runPaths(runsDir: string, runId: string): RunPaths {
  const dir = join(runsDir, runId);
  return {
    dir,
    task: join(dir, 'task.md'),
    outputLog: join(dir, 'output.log'),
    events: join(dir, 'events.jsonl'),
    diff: join(dir, 'diff.patch'),
    summary: join(dir, 'summary.json'),
    lastMessage: join(dir, 'last-message.md'),
    workspace: join(dir, 'workspace'),
    agentHome: join(dir, 'agent-home'),
    checkLog: join(dir, 'check.log'),
    setupLog: join(dir, 'setup.log'),
  };
}

/**
 * Creates the run directory with its task.md and first summary.json, all at once
 * (whole-dir.ts): a run directory is complete or absent whenever the dispatcher dies. Its
 * disk reserve (disk-reserve.ts) comes with it.
 */
export async function createRunDir(paths: RunPaths, task: string, summary: RunSummary, extraFiles: Record<string, string> = {}): Promise<void> {
  await createWholeDir(
    paths.dir,
    {
      ...extraFiles,
      [basename(paths.task)]: task,
      [basename(paths.summary)]: `${JSON.stringify(summary, null, 2)}\n`,
      [RESERVE_NAME]: reserveContent(),
    },
    // The reserve holds its blocks from the write on; what a crash leaves of it does not matter.
    { unsynced: [RESERVE_NAME] },
  );
}

/** task.md: the task exactly as given, then the extra instructions if any. */
export function renderTaskFile(task: string, instructions: string | undefined): string {
  if (!instructions) return task;
  return `${task}\n\n---\n\n## Instructions\n\n${instructions}`;
}

export async function writeSummary(paths: RunPaths, summary: RunSummary): Promise<void> {
  await writeJsonAtomically(paths.summary, summary);
}

export async function writeDiffPatch(paths: RunPaths, patch: Buffer): Promise<void> {
  await writeFileAtomically(paths.diff, patch);
}

export async function writeLastMessage(paths: RunPaths, text: string): Promise<void> {
  await writeFileAtomically(paths.lastMessage, text.endsWith('\n') ? text : `${text}\n`);
}

/** A run's diff.patch as text, or null when it has none (still running, or failed before capture). */
export async function readRunPatch(runDir: string): Promise<string | null> {
  try {
    return await readFile(join(runDir, 'diff.patch'), 'utf8');
  } catch {
    return null;
  }
}
