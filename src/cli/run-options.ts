import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { parseDuration } from '../duration.js';
import type { SandboxMode } from '../executors/types.js';
import type { OnQuota } from '../modes/quota-wait.js';
import type { CopyItem } from '../modes/run-plan.js';
import type { CliIo } from './io.js';
import { DEFAULT_OUTPUT_CAP_BYTES } from '../runs/output-log.js';

/** The raw flags of `dispatch run`, as commander hands them over. */
export interface RunFlags {
  executor: string;
  model?: string;
  branch?: string;
  sandbox: string;
  timeout: string;
  idleTimeout: string;
  killGrace: string;
  check?: string;
  checkTimeout: string;
  setup?: string;
  setupTimeout: string;
  fetchTimeout: string;
  minFree?: string;
  copy: string[];
  attempts: string;
  concurrency: string;
  race?: boolean;
  fallback?: string;
  onQuota?: string;
  maxWait: string;
  onFinish?: string;
  budgetUsd?: string;
  budgetTokens?: string;
  apply?: boolean;
  push?: boolean;
  pr?: boolean;
  overlap?: boolean;
  lockKey?: string;
  instructions?: string;
  label: string[];
  taskFile?: string;
  json?: boolean;
  quiet?: boolean;
  keepWorkspace: boolean;
  workspacePool?: string;
  requireChanges?: boolean;
  home?: string;
}

/** DISPATCH_OUTPUT_CAP_BYTES: the output.log cap (default 200 MiB). */
export function parseOutputCap(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_OUTPUT_CAP_BYTES;
  const bytes = Number(value);
  if (!Number.isInteger(bytes) || bytes < 1024) {
    throw new UsageError(`invalid DISPATCH_OUTPUT_CAP_BYTES '${value}'`, 'use a whole number of bytes, at least 1024');
  }
  return bytes;
}

const ON_QUOTA: OnQuota[] = ['fail', 'fallback', 'wait'];

/** `--on-quota`: default fail, or fallback when --fallback is given; `fallback` needs --fallback. */
export function parseOnQuota(value: string | undefined, fallback: string | undefined): OnQuota {
  if (value === undefined) return fallback === undefined ? 'fail' : 'fallback';
  if (!(ON_QUOTA as string[]).includes(value)) throw new UsageError(`invalid --on-quota '${value}'`, `use one of: ${ON_QUOTA.join(', ')}`);
  if (value === 'fallback' && fallback === undefined) {
    throw new UsageError('--on-quota fallback needs --fallback EXECUTOR', 'add --fallback claude (or codex), or use --on-quota wait');
  }
  return value as OnQuota;
}

const SANDBOXES: SandboxMode[] = ['read-only', 'workspace-write', 'full'];

export function parseSandbox(value: string): SandboxMode {
  if ((SANDBOXES as string[]).includes(value)) return value as SandboxMode;
  throw new UsageError(`invalid --sandbox '${value}'`, `use one of: ${SANDBOXES.join(', ')}`);
}

export function parseDurationFlag(flag: string, value: string, opts: { allowZero?: boolean } = {}): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms < 0 || (ms === 0 && !opts.allowZero)) {
    throw new UsageError(`invalid ${flag} '${value}'`, 'use a duration such as 90s, 45m, 2h or 1h30m');
  }
  return ms;
}

export function parsePositiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`invalid ${flag} '${value}'`, 'use a whole number, 1 or more');
  return n;
}

/** A TCP port for a server on 127.0.0.1: 0 (any free one) to 65535. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`invalid --port '${value}'`, 'use a port number from 1 to 65535, or 0 for any free one');
  return port;
}

export function parsePositiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`invalid ${flag} '${value}'`, 'use a number above 0');
  return n;
}

/** `--label K=V` (repeatable) into a record; keys are simple names. */
export function parseLabels(values: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    const key = eq > 0 ? value.slice(0, eq) : '';
    if (!/^[A-Za-z0-9_.-]+$/.test(key)) {
      throw new UsageError(`invalid --label '${value}'`, 'use KEY=VALUE with a key of letters, digits, _ . -');
    }
    labels[key] = value.slice(eq + 1);
  }
  return labels;
}

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The task: the words after the repo, `-` for stdin, or --task-file. Exactly one source.
 * `io.stdin` is touched only for `-` (process.stdin is built on first access).
 */
export async function readTask(words: string[], taskFile: string | undefined, io: Pick<CliIo, 'stdin'>): Promise<string> {
  if (taskFile !== undefined && words.length > 0) {
    throw new UsageError('the task was given both as arguments and with --task-file', 'use one of the two');
  }
  let task: string;
  if (taskFile !== undefined) task = await readUserFile('--task-file', taskFile);
  else if (words.length === 1 && words[0] === '-') task = await readStdin(io.stdin);
  else task = words.join(' ');
  if (task.trim() === '') {
    throw new UsageError('no task given', 'pass the task after the repo, `-` to read it from stdin, or --task-file FILE');
  }
  return task;
}

export async function readUserFile(flag: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError(`cannot read ${flag} ${path}: ${reason}`, 'check the path');
  }
}

/**
 * `--copy PATH`: a path inside the current directory keeps its relative place in the
 * worktree (`--copy config/.env` → `<worktree>/config/.env`); any other lands at the root.
 */
export function parseCopyItems(paths: string[], cwd: string): CopyItem[] {
  return paths.map((path) => {
    const source = resolve(cwd, path);
    if (!existsSync(source)) throw new UsageError(`--copy ${path}: no such file or folder`, 'check the path');
    const inside = relative(cwd, source);
    const target = inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : basename(source);
    return { source, target };
  });
}
