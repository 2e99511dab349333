import { chmod, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeCliVersion } from '../../src/executors/cli-version.js';
import { codexTarget } from '../../src/executors/codex-native.js';
import { getExecutor } from '../../src/executors/registry.js';
import { FAKE_TRIPLE, writeFakeCodexInstall, writeInstalledFile } from '../helpers/fake-codex-install.js';

// A real executable that counts how often it is asked, as a `codex --version` would be.
async function writeCli(path: string, version: string, counter: string): Promise<void> {
  const temp = `${path}.new`;
  await writeFile(temp, `#!/bin/sh\necho asked >> '${counter}'\necho 'codex-cli ${version}'\n`);
  await chmod(temp, 0o755);
  await rename(temp, path);
}

const askedCount = async (counter: string) => (await readFile(counter, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;

describe('the cached CLI version probe', () => {
  let dir: string;
  let bin: string;
  let counter: string;
  let cacheFile: string;
  const codex = getExecutor('codex');
  const probe = () => probeCliVersion(codex, bin, { PATH: process.env.PATH ?? '/usr/bin:/bin' }, dir, cacheFile);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dispatch-version-cache-'));
    bin = join(dir, 'codex');
    counter = join(dir, 'asked');
    cacheFile = join(dir, 'home', 'cache', 'cli-versions.json');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('asks an unchanged binary once, then answers from the cache', async () => {
    await writeCli(bin, '0.169.0', counter);
    expect((await probe()).version).toBe('0.169.0');
    expect((await probe()).version).toBe('0.169.0');
    expect(await askedCount(counter)).toBe(1);
  });

  it('asks again when the binary is replaced (upgrade), and reports the new version', async () => {
    await writeCli(bin, '0.169.0', counter);
    await probe();
    await writeCli(bin, '0.170.0', counter);
    const info = await probe();
    expect(info.version).toBe('0.170.0');
    expect(info.warning).toContain('0.170.0 differs from the tested 0.169.0');
    expect(await askedCount(counter)).toBe(2);
  });

  it('follows a symlinked binary to the file it names', async () => {
    const { symlink } = await import('node:fs/promises');
    await writeCli(join(dir, 'real-codex'), '0.169.0', counter);
    await symlink(join(dir, 'real-codex'), bin);
    await probe();
    await writeCli(join(dir, 'real-codex'), '0.171.0', counter);
    expect((await probe()).version).toBe('0.171.0');
  });

  it('does not cache a version it could not read, and survives a damaged cache file', async () => {
    await writeFile(bin, `#!/bin/sh\necho asked >> '${counter}'\necho 'no version here'\n`);
    await chmod(bin, 0o755);
    expect((await probe()).version).toBeNull();
    expect((await probe()).warning).toContain('could not read the codex CLI version');
    expect(await askedCount(counter)).toBe(2);
    await writeCli(bin, '0.169.0', counter);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'home', 'cache'), { recursive: true });
    await writeFile(cacheFile, '{ not json');
    expect((await probe()).version).toBe('0.169.0');
    expect(JSON.parse(await readFile(cacheFile, 'utf8'))).toBeTypeOf('object');
  });

  it('without a cache file always asks (doctor)', async () => {
    await writeCli(bin, '0.169.0', counter);
    await probeCliVersion(codex, bin, { PATH: process.env.PATH ?? '' }, dir);
    await probeCliVersion(codex, bin, { PATH: process.env.PATH ?? '' }, dir);
    expect(await askedCount(counter)).toBe(2);
  });
});

describe.skipIf(codexTarget(process)?.triple !== FAKE_TRIPLE)('the version probe of an npm-installed codex', () => {
  let dir: string;
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('asks the native binary (never the launcher) and remembers the answer by that binary', async () => {
    dir = await mkdtemp(join(tmpdir(), 'dispatch-version-native-'));
    const counter = join(dir, 'asked');
    const nativeCli = (version: string) => `#!/bin/sh\necho "$CODEX_MANAGED_BY_NPM" >> '${counter}'\necho 'codex-cli ${version}'\n`;
    const install = writeFakeCodexInstall(join(dir, 'project'), nativeCli('0.169.0'));
    const cacheFile = join(dir, 'cli-versions.json');
    const probe = () => probeCliVersion(getExecutor('codex'), install.bin, { PATH: process.env.PATH ?? '/usr/bin:/bin' }, dir, cacheFile);
    expect(await probe()).toMatchObject({ version: '0.169.0', warning: null });
    expect(await probe()).toMatchObject({ version: '0.169.0' });
    // Asked once, with the launcher's variables (the launcher exits 99 when run).
    expect(await readFile(counter, 'utf8')).toBe('1\n');
    // A new platform package under the same launcher is asked again.
    writeInstalledFile(install.native, nativeCli('0.170.0'), 0o755);
    expect((await probe()).version).toBe('0.170.0');
  });
});
