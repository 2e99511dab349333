import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RepoArgError } from '../../src/errors.js';
import { parseRepoArg, redactCredentials, type RepoSpec } from '../../src/repos/repo-arg.js';
import { createFixtureRepo, gitIn, makeTempDir, type FixtureRepo } from '../helpers/git-fixtures.js';

const BASE = 'https://github.com/acme/';
const SLUG_SHAPE = /^[a-z0-9][a-z0-9._-]*$/;

let emptyDir: string;
let fixture: FixtureRepo;
let workDir: string;

beforeAll(async () => {
  emptyDir = await makeTempDir('outpost-repo-arg-');
  fixture = await createFixtureRepo({ 'README.md': 'x\n' });
  // workDir/
  //   repo -> a git repo (bare name that exists locally)
  //   team/app -> a git repo (owner/name that exists locally)
  //   bare.git -> a bare repo; plain -> not a repo
  workDir = await makeTempDir('outpost-repo-arg-work-');
  for (const dir of ['repo', 'team/app', 'deep/er/repo']) {
    await mkdir(join(workDir, dir), { recursive: true });
    await gitIn(join(workDir, dir), ['init', '--quiet']);
  }
  await gitIn(workDir, ['init', '--quiet', '--bare', 'bare.git']);
  await mkdir(join(workDir, 'plain'));
  await writeFile(join(workDir, 'plain', 'file.txt'), 'not a repo\n');
});

afterAll(async () => {
  await fixture.cleanup();
  const { rm } = await import('node:fs/promises');
  await rm(emptyDir, { recursive: true, force: true });
  await rm(workDir, { recursive: true, force: true });
});

// `null` = no DISPATCH_REMOTE_BASE (undefined would pick the default parameter).
function parse(arg: string, remoteBase: string | null = BASE, cwd = emptyDir): RepoSpec {
  return parseRepoArg(arg, { remoteBase: remoteBase ?? undefined, cwd });
}

function expectRejected(arg: string, pattern: RegExp, remoteBase: string | null = BASE, cwd = emptyDir): RepoArgError {
  let caught: unknown;
  try {
    parse(arg, remoteBase, cwd);
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected ${JSON.stringify(arg)} to be rejected`).toBeInstanceOf(RepoArgError);
  const error = caught as RepoArgError;
  expect(error.message).toMatch(pattern);
  expect(error.exitCode).toBe(2);
  return error;
}

describe('bare names', () => {
  it('resolves against DISPATCH_REMOTE_BASE ending in /', () => {
    expect(parse('widget')).toMatchObject({ kind: 'name', url: 'https://github.com/acme/widget.git', displayUrl: 'https://github.com/acme/widget.git', name: 'widget' });
  });

  it('adds a / to a base that ends in neither / nor :', () => {
    expect(parse('widget', 'https://git.example.com/acme').url).toBe('https://git.example.com/acme/widget.git');
  });

  it('appends directly to scp-like bases ending in : or /', () => {
    expect(parse('widget', 'git@github.com:acme/').url).toBe('git@github.com:acme/widget.git');
    expect(parse('widget', 'git@git.example.com:').url).toBe('git@git.example.com:widget.git');
  });

  it('accepts dots, dashes and underscores and does not double .git', () => {
    expect(parse('my.repo_1-x').url).toBe('https://github.com/acme/my.repo_1-x.git');
    expect(parse('widget.git')).toMatchObject({ url: 'https://github.com/acme/widget.git', name: 'widget' });
  });

  it('accepts an absolute path as base', () => {
    expect(parse('widget', '/srv/git/')).toMatchObject({ kind: 'name', url: '/srv/git/widget.git' });
  });

  it('keeps base credentials in url only', () => {
    const spec = parse('widget', 'https://bot:s3cret@git.example.com/acme/');
    expect(spec.url).toBe('https://bot:s3cret@git.example.com/acme/widget.git');
    expect(spec.displayUrl).toBe('https://git.example.com/acme/widget.git');
    expect(spec.slug).not.toContain('s3cret');
  });

  it('needs DISPATCH_REMOTE_BASE, and says so', () => {
    for (const base of [null, '', '  ']) {
      const error = expectRejected('widget', /DISPATCH_REMOTE_BASE is not set/, base);
      expect(error.hint).toBe('set DISPATCH_REMOTE_BASE or pass owner/name, a URL or a path');
    }
  });

  it('rejects unusable bases', () => {
    expectRejected('widget', /unsupported URL scheme 'ftp'/, 'ftp://host/');
    expectRejected('widget', /not a git URL or absolute path/, 'relative/dir/');
    expectRejected('widget', /must not start with '-'/, '-oProxyCommand=x/');
    expectRejected('widget', /remote helpers/, 'ext::sh -c x/');
    expectRejected('widget', /control characters/, 'https://host/\n/');
  });

  it('prefers an existing local git repository of that name', () => {
    const spec = parse('repo', BASE, workDir);
    expect(spec).toMatchObject({ kind: 'local', url: join(workDir, 'repo'), name: 'repo' });
  });

  it('does not take a local directory that is not a git repository', () => {
    expect(parse('plain', BASE, workDir).kind).toBe('name');
  });
});

describe('owner/name', () => {
  it('means GitHub', () => {
    expect(parse('acme/widget', null)).toMatchObject({ kind: 'github', url: 'https://github.com/acme/widget.git', name: 'widget' });
    expect(parse('acme/widget.git', null).url).toBe('https://github.com/acme/widget.git');
  });

  it('prefers an existing local repository at that relative path', () => {
    expect(parse('team/app', null, workDir)).toMatchObject({ kind: 'local', url: join(workDir, 'team/app') });
  });

  it('rejects unsafe segments', () => {
    expectRejected('acme/.hidden', /no such directory: acme\/\.hidden/);
    expectRejected('acme/-rf', /no such directory|not a git repository/);
  });
});

describe('URLs', () => {
  it.each([
    ['https://github.com/acme/widget.git', 'widget'],
    ['http://git.local:8080/team/widget', 'widget'],
    ['ssh://git@git.example.com:2222/team/widget.git', 'widget'],
    ['git+ssh://git@git.example.com/team/widget.git', 'widget'],
    ['git://git.example.com/widget.git', 'widget'],
    ['file:///srv/git/widget.git', 'widget'],
    ['git@github.com:acme/widget.git', 'widget'],
    ['git.example.com:team/widget.git', 'widget'],
    ['ssh://[::1]:22/widget.git', 'widget'],
  ])('accepts %s', (url, name) => {
    expect(parse(url)).toMatchObject({ kind: 'url', url, name });
  });

  it('strips credentials and user names from displayUrl', () => {
    expect(parse('https://user:token@git.example.com/x.git').displayUrl).toBe('https://git.example.com/x.git');
    expect(parse('https://user@git.example.com/x.git').displayUrl).toBe('https://git.example.com/x.git');
    expect(parse('https://user:p@ss@git.example.com/x.git').displayUrl).toBe('https://git.example.com/x.git');
    expect(parse('ssh://git@git.example.com/x.git').displayUrl).toBe('ssh://git.example.com/x.git');
  });

  it.each([
    ['ftp://host/x.git', /unsupported URL scheme 'ftp'/],
    ['javascript://x/y', /unsupported URL scheme/],
    ['https://', /invalid host|no repository path/],
    ['https://host', /no repository path/],
    ['https://host/', /no repository path/],
    ['https://host/a/../b.git', /'\.\.' is not allowed/],
    ['https://host/%2e%2e/b.git', /'\.\.' is not allowed/],
    ['https://host/a/..', /'\.\.' is not allowed/],
    ['file:///srv/../etc', /'\.\.' is not allowed/],
    ['git@host:../etc', /'\.\.' is not allowed/],
    ['ssh://-oProxyCommand=touch%20x/y', /invalid host/],
    ['ssh://-x@host/y', /invalid user/],
    ['https://ho st/x', /invalid host/],
    ['https://host:port/x', /invalid host/],
  ])('rejects %s', (url, pattern) => {
    expectRejected(url, pattern);
  });

  it('never echoes credentials in its errors', () => {
    const error = expectRejected('ftp://bot:s3cret@host/x.git', /unsupported/);
    expect(error.message).not.toContain('s3cret');
    expect(expectRejected('https://bot:s3cret@host/a/../b', /'\.\.'/).message).not.toContain('s3cret');
  });
});

describe('local paths', () => {
  it('accepts absolute, ./ and ../ paths to git repositories', () => {
    expect(parse(fixture.path)).toMatchObject({ kind: 'local', url: fixture.path, displayUrl: fixture.path, name: 'repo' });
    expect(parse('./repo', null, workDir).url).toBe(join(workDir, 'repo'));
    expect(parse('../repo', null, join(workDir, 'plain')).url).toBe(join(workDir, 'repo'));
    expect(parse('.', null, join(workDir, 'repo')).url).toBe(join(workDir, 'repo'));
  });

  it('accepts bare repositories and deeper relative paths', () => {
    expect(parse('./bare.git', null, workDir)).toMatchObject({ kind: 'local', name: 'bare' });
    expect(parse('deep/er/repo', null, workDir)).toMatchObject({ kind: 'local', url: join(workDir, 'deep/er/repo') });
  });

  it('rejects paths that are not git repositories', () => {
    expectRejected('/etc', /not a git repository: \/etc/);
    expectRejected('../x', /no such directory: \.\.\/x/);
    expectRejected('./plain', /not a git repository/, BASE, workDir);
    expectRejected('/nonexistent/outpost/repo', /no such directory: \/nonexistent\/outpost\/repo/);
    expectRejected('a/b/c', /no such directory: a\/b\/c/);
    // From inside workDir, so `..` is a directory this test controls (the shared /tmp may hold anything).
    expectRejected('..', /not a git repository/, BASE, join(workDir, 'deep'));
  });

  it('rejects .. inside names', () => {
    expectRejected('a/../b', /'\.\.' is not allowed in a repo name/);
    expectRejected('team/../repo', /'\.\.' is not allowed/, BASE, workDir);
  });
});

describe('hostile input', () => {
  it.each([
    ['', /empty repo argument/],
    ['   ', /empty repo argument/],
    ['-oProxyCommand=x', /must not start with '-'/],
    ['--upload-pack=touch /tmp/pwned', /must not start with '-'/],
    ['ext::sh -c touch% /tmp/pwned', /remote helpers \('ext::'\)/],
    ['EXT::sh -c x', /remote helpers/],
    ['fd::17', /remote helpers \('fd::'\)/],
    ['::x', /remote helpers/],
    ['transport::https://host/x', /remote helpers/],
    ['repo\n', /control characters/],
    ['a\u0000b', /control characters/],
    ['https://host/x\u001b[31m', /control characters/],
    ['name\u007f', /control characters/],
    ['my repo', /not a valid repo argument/],
  ])('rejects %j', (arg, pattern) => {
    expectRejected(arg, pattern);
  });
});

describe('redactCredentials', () => {
  it('removes userinfo from every URL in a text', () => {
    const text = "fatal: unable to access 'https://bot:s3cret@git.example.com/x.git/': 403; also http://u@h/y and ssh://git:pw@h/z";
    const redacted = redactCredentials(text);
    expect(redacted).toBe("fatal: unable to access 'https://git.example.com/x.git/': 403; also http://h/y and ssh://h/z");
  });

  it('handles a raw @ in the password and leaves scp-like and plain text alone', () => {
    expect(redactCredentials('https://u:p@ss@host/x')).toBe('https://host/x');
    expect(redactCredentials('git@github.com:acme/x.git and mail me@host.com')).toBe('git@github.com:acme/x.git and mail me@host.com');
    expect(redactCredentials('https://host/path@v1')).toBe('https://host/path@v1');
  });
});

describe('slugs', () => {
  const inputs = [
    'https://github.com/acme/widget.git',
    'https://GitHub.com/Acme/Widget.git',
    'ssh://git@github.com/acme/widget.git',
    'git@github.com:acme/widget.git',
    'https://host/a..b/...c.git',
    'https://host/ünï/cödé.git',
    'https://host/.hidden/-dash/x',
    `https://host/${'very-long-segment/'.repeat(20)}x.git`,
    'file:///srv/git/x.git',
    'a/b-c',
    'a-b/c',
  ];

  it('are safe file names', () => {
    for (const input of inputs) {
      const { slug } = parse(input);
      expect(slug, input).toMatch(SLUG_SHAPE);
      expect(slug, input).not.toContain('..');
      expect(slug, input).not.toContain('/');
      expect(slug.length, input).toBeLessThanOrEqual(110);
    }
    expect(parse(fixture.path).slug).toMatch(SLUG_SHAPE);
  });

  it('read well and end in a short hash', () => {
    expect(parse('https://github.com/acme/widget.git').slug).toMatch(/^github\.com-acme-widget-[0-9a-f]{8}$/);
  });

  it('never collide for different repositories', () => {
    const slugs = inputs.map((input) => parse(input).slug);
    expect(new Set(slugs).size).toBe(slugs.length);
    expect(parse('a/b-c').slug).not.toBe(parse('a-b/c').slug);
  });

  it('are stable and ignore credentials', () => {
    expect(parse('acme/widget').slug).toBe(parse('acme/widget').slug);
    expect(parse('acme/widget').slug).toBe(parse('https://github.com/acme/widget.git').slug);
    expect(parse('https://bot:tok@github.com/acme/widget.git').slug).toBe(parse('https://github.com/acme/widget.git').slug);
  });
});
