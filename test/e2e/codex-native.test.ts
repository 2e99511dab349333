import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { codexTarget, resolveCodexCommand } from '../../src/executors/codex-native.js';
import { startModelServer, type ModelServer } from '../../src/model-server/index.js';
import { missingPinnedClis, realAgentEnv } from '../helpers/e2e-env.js';
import { skipE2eSuite } from '../helpers/e2e-gate.js';
import { isRunning, processesUnder, projectRoot, readJson, runCli } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';
import { startDispatch, waitFor, waitForAgentStart } from '../reliability/reliability-helpers.js';

interface Summary {
  outcome: string | null;
  agent_pgid: number | null;
  agent: { argv: string[] };
  workspace: string;
}

const launcher = join(projectRoot, 'node_modules', '.bin', 'codex');

/** The processes of a process group, each with the real path of the file it runs. */
function groupMembers(pgid: number): { pid: number; exe: string }[] {
  const members: { pid: number; exe: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After "pid (comm) ": state, ppid, pgrp.
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp === pgid) members.push({ pid: Number(entry), exe: readlinkSync(`/proc/${entry}/exe`) });
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

let server: ModelServer;
let home: string;
let repo: string;

beforeAll(async () => {
  server = await startModelServer();
});
afterAll(() => server.close());
beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-codex-native-')));
afterEach(() => cleanRunHome(home));

const skip = skipE2eSuite('codex native start', missingPinnedClis) || process.platform !== 'linux' || codexTarget(process) === undefined;

describe.skipIf(skip)('the pinned codex started by its native binary', () => {
  const native = realpathSync(resolveCodexCommand(launcher, {}).bin);

  it('is what dispatch spawns: no node launcher in the agent process group, and the run succeeds with its diff', async () => {
    expect(native).not.toBe(realpathSync(launcher));
    const env = await realAgentEnv(home, server.url);
    const child = startDispatch(['--quiet', '--executor', 'codex', repo, '[scenario:slow] Create hello.txt'], env);
    const dir = await waitForAgentStart(home);
    const pgid = readJson<Summary>(join(dir, 'summary.json')).agent_pgid ?? 0;
    const members = groupMembers(pgid);
    // The group's leader is the process dispatch spawned (spawn returns after its exec).
    expect(members.find((member) => member.pid === pgid)?.exe).toBe(native);
    expect(members.filter((member) => member.exe === realpathSync(process.execPath))).toEqual([]);

    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const summary = readJson<Summary>(join(dir, 'summary.json'));
    expect(summary.outcome).toBe('success');
    // The summary names the codex users know, not the file inside its platform package.
    expect(summary.agent.argv[0]).toBe(launcher);
    expect(readFileSync(join(dir, 'diff.patch'), 'utf8')).toContain('+hello from codex');
  });

  it('`dispatch cancel` stops the native codex and everything it started', async () => {
    const env = await realAgentEnv(home, server.url);
    // codex runs a 12 s shell command (`sleep 12 && echo late > late.txt`) when asked.
    const child = startDispatch(['--quiet', '--executor', 'codex', '--kill-grace', '1s', repo, '[scenario:late-shell] Wait, then write late.txt'], env);
    const dir = await waitForAgentStart(home);
    const summary = readJson<Summary>(join(dir, 'summary.json'));
    const pgid = summary.agent_pgid ?? 0;
    await waitFor('codex to run its shell command', () => processesUnder(summary.workspace).some((p) => p.cmdline.includes('sleep 12')));
    const cancelled = await runCli(['cancel', basename(dir)], { env });
    expect(cancelled.exitCode, cancelled.stderr).toBe(0);
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(readJson<Summary>(join(dir, 'summary.json')).outcome).toBe('cancelled');
    expect(isRunning(pgid)).toBe(false);
    expect(processesUnder(summary.workspace)).toEqual([]);
  });
});
