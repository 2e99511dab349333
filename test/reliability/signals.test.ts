import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readJson, testEnv } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';
import { recordedPids, sleep, startDispatch, survivorsOf, timeUntilGone, waitFor, waitForAgentStart } from './reliability-helpers.js';

// Signals to dispatch while its agent runs a daemon that ignores SIGTERM and holds the
// pipes. dispatch runs in its own session (setsid), as under cron, nohup or a closed ssh.

let home: string;
let repo: string;
let pidfile: string;

beforeEach(async () => {
  ({ home, repo } = await createRunHome('dispatch-sig-'));
  pidfile = join(home, 'helper-pids');
});
afterEach(() => cleanRunHome(home));

async function startDaemonRun() {
  const env = testEnv(home, { FAKE_AGENT_PIDFILE: pidfile, FAKE_AGENT_LATE_MS: '60000' });
  const child = startDispatch(['--quiet', '--kill-grace', '1s', repo, '[scenario:daemon-hang]'], env, { detached: true });
  const dir = await waitForAgentStart(home);
  await waitFor('the daemon to start', () => recordedPids(pidfile).length >= 2);
  return { child, dir };
}

describe('a signal to dispatch stops the run and everything it started', () => {
  it.each([
    ['SIGHUP', 129],
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s: summary cancelled, daemon gone, exit %i', async (signal, code) => {
    const { child, dir } = await startDaemonRun();
    const sent = Date.now();
    // To the whole process group of dispatch, as a terminal's hangup or Ctrl-C is delivered.
    process.kill(-(child.pid ?? 0), signal);
    const goneMs = Date.now() - sent + (await timeUntilGone(pidfile, home));
    console.log(`[measure] ${signal} → last process of the run gone: ${goneMs} ms (grace 1 s, SIGTERM ignored)`);
    const result = await child;
    expect(result.exitCode).toBe(code);
    expect(readJson(join(dir, 'summary.json'))).toMatchObject({ status: 'cancelled', outcome: 'cancelled', error: { kind: 'interrupted' } });
    expect(survivorsOf(pidfile, home)).toEqual([]);
  });

  it('two quick SIGINTs: agents killed at once, and the summary is still written', async () => {
    const { child, dir } = await startDaemonRun();
    process.kill(-(child.pid ?? 0), 'SIGINT');
    await sleep(50);
    process.kill(-(child.pid ?? 0), 'SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(readJson(join(dir, 'summary.json'))).toMatchObject({ status: 'cancelled' });
    expect(survivorsOf(pidfile, home)).toEqual([]);
  });
});
