import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/run-cli.js';

// The README's install path: `npm pack`, then `npm install -g` of the tarball puts `dispatch` on PATH.
let root: string;
let prefix: string;
let env: Record<string, string>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'dispatch-install-'));
  prefix = join(root, 'prefix');
  await mkdir(join(root, 'user-home'), { recursive: true });
  // dist/ is built by `npm test` before any test; --ignore-scripts keeps this test from rebuilding it under the others.
  await execa('npm', ['pack', '--ignore-scripts', '--pack-destination', root], { cwd: projectRoot });
  const tarball = (await readdir(root)).find((name) => name.endsWith('.tgz')) ?? '';
  // The agent CLIs are optional dependencies: left out here, so only the dispatcher's own come from npm's cache.
  await execa('npm', ['install', '-g', '--prefix', prefix, '--omit=optional', '--prefer-offline', '--no-audit', '--no-fund', join(root, tarball)], { cwd: root });
  env = { PATH: `${join(prefix, 'bin')}:/usr/bin:/bin`, HOME: join(root, 'user-home'), GIT_CONFIG_NOSYSTEM: '1' };
}, 240_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('npm install -g of the packed tarball', () => {
  it('puts dispatch on PATH; it runs from any directory and keeps its data in ~/.local/share/outpost', async () => {
    const version = await execa('dispatch', ['--version'], { env, extendEnv: false, cwd: root });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const list = await execa('dispatch', ['list'], { env, extendEnv: false, cwd: root });
    expect(list.stdout).toContain(join(root, 'user-home', '.local', 'share', 'outpost', 'runs'));
  });

  it('hints name the command as installed: `dispatch …`, never `npx dispatch`', async () => {
    const typo = await execa('dispatch', ['lst'], { env, extendEnv: false, cwd: root, reject: false });
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain('did you mean `dispatch list`?');
  });
});
