import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProgram } from '../../src/cli/program.js';
import { processIo } from '../../src/cli/io.js';
import { dispatchBin, projectRoot, runCli, testEnv } from '../helpers/run-cli.js';

// bin/dispatch runs the bundle with V8's code cache: ~/.cache/outpost/code-<bundle>-<v8>-<arch>-<command>.v8.
let home: string;
let cacheDir: string;
let env: Record<string, string>;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'dispatch-code-cache-'));
  cacheDir = join(home, 'user-home', '.cache', 'outpost');
  mkdirSync(join(home, 'user-home'), { recursive: true });
  // testEnv shares one cache between test files; these tests look at a cache of their own.
  env = testEnv(home, { XDG_CACHE_HOME: undefined });
});

afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

const bundleId = () => readFileSync(join(projectRoot, 'dist', 'dispatch.cjs.id'), 'utf8').trim();
const cacheFiles = (dir = cacheDir) => {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
};
const fileOf = (command: string) => `code-${bundleId()}-${process.versions.v8}-${process.arch}-${command}.v8`;

describe('the code cache of bin/dispatch', () => {
  it('is written by a command\'s first start and read, not rewritten, by the next', async () => {
    const first = await runCli(['list'], { env });
    expect(first.exitCode).toBe(0);
    expect(cacheFiles()).toEqual([fileOf('list')]);
    const made = statSync(join(cacheDir, fileOf('list')));
    expect(made.size).toBeGreaterThan(10_000);
    expect(made.mode & 0o777).toBe(0o600);

    const second = await runCli(['list'], { env });
    expect(second).toEqual(first);
    // A cache V8 rejected would be written again (a new file renamed over it).
    const kept = statSync(join(cacheDir, fileOf('list')));
    expect({ ino: kept.ino, mtimeMs: kept.mtimeMs }).toEqual({ ino: made.ino, mtimeMs: made.mtimeMs });
  });

  it('keeps one cache per command: printing the version does not stand in for a run', async () => {
    expect((await runCli(['--version'], { env })).exitCode).toBe(0);
    expect((await runCli(['list', '--limit', '1'], { env })).exitCode).toBe(0);
    // A repo word means the default command, run (here a missing repo: a usage error after start-up).
    expect((await runCli(['/nonexistent/repo', 'task'], { env })).exitCode).not.toBe(0);
    expect(cacheFiles()).toEqual([fileOf('flags'), fileOf('list'), fileOf('run')].sort());
  });

  it('that is damaged or truncated is replaced, and the command runs as if there were none', async () => {
    const clean = await runCli(['list'], { env });
    const file = join(cacheDir, fileOf('list'));
    const good = readFileSync(file);
    for (const damaged of [Buffer.from('not a code cache at all'), good.subarray(0, good.length >> 1), Buffer.alloc(0)]) {
      writeFileSync(file, damaged);
      const result = await runCli(['list'], { env });
      expect(result).toEqual(clean);
      expect(readFileSync(file).length).toBeGreaterThan(10_000);
    }
  });

  it('keeps the caches of the two newest other bundles for the same command when it writes its own, not older ones', async () => {
    mkdirSync(cacheDir, { recursive: true });
    const named = (id: string, command: string) => `code-${id}-${process.versions.v8}-${process.arch}-${command}.v8`;
    const [oldest, older, newer] = ['0123456789abcdef0123456789abcde0', '0123456789abcdef0123456789abcde1', '0123456789abcdef0123456789abcde2'].map((id) => named(id, 'list'));
    const otherCommand = named('0123456789abcdef0123456789abcdef', 'show');
    [oldest, older, newer, otherCommand].forEach((name, index) => {
      writeFileSync(join(cacheDir, name ?? ''), 'old');
      // Written in that order, a minute apart.
      const at = new Date(Date.now() - (10 - index) * 60_000);
      utimesSync(join(cacheDir, name ?? ''), at, at);
    });
    expect((await runCli(['list'], { env })).exitCode).toBe(0);
    expect(cacheFiles()).toEqual([fileOf('list'), older, newer, otherCommand].sort());
  });

  it('goes to $XDG_CACHE_HOME/outpost when it is set, and nowhere with DISPATCH_CODE_CACHE=off', async () => {
    const xdg = join(home, 'xdg-cache');
    expect((await runCli(['list'], { env: { ...env, XDG_CACHE_HOME: xdg } })).exitCode).toBe(0);
    expect(cacheFiles(join(xdg, 'outpost'))).toEqual([fileOf('list')]);
    expect(cacheFiles()).toEqual([]);

    expect((await runCli(['list'], { env: { ...env, DISPATCH_CODE_CACHE: 'off' } })).exitCode).toBe(0);
    expect(cacheFiles()).toEqual([]);
  });

  it('that cannot be written costs nothing but time: no output, the same exit code', async () => {
    const clean = await runCli(['list'], { env: { ...env, DISPATCH_CODE_CACHE: 'off' } });
    // A file where the cache directory should be, then a directory that cannot be written.
    writeFileSync(join(home, 'user-home', '.cache'), 'in the way');
    expect(await runCli(['list'], { env })).toEqual(clean);
    rmSync(join(home, 'user-home', '.cache'));
    mkdirSync(cacheDir, { recursive: true });
    chmodSync(cacheDir, 0o500);
    try {
      expect(await runCli(['list'], { env })).toEqual(clean);
      // root writes anyway; anyone else finds the directory as it was.
      if (process.getuid?.() !== 0) expect(cacheFiles()).toEqual([]);
    } finally {
      chmodSync(cacheDir, 0o700);
    }
    const noHome = testEnv(home, { HOME: undefined, XDG_CACHE_HOME: undefined });
    expect(await runCli(['list'], { env: noHome })).toEqual(clean);
  });

  it('that a full disk cuts short leaves no part of itself behind', async (context) => {
    // A 64 KB tmpfs (root only, as in CI): room for the directory, not for a 400 KB cache.
    const small = join(home, 'small-disk');
    mkdirSync(small);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', small], { stdio: 'pipe' });
    } catch {
      context.skip('cannot mount a tmpfs here (needs root)');
    }
    try {
      const clean = await runCli(['list'], { env: { ...env, DISPATCH_CODE_CACHE: 'off' } });
      expect(await runCli(['list'], { env: { ...env, XDG_CACHE_HOME: small } })).toEqual(clean);
      expect(readdirSync(join(small, 'outpost'))).toEqual([]);
    } finally {
      execFileSync('umount', ['-l', small]);
    }
  });

  it('knows every subcommand of the CLI by name', () => {
    const listed = /const COMMANDS = \[([^\]]*)\]/.exec(readFileSync(dispatchBin, 'utf8'))?.[1];
    const inBin = [...(listed ?? '').matchAll(/'([a-z-]+)'/g)].map((match) => match[1]).sort();
    const program = createProgram(processIo(), () => undefined);
    expect(inBin).toEqual(program.commands.map((command) => command.name()).sort());
  });
});
