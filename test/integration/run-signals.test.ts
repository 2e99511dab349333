import { execa } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';
import { dispatchBin, readEvents, readJson, testEnv } from '../helpers/run-cli.js';

let home: string;
let repo: string;

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-signals-')));
afterEach(() => cleanRunHome(home));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the run's agent is running (its process group recorded in summary.json). */
async function waitForAgent(): Promise<string> {
  for (let i = 0; i < 400; i++) {
    const runs = join(home, 'runs');
    const dir = existsSync(runs) ? readdirSync(runs)[0] : undefined;
    if (dir) {
      const summaryPath = join(runs, dir, 'summary.json');
      const events = join(runs, dir, 'events.jsonl');
      if (existsSync(summaryPath) && existsSync(events) && readEvents(events).some((e) => e.type === 'session.started')) {
        return join(runs, dir);
      }
    }
    await sleep(25);
  }
  throw new Error('the agent never started');
}

describe('signals to dispatch cancel the run', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s: agent group killed, summary cancelled, exit %i', async (signal, code) => {
    const child = execa(process.execPath, [dispatchBin, '--quiet', '--kill-grace', '1s', repo, '[scenario:ignore-sigterm]'], {
      env: testEnv(home),
      extendEnv: false,
      reject: false,
    });
    const dir = await waitForAgent();
    const running = readJson(join(dir, 'summary.json'));
    expect(running).toMatchObject({ status: 'running', outcome: null, completed: null });
    child.kill(signal);
    const result = await child;
    expect(result.exitCode).toBe(code);
    const summary = readJson(join(dir, 'summary.json'));
    expect(summary).toMatchObject({ status: 'cancelled', outcome: 'cancelled', signal: 'SIGKILL' });
    expect(readEvents(join(dir, 'events.jsonl')).at(-1)).toMatchObject({ type: 'run.finished', outcome: 'cancelled' });
  });
});
