import { spawn, type ChildProcess } from 'node:child_process';

/** What one git process came to: its output as bytes, its exit code (-1 when it never ran). */
export interface GitProcessResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
  /** The spawn error (ENOENT: no git on PATH). */
  error?: NodeJS.ErrnoException;
  /** Its output passed maxBuffer: it was killed. */
  overflowed: boolean;
}

export interface GitProcessOptions {
  cwd?: string | undefined;
  env: Record<string, string | undefined>;
  input?: string | undefined;
  /** Its own process group (a remote call, stopped whole by limitGroup). */
  detached: boolean;
  maxBuffer: number;
  /** Called with the pid once git is started. */
  onSpawn?: (pid: number | undefined) => void;
}

// Git children still running when dispatch exits (an error, a second Ctrl-C) go with it.
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killRunning(): void {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Runs git with node's own spawn (never a shell): one git call costs a fraction of what a
 * general process library spends on option handling, and runs add up to a dozen per run.
 */
export function runGitProcess(args: readonly string[], opts: GitProcessOptions): Promise<GitProcessResult> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', killRunning);
  }
  return new Promise((resolve) => {
    const child = spawn('git', args, {
      cwd: opts.cwd,
      env: opts.env,
      detached: opts.detached,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    running.add(child);
    opts.onSpawn?.(child.pid);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    let overflowed = false;
    let spawnError: NodeJS.ErrnoException | undefined;
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > opts.maxBuffer) {
        if (!overflowed) child.kill('SIGKILL');
        overflowed = true;
        return;
      }
      into.push(chunk);
    };
    child.stdout?.on('data', collect(stdout));
    child.stderr?.on('data', collect(stderr));
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
    });
    if (opts.input !== undefined && child.stdin) {
      // git may exit before reading all of it (EPIPE): its exit code tells what happened.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
    child.on('close', (code) => {
      running.delete(child);
      resolve({
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr),
        exitCode: typeof code === 'number' ? code : -1,
        ...(spawnError ? { error: spawnError } : {}),
        overflowed,
      });
    });
  });
}
