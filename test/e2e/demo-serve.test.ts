import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { missingPinnedClis } from '../helpers/e2e-env.js';
import { skipE2eSuite } from '../helpers/e2e-gate.js';
import { dispatchBin, projectRoot, readJson, runCli } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';

let home: string;
let env: Record<string, string>;

beforeEach(async () => {
  ({ home } = await createRunHome('dispatch-demo-'));
  await mkdir(join(home, 'user-home'));
  // A machine with no logins and no agent config: the demo brings its own.
  env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(home, 'user-home'), GIT_CONFIG_NOSYSTEM: '1' };
});
afterEach(() => cleanRunHome(home));

/** `export K=V` lines of demo/env.sh (values are plain paths and URLs here). */
function readExports(path: string): Record<string, string> {
  const entries = readFileSync(path, 'utf8').trim().split('\n').map((line) => /^export ([A-Z_]+)=(.*)$/.exec(line)?.slice(1) ?? []);
  return Object.fromEntries(entries.map(([key, value]) => [key ?? '', (value ?? '').replace(/^'(.*)'$/, '$1')]));
}

describe.skipIf(skipE2eSuite('demo e2e tests', missingPinnedClis))('dispatch demo', () => {
  it('leaves no config naming a dead port; hints print the command as it was run; demo/ is git-ignored', async () => {
    const result = await runCli(['demo', '--home', home], { env, timeoutMs: 180_000 });
    expect(result.exitCode).toBe(0);
    expect(existsSync(join(home, 'demo', 'codex-home'))).toBe(false);
    expect(existsSync(join(home, 'demo', 'claude-config'))).toBe(false);
    // The hint names the run that ended first: codex's or claude's, whichever the machine made faster.
    expect(result.stdout).toMatch(/^Next: \.\/bin\/dispatch logs \d{8}-\d{6}-(?:codex|claude)-[a-z0-9]{6}/m);
    expect(result.stdout).not.toMatch(/(^|\s)dispatch (logs|diff|compare) /m);
    const ignored = await execa('git', ['-C', projectRoot, 'check-ignore', '-q', 'demo/sample-repo/README.md'], { reject: false });
    expect(ignored.exitCode).toBe(0);
  });

  it('--serve keeps the scripted server up: resume both runs and try a failure offline, then Ctrl-C cleans up', async () => {
    const demo = execa(process.execPath, [dispatchBin, 'demo', '--serve', '--home', home], { env, extendEnv: false, reject: false, cwd: projectRoot });
    let out = '';
    demo.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    for (let i = 0; i < 900 && !out.includes('Try, in that shell:'); i++) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(out).toContain('keeps running at http://127.0.0.1:');
    const envFile = join(home, 'demo', 'env.sh');
    const served = { ...env, ...readExports(envFile) };
    expect(served).toMatchObject({ DISPATCH_HOME: home, CODEX_HOME: join(home, 'demo', 'codex-home') });
    try {
      for (const agent of ['codex', 'claude']) {
        const runId = new RegExp(`resume ([a-z0-9]{6}) .*# continue ${agent}`).exec(out)?.[1] ?? '';
        const resumed = await runCli(['resume', '--json', runId, 'Now add a farewell'], { env: served, timeoutMs: 120_000 });
        expect(resumed.exitCode, resumed.stderr).toBe(0);
        const summary = JSON.parse(resumed.stdout) as { parent_run_id: string; final_message: string; outcome: string };
        expect(summary.parent_run_id.endsWith(runId)).toBe(true);
        expect(summary).toMatchObject({ outcome: 'no_changes', final_message: 'Nothing left to do: the earlier task is complete.' });
      }
      const quota = await runCli(['--quiet', '-e', 'claude', join(home, 'demo', 'sample-repo'), '[scenario:http-429] Create hello.txt'], { env: served, timeoutMs: 120_000 });
      expect(quota.exitCode).toBe(7);
      expect(readJson<{ outcome: string }>(join(quota.stdout.trim(), 'summary.json')).outcome).toBe('quota');
    } finally {
      demo.kill('SIGINT');
    }
    const ended = await demo;
    expect(ended.exitCode).toBe(0);
    expect(existsSync(envFile)).toBe(false);
    expect(existsSync(join(home, 'demo', 'codex-home'))).toBe(false);
  });
});
