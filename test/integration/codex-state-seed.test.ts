import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codexTarget } from '../../src/executors/codex-native.js';
import { seedCodexState } from '../../src/executors/codex-state-seed.js';
import { FAKE_TRIPLE, writeFakeCodexInstall, writeInstalledFile } from '../helpers/fake-codex-install.js';
import { missingPinnedClis } from '../helpers/e2e-env.js';
import { skipE2eSuite } from '../helpers/e2e-gate.js';
import { CODEX_BIN } from '../model-server/cli-harness.js';

// A stand-in codex that records how it was asked and sets up "databases" as codex does.
async function writeCli(path: string, body: string): Promise<void> {
  const temp = `${path}.new`;
  await writeFile(temp, `#!/bin/sh\necho "$CODEX_HOME|$HOME|\${OPENAI_API_KEY:-none}|$*" >> '${path}.asked'\n${body}\n`);
  await chmod(temp, 0o755);
  await rename(temp, path);
}

const asked = async (bin: string) => (await readFile(`${bin}.asked`, 'utf8').catch(() => '')).split('\n').filter(Boolean);

describe('seeding a run home with codex empty databases', () => {
  let dir: string;
  let cache: string;
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', OPENAI_API_KEY: 'sk-user-0123456789abcdefghijkl', HOME: '/nonexistent-user-home' };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dispatch-codex-seed-'));
    cache = join(dir, 'cache');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const newHome = async (name: string) => {
    const home = join(dir, name);
    await mkdir(home, { mode: 0o700 });
    return home;
  };

  it('makes the databases once per binary, in a home without the login, and copies them into every run home', async () => {
    const bin = join(dir, 'codex');
    await writeCli(bin, [
      'printf db > "$CODEX_HOME/state_5.sqlite"; printf wal > "$CODEX_HOME/state_5.sqlite-wal"; printf shm > "$CODEX_HOME/state_5.sqlite-shm"',
      'printf db > "$CODEX_HOME/logs_2.sqlite"; mkdir "$CODEX_HOME/sessions"; printf x > "$CODEX_HOME/installation_id"; exit 1',
    ].join('\n'));
    const first = await newHome('run-1');
    const second = await newHome('run-2');
    // codex's own file in a home (used before) is kept.
    await writeFile(join(second, 'logs_2.sqlite'), 'theirs');

    expect(await seedCodexState(first, bin, cache, env)).toBe(3);
    expect(await seedCodexState(second, bin, cache, env)).toBe(3);

    const calls = await asked(bin);
    expect(calls).toHaveLength(1);
    const [codexHome, home, apiKey, args] = (calls[0] ?? '').split('|');
    expect(codexHome).toBe(home);
    expect(codexHome).toContain(join(cache, 'codex-state'));
    expect(apiKey).toBe('none');
    expect(args).toMatch(/^exec --json --skip-git-repo-check -C \S+ -$/);

    expect((await readdir(first)).sort()).toEqual(['logs_2.sqlite', 'state_5.sqlite', 'state_5.sqlite-wal']);
    expect(await readFile(join(first, 'state_5.sqlite-wal'), 'utf8')).toBe('wal');
    expect((await stat(join(first, 'state_5.sqlite'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(second, 'logs_2.sqlite'), 'utf8')).toBe('theirs');
    // The kept copy holds the databases alone, and no scratch directory is left.
    const [template, ...others] = await readdir(join(cache, 'codex-state'));
    expect(others).toEqual([]);
    expect((await readdir(join(cache, 'codex-state', template ?? ''))).sort()).toEqual(['logs_2.sqlite', 'state_5.sqlite', 'state_5.sqlite-wal']);
  });

  it('makes them once for runs that start together', async () => {
    const bin = join(dir, 'codex');
    await writeCli(bin, 'sleep 0.2; printf db > "$CODEX_HOME/state_5.sqlite"');
    const homes = await Promise.all([1, 2, 3, 4].map((i) => newHome(`run-${i}`)));
    expect(await Promise.all(homes.map((home) => seedCodexState(home, bin, cache, env)))).toEqual([1, 1, 1, 1]);
    expect(await asked(bin)).toHaveLength(1);
  });

  it('remembers a binary that makes no databases so, and a changed binary is asked again', async () => {
    const bin = join(dir, 'codex');
    await writeCli(bin, 'exit 0');
    expect(await seedCodexState(await newHome('run-1'), bin, cache, env)).toBe(0);
    expect(await seedCodexState(await newHome('run-2'), bin, cache, env)).toBe(0);
    expect(await asked(bin)).toHaveLength(1);
    // An upgrade (a new file at the same path) makes its own.
    await writeCli(bin, 'printf db > "$CODEX_HOME/state_6.sqlite"');
    const home = await newHome('run-3');
    expect(await seedCodexState(home, bin, cache, env)).toBe(1);
    expect(await readdir(home)).toEqual(['state_6.sqlite']);
    expect(await asked(bin)).toHaveLength(2);
  });

  it('drops what the binary prints: one that floods its output costs no memory', async () => {
    const bin = join(dir, 'codex');
    // 200 MB of output, then a database.
    await writeCli(bin, 'head -c 209715200 /dev/zero | tr "\\0" "x"; printf db > "$CODEX_HOME/state_5.sqlite"');
    const before = process.memoryUsage().rss;
    expect(await seedCodexState(await newHome('run-1'), bin, cache, env)).toBe(1);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 2 ** 20);
  });

  it('keeps nothing of a binary that was killed while it made them, and asks it again an hour later', async () => {
    const bin = join(dir, 'codex');
    const failing = join(dir, 'failing');
    await writeFile(failing, '');
    await writeCli(bin, `printf db > "$CODEX_HOME/state_5.sqlite"; if [ -e '${failing}' ]; then kill -9 $$; fi`);
    expect(await seedCodexState(await newHome('run-1'), bin, cache, env)).toBe(0);
    await rm(failing);
    // Within the hour: not asked again, though it would now succeed.
    expect(await seedCodexState(await newHome('run-2'), bin, cache, env)).toBe(0);
    expect(await asked(bin)).toHaveLength(1);
    const [template] = await readdir(join(cache, 'codex-state'));
    const hourAndMore = new Date(Date.now() - 61 * 60 * 1000);
    await utimes(join(cache, 'codex-state', template ?? '', 'stopped'), hourAndMore, hourAndMore);
    const home = await newHome('run-3');
    expect(await seedCodexState(home, bin, cache, env)).toBe(1);
    expect(await readdir(home)).toEqual(['state_5.sqlite']);
    expect(await asked(bin)).toHaveLength(2);
  });

  it.skipIf(codexTarget(process)?.triple !== FAKE_TRIPLE)('makes them with the native binary of an npm install, once per native binary', async () => {
    const native = (db: string) => `#!/bin/sh\necho "$CODEX_MANAGED_BY_NPM|$HOME|\${OPENAI_API_KEY:-none}" >> '${dir}/native.asked'\nprintf db > "$CODEX_HOME/${db}"\n`;
    const install = writeFakeCodexInstall(join(dir, 'project'), native('state_5.sqlite'));
    expect(await seedCodexState(await newHome('run-1'), install.bin, cache, env)).toBe(1);
    expect(await seedCodexState(await newHome('run-2'), install.bin, cache, env)).toBe(1);
    // The launcher (exit 99 if run) never ran; the native binary ran once, as the launcher would run it, with nothing of the user's.
    const calls = (await readFile(join(dir, 'native.asked'), 'utf8')).trim().split('\n');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(new RegExp(`^1\\|${cache}/codex-state/[^|]+\\|none$`));
    // A new platform package under the same launcher makes its own.
    writeInstalledFile(install.native, native('state_6.sqlite'), 0o755);
    const home = await newHome('run-3');
    expect(await seedCodexState(home, install.bin, cache, env)).toBe(1);
    expect(await readdir(home)).toEqual(['state_6.sqlite']);
  });

  it('gives nothing for a binary that is not there', async () => {
    expect(await seedCodexState(await newHome('run-1'), join(dir, 'missing-codex'), cache, env)).toBe(0);
  });
});

describe.skipIf(skipE2eSuite('codex empty databases', missingPinnedClis))('the pinned codex', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'dispatch-codex-seed-real-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('sets up its databases without a prompt, and no thread, session or login comes with them', async () => {
    const home = join(dir, 'run-home');
    await mkdir(home, { mode: 0o700 });
    const seeded = await seedCodexState(home, CODEX_BIN, join(dir, 'cache'), { PATH: process.env.PATH ?? '/usr/bin:/bin' });
    const names = await readdir(home);
    expect(seeded).toBe(names.length);
    expect(names).toContain('state_5.sqlite');
    expect(names.every((name) => /^[a-z][a-z_]*_\d+\.sqlite(?:-wal)?$/.test(name))).toBe(true);
    const [template] = await readdir(join(dir, 'cache', 'codex-state'));
    expect((await readdir(join(dir, 'cache', 'codex-state', template ?? ''))).filter((name) => !names.includes(name))).toEqual([]);
  });
});
