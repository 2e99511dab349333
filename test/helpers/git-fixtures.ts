import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Fixed identity and dates, no system or global config: fixtures never depend on the machine. */
export const FIXTURE_GIT_ENV: Record<string, string> = {
  GIT_AUTHOR_NAME: 'Outpost Test',
  GIT_AUTHOR_EMAIL: 'test@outpost.invalid',
  GIT_COMMITTER_NAME: 'Outpost Test',
  GIT_COMMITTER_EMAIL: 'test@outpost.invalid',
  GIT_AUTHOR_DATE: '2024-01-02T03:04:05Z',
  GIT_COMMITTER_DATE: '2024-01-02T03:04:05Z',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
};

const FIXTURE_CONFIG = [
  '-c', 'init.defaultBranch=main',
  '-c', 'commit.gpgsign=false',
  '-c', 'tag.gpgsign=false',
  '-c', 'gc.auto=0',
  '-c', 'core.autocrlf=false',
];

/** Files of a new fixture repository: text, a nested file, a binary and an ignore rule. */
export const DEFAULT_FIXTURE_FILES: Record<string, string | Buffer> = {
  'README.md': '# fixture\n\nline two\n',
  'src/index.js': 'export const answer = 42;\n',
  'src/old.txt': 'to be deleted\n',
  'assets/logo.bin': Buffer.from([0, 1, 2, 3, 255, 254, 0, 10, 13, 0]),
  '.gitignore': '*.log\n',
};

/** A real repository in a temp dir, on branch main. */
export interface FixtureRepo {
  path: string;
  /** Runs git in the repository (or in cwd) with the fixture identity. */
  git(args: string[], cwd?: string): Promise<string>;
  /** Writes files and commits them all; returns the new commit id. */
  commitFiles(files: Record<string, string | Buffer>, message: string): Promise<string>;
  head(): Promise<string>;
  cleanup(): Promise<void>;
}

/** Runs git with the fixture identity and config; returns stdout without its final newline. */
export async function gitIn(cwd: string, args: string[]): Promise<string> {
  const result = await execa('git', [...FIXTURE_CONFIG, ...args], { cwd, env: FIXTURE_GIT_ENV });
  return result.stdout;
}

/** A fresh directory under the OS temp dir (symlinks resolved, so paths compare equal). */
export async function makeTempDir(prefix = 'outpost-test-'): Promise<string> {
  return realpath(await mkdtemp(join(tmpdir(), prefix)));
}

/** Writes files (creating their directories) under root. */
export async function writeFiles(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [relativePath, content] of Object.entries(files)) {
    const path = join(root, relativePath);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
}

/** Creates a repository with files committed on `main`. */
export async function createFixtureRepo(files: Record<string, string | Buffer> = DEFAULT_FIXTURE_FILES): Promise<FixtureRepo> {
  const root = await makeTempDir('outpost-fixture-');
  const path = join(root, 'repo');
  await mkdir(path);
  const git = (args: string[], cwd = path): Promise<string> => gitIn(cwd, args);
  await git(['init', '--quiet', '--initial-branch=main']);
  for (const [key, value] of [['commit.gpgsign', 'false'], ['gc.auto', '0'], ['user.name', 'Outpost Test'], ['user.email', 'test@outpost.invalid']]) {
    await git(['config', key ?? '', value ?? '']);
  }
  const commitFiles = async (more: Record<string, string | Buffer>, message: string): Promise<string> => {
    await writeFiles(path, more);
    await git(['add', '--all']);
    await git(['commit', '--quiet', '--allow-empty', '-m', message]);
    return git(['rev-parse', 'HEAD']);
  };
  await commitFiles(files, 'initial commit');
  return {
    path,
    git,
    commitFiles,
    head: () => git(['rev-parse', 'HEAD']),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** A smart-HTTP git server on 127.0.0.1 (git http-backend) that demands basic auth. */
export interface GitHttpServer {
  /** http://127.0.0.1:<port>/ */
  baseUrl: string;
  /** Authorization headers received, in order (undefined when none was sent). */
  authHeaders: Array<string | undefined>;
  /** The authorized requests, in order: `GET /team.git/info/refs?service=git-upload-pack`. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves the repositories under projectRoot; only `user:password` may read them. */
export async function startGitHttpServer(projectRoot: string, user: string, password: string): Promise<GitHttpServer> {
  const backend = join((await execa('git', ['--exec-path'])).stdout, 'git-http-backend');
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const authHeaders: Array<string | undefined> = [];
  const requests: string[] = [];
  const server = createServer((req, res) => {
    authHeaders.push(req.headers.authorization);
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="outpost-test"' }).end();
      return;
    }
    requests.push(`${req.method ?? 'GET'} ${req.url ?? '/'}`);
    serveWithBackend(backend, projectRoot, user, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    authHeaders,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function serveWithBackend(backend: string, projectRoot: string, user: string, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const header = (name: string): string => String(req.headers[name] ?? '');
  const child = spawn(backend, [], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      PATH_INFO: url.pathname,
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: header('content-type'),
      HTTP_CONTENT_ENCODING: header('content-encoding'),
      GIT_PROTOCOL: header('git-protocol'),
      REMOTE_USER: user,
      REMOTE_ADDR: '127.0.0.1',
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  req.pipe(child.stdin);
  relayCgiResponse(child.stdout, res);
}

// CGI output: header lines, a blank line, then the body.
function relayCgiResponse(stdout: NodeJS.ReadableStream, res: ServerResponse): void {
  let pending = Buffer.alloc(0);
  let headersSent = false;
  stdout.on('data', (chunk: Buffer) => {
    if (headersSent) {
      res.write(chunk);
      return;
    }
    pending = Buffer.concat([pending, chunk]);
    const end = pending.indexOf('\r\n\r\n');
    if (end === -1) return;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of pending.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else headers[name] = value;
    }
    res.writeHead(status, headers);
    headersSent = true;
    res.write(pending.subarray(end + 4));
  });
  stdout.on('end', () => res.end());
}

/** A remote that accepts connections and never answers a byte (a dead proxy, a half-open firewall). */
export interface SilentRemote {
  /** http://127.0.0.1:<port>/x.git */
  url: string;
  /** The connections made to it so far. */
  sockets: Socket[];
  close(): Promise<void>;
}

export async function startSilentRemote(): Promise<SilentRemote> {
  const sockets: Socket[] = [];
  const server = createNetServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}/x.git`,
    sockets,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
