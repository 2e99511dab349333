import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codexTarget } from '../../src/executors/codex-native.js';
import { FAKE_TRIPLE, writeFakeCodexInstall } from '../helpers/fake-codex-install.js';
import { fakeAgent, readJson, runCli, testEnv } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';

let home: string;
let repo: string;

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-clean-env-')));
afterEach(() => cleanRunHome(home));

/** The names of the variables the fake agent got, from the file it wrote into its workspace. */
async function agentEnvNames(args: string[], extra: Record<string, string> = {}): Promise<string[]> {
  return (await runDumpEnv(args, extra)).names;
}

async function runDumpEnv(args: string[], extra: Record<string, string>): Promise<{ names: string[]; runDir: string }> {
  const env = testEnv(home, { LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TZ: 'UTC', NOT_FOR_AGENTS: 'x', DATABASE_URL: 'postgres://u:p@db/x', KEEP_ME: 'kept', ...extra });
  const result = await runCli(['--quiet', ...args, repo, '[scenario:dump-env] list your environment'], { env });
  expect(result.exitCode, result.stderr).toBe(0);
  const runDir = result.stdout.trim();
  const summary = readJson<{ workspace: string }>(join(runDir, 'summary.json'));
  return { names: JSON.parse(readFileSync(join(summary.workspace, 'env-names.json'), 'utf8')) as string[], runDir };
}

describe('--clean-env through the CLI', () => {
  it.each([
    ['codex', ['CODEX_HOME', 'OPENAI_API_KEY'], ['ANTHROPIC_API_KEY']],
    ['claude', ['CLAUDE_CONFIG_DIR', 'ANTHROPIC_API_KEY'], ['OPENAI_API_KEY']],
  ])('%s gets PATH, HOME, locale, its own login variables and --env only', async (executor, login, otherLogin) => {
    const names = await agentEnvNames(['--executor', executor, '--clean-env', '--env', 'KEEP_ME', '--env', 'GIVEN=1']);
    expect(names).toEqual(expect.arrayContaining(['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'KEEP_ME', 'GIVEN', ...login]));
    // OUTPOST_RUN_MARKER: dispatch's own, by which it finds every process of the run.
    const base = ['OUTPOST_RUN_MARKER', 'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TMPDIR', 'TERM', 'TZ', 'LANG', 'LANGUAGE', 'KEEP_ME', 'GIVEN'];
    expect(names.filter((name) => !base.includes(name) && !name.startsWith('LC_') && !login.includes(name))).toEqual([]);
    for (const dropped of ['NOT_FOR_AGENTS', 'DATABASE_URL', 'DISPATCH_HOME', 'CODEX_BIN', 'CLAUDE_BIN', 'GIT_CONFIG_NOSYSTEM', ...otherLogin]) {
      expect(names, dropped).not.toContain(dropped);
    }
  });

  it('without --clean-env the agent gets dispatch\'s environment', async () => {
    const names = await agentEnvNames(['--executor', 'codex']);
    expect(names).toEqual(expect.arrayContaining(['NOT_FOR_AGENTS', 'DATABASE_URL', 'KEEP_ME', 'ANTHROPIC_API_KEY']));
  });
});

describe.skipIf(codexTarget(process)?.triple !== FAKE_TRIPLE)('an npm-installed codex (its launcher as CODEX_BIN)', () => {
  it.each([[['--clean-env']], [[]]])("gets the launcher's variables (flags: %j) and the summary names the launcher", async (flags) => {
    // The native binary records what the launcher would have given it, then runs as the fake agent.
    const seen = join(home, 'managed.txt');
    const native = `#!/bin/sh\necho "$CODEX_MANAGED_PACKAGE_ROOT|$CODEX_MANAGED_BY_NPM|\${CODEX_MANAGED_BY_BUN:-unset}" > '${seen}'\nexec '${process.execPath}' '${fakeAgent}' "$@"\n`;
    const install = writeFakeCodexInstall(join(home, 'project'), native);
    const { names, runDir } = await runDumpEnv(['--executor', 'codex', ...flags], { CODEX_BIN: install.bin, CODEX_MANAGED_BY_BUN: '1' });
    expect(names).toEqual(expect.arrayContaining(['CODEX_HOME', 'CODEX_MANAGED_PACKAGE_ROOT', 'CODEX_MANAGED_BY_NPM']));
    expect(readFileSync(seen, 'utf8').trim()).toBe(`${install.packageRoot}|1|unset`);
    expect(readJson<{ agent: { argv: string[] } }>(join(runDir, 'summary.json')).agent.argv[0]).toBe(install.bin);
  });
});
