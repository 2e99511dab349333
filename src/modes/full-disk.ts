import { appendFile } from 'node:fs/promises';
import { InfraError } from '../errors.js';
import { dropPartialLine } from '../lifecycle/reconcile-run.js';
import { describeDiskFull, isDiskFull } from '../runs/disk-space.js';
import { releaseReserve } from '../runs/disk-reserve.js';
import { writeSummary } from '../runs/run-dir.js';
import type { RunContext } from './run-context.js';

/**
 * The last write of a run on a full disk: if even summary.json cannot be written, its
 * previous complete version stays (`running`) and the next command settles it; dispatch
 * says so in one line (exit 3) instead of crashing.
 */
export async function writeFinalSummary(ctx: RunContext): Promise<void> {
  try {
    await writeSummary(ctx.paths, ctx.summary);
  } catch (error) {
    if (!isDiskFull(error)) throw error;
    throw new InfraError(
      `${describeDiskFull(diskPathOf(error, ctx))}; summary.json of ${ctx.summary.run_id} could not be written`,
      'free space; the next dispatch command settles the run',
    );
  }
}

/** A log that stopped on a full disk makes the run `infra` (error.kind disk_full): its output is incomplete. */
export async function diskFullOfLogs(ctx: RunContext): Promise<{ kind: string; message: string } | null> {
  const failed = [ctx.outputLog.failure, ctx.eventLog.failure].find((failure) => failure !== undefined && isDiskFull(failure));
  if (!failed) return null;
  const message = describeDiskFull(diskPathOf(failed, ctx), 'output.log and events.jsonl are incomplete; the agent was stopped');
  await releaseReserve(ctx.paths.dir);
  return { kind: 'disk_full', message };
}

/**
 * Runs a step that writes (the diff capture); on a full disk it returns the one-line reason
 * instead, measured before the run's reserve is freed for the final summary.
 */
export async function unlessDiskFull<T>(ctx: RunContext, step: () => Promise<T>): Promise<{ value: T } | { diskFull: string }> {
  try {
    return { value: await step() };
  } catch (error) {
    if (!isDiskFull(error)) throw error;
    const diskFull = describeDiskFull(diskPathOf(error, ctx));
    await releaseReserve(ctx.paths.dir);
    return { diskFull };
  }
}

export function diskPathOf(error: unknown, ctx: RunContext): string {
  const path = (error as NodeJS.ErrnoException | undefined)?.path;
  return typeof path === 'string' ? path : ctx.paths.dir;
}

/**
 * events.jsonl stopped by a full disk ends in half a line and lacks run.finished: once the
 * reserve is freed, the half line is cut and run.finished appended, so every line parses.
 */
export async function settleEventLog(ctx: RunContext): Promise<void> {
  if (!ctx.eventLog.failure) return;
  const { summary } = ctx;
  const event = { ts: ctx.now().toISOString(), type: 'run.finished', status: summary.status, outcome: summary.outcome, exit_code: summary.exit_code };
  try {
    await dropPartialLine(ctx.paths.events);
    await appendFile(ctx.paths.events, `${JSON.stringify(event)}\n`);
  } catch {
    // Still no room: the next reader skips a line that does not parse.
  }
}
