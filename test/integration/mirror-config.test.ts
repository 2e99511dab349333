import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildFilterGuardEnv } from '../../src/repos/config-guard.js';
import { parseOwnConfig, readOwnConfig, writeMirrorConfig } from '../../src/repos/mirror-config.js';
import { gitIn, makeTempDir } from '../helpers/git-fixtures.js';

// The mirror's config is read without git when it is exactly what dispatch wrote; then it
// must mean to dispatch exactly what it means to git, and anything else must go to git.

let home: string;
let mirror: string;

beforeEach(async () => {
  home = await makeTempDir('outpost-mirror-config-');
  mirror = join(home, 'm.git');
  await gitIn(home, ['init', '--quiet', '--bare', mirror]);
});
afterEach(() => rm(home, { recursive: true, force: true }));

async function listedByGit(): Promise<string[][]> {
  const out = await gitIn(mirror, ['config', '--file', join(mirror, 'config'), '--null', '--list']);
  return out.split('\0').filter((item) => item !== '').map((item) => [item.slice(0, item.indexOf('\n')), item.slice(item.indexOf('\n') + 1)]);
}

describe("the mirror config dispatch wrote, read without git", () => {
  it.each([
    ['plain', [], 'https://example.com/r.git'],
    ['an identity with non-ASCII, quotes, backslashes and a tab', [['user.name', 'Zoë "the agent" \\ Ł\tx'], ['user.email', 'z@example.com']], '/srv/repos/my repo'],
    ['sha256 objects and kept core settings', [['extensions.objectformat', 'sha256'], ['core.logallrefupdates', 'true'], ['core.symlinks', 'false']], 'ssh://git@example.com/a/b.git'],
  ])('%s: the same entries git lists', async (_name, kept, url) => {
    await writeMirrorConfig(mirror, url, [['core.repositoryformatversion', kept.some(([k]) => k === 'extensions.objectformat') ? '1' : '0'], ...(kept as Array<[string, string]>)]);
    const ours = readOwnConfig(mirror);
    expect(ours).toBeDefined();
    expect(ours).toEqual(await listedByGit());
  });

  it.each([
    ['a filter an agent added', '[filter "pwn"]\n\tsmudge = touch /tmp/pwned\n'],
    ['an include', '[include]\n\tpath = /tmp/evil\n'],
    ['worktree config switched on', '[extensions]\n\tworktreeconfig = true\n'],
    ['a comment', '# hello\n'],
    ['a key git wrote unquoted', '[user]\n\tname = Agent\n'],
    ['an fsmonitor', '[core]\n\tfsmonitor = "touch /tmp/pwned"\n'],
  ])('is left to git once it holds %s', async (_name, extra) => {
    await writeMirrorConfig(mirror, '/srv/r', []);
    await appendFile(join(mirror, 'config'), extra);
    expect(readOwnConfig(mirror)).toBeUndefined();
  });

  it('is left to git when cut short, in CRLF, empty, upper-cased or holding a control character', async () => {
    await writeMirrorConfig(mirror, '/srv/r', []);
    const text = await readFile(join(mirror, 'config'), 'latin1');
    expect(parseOwnConfig(text)).toBeDefined();
    for (const changed of [text.slice(0, -1), text.replace(/\n/g, '\r\n'), '', text.replace('[core]', '[Core]'), text.replace('/srv/r', '/srv/\x01r')]) {
      expect(parseOwnConfig(changed)).toBeUndefined();
    }
  });

  it('spares the filter guard its git call only while no filter can be defined', async () => {
    await writeMirrorConfig(mirror, '/srv/r', []);
    expect(await buildFilterGuardEnv(mirror, [`--git-dir=${mirror}`], mirror)).toEqual({});
    await gitIn(mirror, ['config', 'filter.pwn.smudge', 'touch /tmp/pwned']);
    expect(await buildFilterGuardEnv(mirror, [`--git-dir=${mirror}`], mirror)).toMatchObject({ GIT_CONFIG_KEY_0: 'filter.pwn.clean', GIT_CONFIG_VALUE_0: '' });
    await writeFile(join(mirror, 'config'), '');
    expect(readOwnConfig(mirror)).toBeUndefined();
  });
});
