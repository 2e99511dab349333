import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, testEnv } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';
import { startDispatch, waitFor } from './reliability-helpers.js';

// A --no-overlap lock whose holder was killed with SIGKILL, then 20 dispatches of the same
// job at once (cron on many hosts' worth of shells): exactly one takes the lock over and
// runs; every other one is skipped with exit 4, none dies with an internal error.

const CONTENDERS = 20;

let home: string;
let repo: string;

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-overlap-')));
afterEach(() => cleanRunHome(home));

describe('--no-overlap after a stale lock', () => {
  it.each([1, 2])(`round %i: ${CONTENDERS} contenders, exactly one runs`, async () => {
    const env = testEnv(home, { FAKE_AGENT_DELAY_MS: '1500' });
    const args = ['--quiet', '--no-overlap', repo, 'nightly job [scenario:slow-ok]'];
    const holder = startDispatch(args, env);
    const locks = join(home, 'locks');
    await waitFor('the holder to take the lock', () => existsSync(locks) && readdirSync(locks).some((name) => name.endsWith('.lock')));
    holder.kill('SIGKILL');
    expect((await holder).signal).toBe('SIGKILL');

    const results = await Promise.all(Array.from({ length: CONTENDERS }, () => runCli(args, { env, timeoutMs: 120_000 })));
    const codes = results.map((result) => result.exitCode).sort((a, b) => a - b);
    expect(codes).toEqual([0, ...Array<number>(CONTENDERS - 1).fill(4)]);
    for (const result of results.filter((r) => r.exitCode === 4)) expect(result.stderr).toMatch(/^error: the same job .* is already running/);
    // The killed holder's run is settled by the next command that reads runs.
    expect((await runCli(['list', '--json'], { env })).exitCode).toBe(0);
  });
});
