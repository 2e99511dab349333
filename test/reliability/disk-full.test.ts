import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processesUnder, runCli, testEnv, type CliResult } from '../helpers/run-cli.js';
import { createSampleRepo } from '../helpers/sample-repo.js';
import { runDirs } from './reliability-helpers.js';

// A real 20 MB tmpfs as the dispatch home (runs/ and repos/ on it): needs mount(2), which
// root has here and in CI. Elsewhere these tests are skipped, and say why.
const mountPoint = mkdtempSync(join(tmpdir(), 'dispatch-disk-full-'));
const mountError = tryMount(mountPoint);
if (mountError) console.warn(`disk-full tests skipped: cannot mount a tmpfs (${mountError}); they need root`);

function tryMount(dir: string): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error).trim().split('\n')[0] ?? 'mount failed';
  }
}

afterAll(() => {
  if (!mountError) execFileSync('umount', ['-l', mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

/** Fills the tmpfs with a ballast file until only `leaveBytes` are free. */
function fillDisk(leaveBytes: number): void {
  const stats = statfsSync(mountPoint);
  const free = Number(stats.bavail) * Number(stats.bsize);
  const size = Math.max(0, free - leaveBytes);
  const chunk = Buffer.alloc(1024 * 1024);
  const path = join(mountPoint, 'ballast');
  writeFileSync(path, '');
  for (let written = 0; written < size; written += chunk.length) {
    try {
      writeFileSync(path, chunk.subarray(0, Math.min(chunk.length, size - written)), { flag: 'a' });
    } catch {
      return;
    }
  }
}

function expectOneDiskLine(result: CliResult): string {
  const text = `${result.stdout}\n${result.stderr}`;
  expect(text).not.toMatch(/internal error|Unhandled|\n\s+at .+:\d+:\d+/);
  const lines = text.split('\n').filter((line) => line.startsWith('error: '));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(mountPoint);
  expect(lines[0]).toMatch(/\d+(\.\d)? (B|KB|MB) free/);
  return lines[0] ?? '';
}

function expectFinalSummary(dir: string): Record<string, unknown> {
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Record<string, unknown>;
  expect(summary).toMatchObject({ status: 'failed', outcome: 'infra', dispatch_exit_code: 3, error: { kind: 'disk_full' } });
  expect(summary.completed).not.toBeNull();
  expect(JSON.stringify(summary.error)).toContain(mountPoint);
  // Every line of events.jsonl parses, and the last says how the run ended.
  const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8').trimEnd().split('\n');
  const events = lines.map((line) => JSON.parse(line) as { type: string });
  expect(events.at(-1)?.type).toBe('run.finished');
  expect(readdirSync(dir)).not.toContain('.disk-reserve');
  return summary;
}

describe.skipIf(mountError !== null)('a full disk (a 20 MB tmpfs as the home)', () => {
  let repo: string;
  let work: string;
  beforeEach(async () => {
    work = mkdtempSync(join(tmpdir(), 'dispatch-disk-full-repo-'));
    repo = await createSampleRepo(join(work, 'src-repo'));
  });
  afterEach(() => {
    expect(processesUnder(mountPoint)).toEqual([]);
    for (const name of readdirSync(mountPoint)) rmSync(join(mountPoint, name), { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });
  const env = (extra: Record<string, string> = {}) => testEnv(mountPoint, { HOME: join(work, 'user-home'), ...extra });

  it('a run does not start with less than --min-free free: one line naming the disk, no run directory', async () => {
    const started = Date.now();
    const result = await runCli([repo, 'a task'], { env: env() });
    const elapsed = Date.now() - started;
    expect(result.exitCode).toBe(3);
    const line = expectOneDiskLine(result);
    expect(line).toMatch(/^error: only \S+ \S+ free on .*less than the 100 MB a run needs — free space or lower --min-free/);
    expect(runDirs(mountPoint)).toEqual([]);
    // The flag and DISPATCH_MIN_FREE lower it; a bad size is a usage error.
    expect((await runCli(['--min-free', '10MB', repo, 'a task'], { env: env() })).exitCode).toBe(0);
    expect((await runCli([repo, 'a task'], { env: env({ DISPATCH_MIN_FREE: '5M' }) })).exitCode).toBe(0);
    expect((await runCli(['--min-free', 'lots', repo, 'a task'], { env: env() })).exitCode).toBe(2);
    console.log(`[disk-full] refused before the run in ${elapsed} ms`);
  });

  it.each(['codex', 'claude'])('%s: an agent that fills its worktree: infra, exit 3, one line, summary final', async (executor) => {
    const started = Date.now();
    const result = await runCli(['-e', executor, repo, '[scenario:fill-disk]'], { env: env({ DISPATCH_MIN_FREE: '0' }) });
    console.log(`[disk-full] ${executor} filling its worktree: exit ${result.exitCode} after ${Date.now() - started} ms`);
    expect(result.exitCode).toBe(3);
    expectOneDiskLine(result);
    const [dir] = runDirs(mountPoint);
    const summary = expectFinalSummary(dir ?? '');
    expect(summary.warnings).toContain('diff.patch was not captured: the disk is full');
  });

  it('an agent flooding stdout on a nearly full disk: stopped, infra, exit 3, no crash', async () => {
    fillDisk(3 * 1024 * 1024);
    const started = Date.now();
    const result = await runCli([repo, '[scenario:huge]'], { env: env({ DISPATCH_MIN_FREE: '0', FAKE_AGENT_HUGE_MB: '200' }) });
    console.log(`[disk-full] stdout flood: exit ${result.exitCode} after ${Date.now() - started} ms`);
    expect(result.exitCode).toBe(3);
    expectOneDiskLine(result);
    const [dir] = runDirs(mountPoint);
    const summary = expectFinalSummary(dir ?? '');
    expect(String((summary.error as { message: string }).message)).toContain('output.log and events.jsonl are incomplete');
  });

  it('a disk already full with --min-free 0: one line, exit 3, no run directory of empty files', async () => {
    fillDisk(0);
    const result = await runCli(['--min-free', '0', repo, 'a task'], { env: env() });
    expect(result.exitCode).toBe(3);
    expect(expectOneDiskLine(result)).toMatch(/^error: the disk is full: .* has 0 B free/);
    expect(runDirs(mountPoint)).toEqual([]);
  });
});
