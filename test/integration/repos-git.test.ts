import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfraError } from '../../src/errors.js';
import { findSubcommand, pickErrorLine, runGit, runGitBuffer } from '../../src/repos/git.js';
import { createFixtureRepo, type FixtureRepo } from '../helpers/git-fixtures.js';

let fixture: FixtureRepo;

beforeAll(async () => {
  fixture = await createFixtureRepo();
});

afterAll(async () => {
  await fixture.cleanup();
});

async function catchError(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('runGit', () => {
  it('returns stdout without its final newline', async () => {
    const result = await runGit(['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: fixture.path });
    expect(result).toEqual({ stdout: 'main', stderr: '', exitCode: 0 });
  });

  it('throws a one-line InfraError naming the subcommand', async () => {
    const error = await catchError(runGit(['-C', fixture.path, 'rev-parse', '--verify', 'no-such-ref'], {}));
    expect(error).toBeInstanceOf(InfraError);
    expect(error.message).toBe('git rev-parse failed (exit 128): fatal: Needed a single revision');
  });

  it('says git is missing, in one line with the fix, when it is not on PATH', async () => {
    const error = await catchError(runGit(['--version'], { cwd: fixture.path, env: { PATH: join(fixture.path, 'no-bin-here') } }));
    expect(error).toBeInstanceOf(InfraError);
    expect(error.message).toBe('git is not installed or not on PATH');
  });

  it('hands input to git on stdin and returns raw bytes with runGitBuffer', async () => {
    const sha = (await runGit(['hash-object', '-w', '--stdin'], { cwd: fixture.path, input: 'bytes \u00e9\n' })).stdout;
    const blob = await runGitBuffer(['cat-file', 'blob', sha], { cwd: fixture.path });
    expect(blob.stdout.equals(Buffer.from('bytes \u00e9\n'))).toBe(true);
  });

  it('returns failures as data with allowFailure', async () => {
    const result = await runGit(['rev-parse', '--verify', '--quiet', 'no-such-ref'], { cwd: fixture.path, allowFailure: true });
    expect(result.exitCode).toBe(1);
  });

  it('redacts credentials from its errors', async () => {
    // git itself redacts URLs in transport errors, but echoes unknown pathspecs as given.
    const args = ['ls-files', '--error-unmatch', '--', 'https://bot:s3cret@git.example.com/x.git'];
    const error = await catchError(runGit(args, { cwd: fixture.path }));
    expect(error).toBeInstanceOf(InfraError);
    expect(error.message).toMatch(/^git ls-files failed \(exit 1\): error: pathspec 'https:\/\/git\.example\.com\/x\.git'/);
    expect(error.message).not.toMatch(/s3cret|bot/);
  });

  it('overrides hooks and fsmonitor from any config file', async () => {
    await fixture.git(['config', 'core.fsmonitor', 'touch /tmp/outpost-never']);
    await fixture.git(['config', 'core.hooksPath', '/tmp/outpost-hooks']);
    try {
      const fsmonitor = await runGit(['config', 'core.fsmonitor'], { cwd: fixture.path });
      const hooksPath = await runGit(['config', 'core.hooksPath'], { cwd: fixture.path });
      expect([fsmonitor.stdout, hooksPath.stdout]).toEqual(['false', '/dev/null']);
    } finally {
      await fixture.git(['config', '--unset', 'core.fsmonitor']);
      await fixture.git(['config', '--unset', 'core.hooksPath']);
    }
  });

  it('ignores GIT_DIR and GIT_INDEX_FILE inherited from a parent git', async () => {
    process.env.GIT_DIR = '/nonexistent/outpost.git';
    process.env.GIT_INDEX_FILE = '/nonexistent/index';
    try {
      const result = await runGit(['rev-parse', '--show-toplevel'], { cwd: fixture.path });
      expect(result.stdout).toBe(fixture.path);
    } finally {
      delete process.env.GIT_DIR;
      delete process.env.GIT_INDEX_FILE;
    }
  });

  it('passes input on stdin', async () => {
    const result = await runGit(['hash-object', '--stdin'], { cwd: fixture.path, input: 'hello\n' });
    expect(result.stdout).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });
});

describe('runGitBuffer', () => {
  it('returns bytes untouched, final newline and NULs included', async () => {
    const result = await runGitBuffer(['cat-file', 'blob', 'HEAD:assets/logo.bin'], { cwd: fixture.path });
    expect(Buffer.isBuffer(result.stdout)).toBe(true);
    expect(result.stdout.equals(await readFile(join(fixture.path, 'assets/logo.bin')))).toBe(true);
  });
});

describe('pickErrorLine', () => {
  it('prefers fatal/error lines and redacts before shortening', () => {
    expect(pickErrorLine('Preparing worktree\nfatal: it broke\n')).toBe('fatal: it broke');
    const long = `fatal: ${'x'.repeat(290)} https://bot:${'s'.repeat(50)}@host/x`;
    expect(pickErrorLine(long)).not.toContain('sss');
    expect(pickErrorLine(long).length).toBeLessThanOrEqual(301);
  });
});

describe('findSubcommand', () => {
  it('skips global options', () => {
    expect(findSubcommand(['-c', 'a=b', '-C', '/x', '--git-dir=/m.git', 'fetch', '--prune'])).toBe('fetch');
    expect(findSubcommand(['--version'])).toBe('git');
  });
});
