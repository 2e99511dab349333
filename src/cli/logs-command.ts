import { Command } from 'commander';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { resolveHome } from '../runs/home.js';
import type { CliIo } from './io.js';

interface LogsFlags {
  follow?: boolean;
  raw?: boolean;
  json?: boolean;
  home?: string;
}

/** `dispatch logs <run-id> [-f] [--raw]`: a run's events for people, or its raw output.log. */
export function createLogsCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('logs')
    .description("print a run's events, one line each (or its raw agent output with --raw)")
    .argument('<run-id>', 'run id, unique prefix or suffix, `latest`, the run directory, or a group id (its winner)')
    .option('-f, --follow', 'keep printing new events until the run ends')
    .option('--raw', "print output.log, the agent's own stdout+stderr, as it came")
    .option('--json', 'print the normalized events as they are stored: one JSON object a line (NDJSON)')
    .option('--home <dir>', 'where runs/ and repos/ live (env DISPATCH_HOME)')
    .action(async (ref: string, flags: LogsFlags) => {
      setExitCode(await printLogs(io, ref, flags));
    });
}

async function printLogs(io: CliIo, ref: string, flags: LogsFlags): Promise<number> {
  if (flags.raw && flags.json) throw new UsageError('--raw and --json exclude each other', 'output.log is the agent\'s own text; --json prints events.jsonl');
  const { describePick, resolveRunOrGroupMember } = await import('../runs/resolve-member.js');
  const picked = await resolveRunOrGroupMember(resolveHome(flags.home, io.env).runsDir, ref);
  const note = describePick(picked, 'showing');
  if (note) io.stderr.write(`${note}\n`);
  const run = picked.ref;
  const file = join(run.dir, flags.raw ? 'output.log' : 'events.jsonl');
  // A queued run that is done: its files are collected first.
  if (!flags.follow) await followIfQueued(run.dir, io.env, false);
  if (!flags.follow && !existsSync(file)) {
    throw new UsageError(`run ${run.id} has no ${flags.raw ? 'output.log' : 'events.jsonl'}`, 'it may have failed before the agent started; see `dispatch show`');
  }
  const [{ readRunFile, splitLines }, { exitCodeForSignal, watchInterrupts }] = await Promise.all([import('../runs/follow-events.js'), import('./interrupts.js')]);
  // Ctrl-C ends a follow quietly; a closed pipe (`| head`) ends it too.
  const interrupts = watchInterrupts();
  const queued = flags.follow ? await followIfQueued(run.dir, io.env, true) : { stop: () => Promise.resolve() };
  const pipeClosed = new AbortController();
  const stopOnPipeError = () => pipeClosed.abort();
  io.stdout.on('error', stopOnPipeError);
  const signal = AbortSignal.any([interrupts.signal, pipeClosed.signal]);
  const write = (chunk: string | Buffer) => writeChunk(io.stdout, chunk, signal);
  try {
    const chunks = readRunFile(run.dir, file, { follow: flags.follow === true, signal });
    if (flags.raw) {
      for await (const chunk of chunks) await write(chunk);
    } else if (flags.json) {
      for await (const line of splitLines(chunks)) if (line.complete && line.text.trim() !== '') await write(`${line.text}\n`);
    } else {
      const { formatEventLine } = await import('../report/event-format.js');
      const { shouldUseColor } = await import('../report/term-style.js');
      const opts = { color: shouldUseColor(io.stdout as { isTTY?: boolean }, io.env) };
      // A last line with no newline is an event still being written: skip it.
      for await (const line of splitLines(chunks)) if (line.complete) await write(formatEventLine(line.text, opts));
    }
    const interrupted = interrupts.received();
    return interrupted ? exitCodeForSignal(interrupted) : 0;
  } finally {
    await queued.stop();
    io.stdout.off('error', stopOnPipeError);
    interrupts.dispose();
  }
}

/** Writes and waits when the stream asks to, so a huge output.log is not buffered in memory. */
async function writeChunk(stream: NodeJS.WritableStream, chunk: string | Buffer, signal: AbortSignal): Promise<void> {
  if (chunk.length === 0 || signal.aborted || stream.write(chunk)) return;
  try {
    await once(stream, 'drain', { signal });
  } catch {
    // aborted (Ctrl-C, closed pipe): the reader stops at its next step
  }
}

/**
 * A run on a queue: its events arrive from the worker into events.jsonl (while following),
 * and its results are collected once the job is done; the file reading below stays the same.
 */
async function followIfQueued(runDir: string, env: NodeJS.ProcessEnv, follow: boolean): Promise<{ stop: () => Promise<void> }> {
  if (!existsSync(join(runDir, 'queue.json'))) return { stop: () => Promise.resolve() };
  const { syncQueuedRun } = await import('../queue/sync-queued-run.js');
  if (!follow) {
    await syncQueuedRun(runDir, env);
    return { stop: () => Promise.resolve() };
  }
  const stopped = new AbortController();
  const following = syncQueuedRun(runDir, env, { stopSignal: stopped.signal }).catch(() => null);
  return {
    stop: async () => {
      stopped.abort();
      await following;
    },
  };
}
