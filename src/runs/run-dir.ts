import { readdirSync, rmSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isProcessAlive } from '../process/process-identity.js';
import { writeFileAtomically, writeJsonAtomically } from './atomic-write.js';
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

const NEW_DIR = /^\.new-.+-(\d+)$/;

/**
 * Creates the run directory with its task.md and first summary.json, all at once: they are
 * written under a hidden name and the directory is renamed into place, so a run directory
 * is either complete or absent whenever the dispatcher dies. Fails if the run id is taken.
 */
export async function createRunDir(paths: RunPaths, task: string, summary: RunSummary): Promise<void> {
  const runsDir = dirname(paths.dir);
  await mkdir(runsDir, { recursive: true });
  removeAbandonedNewDirs(runsDir);
  const staging = join(runsDir, `.new-${basename(paths.dir)}-${process.pid}`);
  await mkdir(staging);
  try {
    await writeFile(join(staging, basename(paths.task)), task, { flag: 'wx' });
    await writeJsonAtomically(join(staging, basename(paths.summary)), summary);
    // Never replaces an existing run: rename fails on a non-empty directory (ENOTEMPTY).
    await rename(staging, paths.dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Hidden run directories whose dispatcher died before it renamed them into place. */
function removeAbandonedNewDirs(runsDir: string): void {
  for (const name of readdirSync(runsDir)) {
    const pid = NEW_DIR.exec(name)?.[1];
    if (pid !== undefined && !isProcessAlive(Number(pid), null)) rmSync(join(runsDir, name), { recursive: true, force: true });
  }
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
