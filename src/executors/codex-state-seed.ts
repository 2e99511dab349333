import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startAgentProcess } from '../process/agent-process.js';
import { identifyBinary } from './cli-version-cache.js';
import { resolveCodexCommand, type CodexCommand } from './codex-native.js';

/**
 * codex sets up its sqlite databases (state, logs, memories, goals, queue) in a CODEX_HOME
 * that has none and runs their migrations: ~100 ms of every run, as each run has a private
 * home of its own. The empty databases one codex binary sets up are the same every time,
 * so they are made once per binary (the native one that runs: its path, size, mtime and
 * inode) and every run gets its own copy. They are made by `codex exec` without a prompt, which sets them up and
 * exits before any thread begins, in a scratch home without a login: no thread, no account,
 * nothing of the user's is in them. A binary that makes none this way is remembered as such.
 */

/** The database files, and their write-ahead logs (codex leaves its data there); the -shm index is rebuilt on open. */
const STATE_FILE = /^[a-z][a-z_]*_\d+\.sqlite(?:-wal)?$/;
const NONE_MARKER = 'none';
// A binary stopped while it made them (the time limit, a signal) is asked again an hour later:
// a machine slow for a while (a cold start of codex took 15 s here once) must not cost every
// later run its databases, and a binary that hangs costs one run's start an hour at most.
const STOPPED_MARKER = 'stopped';
const RETRY_STOPPED_MS = 60 * 60 * 1000;
const MAKE_TIMEOUT_MS = 10_000;

/** Copies the binary's empty databases into a new run's agent home; returns how many files (0: none to give). */
export async function seedCodexState(agentHome: string, located: string, cacheDir: string, env: NodeJS.ProcessEnv): Promise<number> {
  // Nothing of the user's: no login, no config, no API key (the home is set per template).
  const command = resolveCodexCommand(located, { PATH: env.PATH ?? '/usr/bin:/bin' });
  const key = await identifyBinary(command.bin);
  if (key === null) return 0;
  const dir = join(cacheDir, 'codex-state', createHash('sha256').update(key).digest('hex').slice(0, 16));
  const files = (await listTemplate(dir)) ?? (await makeTemplateOnce(dir, command));
  for (const name of files) {
    const target = join(agentHome, name);
    try {
      await copyFile(join(dir, name), target, constants.COPYFILE_EXCL);
    } catch (error) {
      // codex's own file (a home used before) stays as it is.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    await chmod(target, 0o600);
  }
  return files.length;
}

/**
 * The template's files: [] for a binary known to make none (or stopped less than an hour ago),
 * undefined when it is not made yet (a stopped one's marker that is older is removed here).
 */
async function listTemplate(dir: string): Promise<string[] | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  if (names.includes(STOPPED_MARKER)) {
    const stoppedAt = await stat(join(dir, STOPPED_MARKER)).then((info) => info.mtimeMs, () => 0);
    if (Date.now() - stoppedAt < RETRY_STOPPED_MS) return [];
    await rm(dir, { recursive: true, force: true });
    return undefined;
  }
  return names.includes(NONE_MARKER) ? [] : names.filter((name) => STATE_FILE.test(name));
}

const ignore = () => undefined;

// The runs of one group start together: the first makes the copy, the others wait for it.
const making = new Map<string, Promise<string[]>>();

function makeTemplateOnce(dir: string, command: CodexCommand): Promise<string[]> {
  let made = making.get(dir);
  if (!made) {
    made = makeTemplate(dir, command).finally(() => making.delete(dir));
    making.set(dir, made);
  }
  return made;
}

async function makeTemplate(dir: string, command: CodexCommand): Promise<string[]> {
  const scratch = `${dir}.new-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(scratch, { recursive: true, mode: 0o700 });
  try {
    const args = ['exec', '--json', '--skip-git-repo-check', '-C', scratch, '-'];
    const invocation = { file: command.bin, args, cwd: scratch, env: { ...command.env, HOME: scratch, CODEX_HOME: scratch } };
    // Contained like an agent; whatever it prints is dropped (a CLI that floods costs no memory).
    const made = await startAgentProcess({ invocation, input: '', onStdoutLines: ignore, onStderrLines: ignore, timeoutMs: MAKE_TIMEOUT_MS, idleTimeoutMs: MAKE_TIMEOUT_MS, graceMs: 1_000 }).done;
    const names = await readdir(scratch);
    // Databases of a CLI that had to be stopped may be half made: none are kept, and it is not asked again for an hour.
    const stopped = made.stoppedBy !== null || made.signal !== null;
    const files = stopped ? [] : names.filter((name) => STATE_FILE.test(name));
    for (const name of names) if (!files.includes(name)) await rm(join(scratch, name), { recursive: true, force: true });
    if (files.length === 0) await writeFile(join(scratch, stopped ? STOPPED_MARKER : NONE_MARKER), '');
    // Another run may have made it meanwhile: then theirs is used.
    await rename(scratch, dir).catch(() => undefined);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return (await listTemplate(dir)) ?? [];
}
