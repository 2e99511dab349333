import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createRunCgroup, holdCgroupMovesWarm, movesKeptWarm, removeRunCgroup, spawnInCgroup } from '../../src/process/run-cgroup.js';

// holdCgroupMovesWarm has a child (bash) move itself into the cgroup it is in, every few ms,
// so that the move that starts an agent is a cheap one. Whatever it does, the dispatcher must
// stay where it is, an agent must still be born inside its run's cgroup, and the child must
// be gone once the hold is released.

const root = join(import.meta.dirname, '..', '..');

function canMakeCgroups(): boolean {
  const made = createRunCgroup(`probe${process.pid}`);
  if (made) rmdirSync(made);
  return made !== null;
}

/**
 * Live children of this process running the warmer (its bash carries the name
 * `outpost-warmer` as $0); other test files' dispatchers start warmers of their own.
 */
function warmerPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      // pid (comm) state ppid ...
      const [state, ppid] = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      if (cmdline.includes('outpost-warmer') && state !== 'Z' && Number(ppid) === process.pid) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

/** The `0::` line of /proc/<pid>/cgroup: a process's cgroup v2. */
function cgroupOf(pid: number | 'self'): string | undefined {
  return readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((line) => line.startsWith('0::'));
}

describe.skipIf(!canMakeCgroups())('keeping cgroup moves warm', () => {
  it('leaves the dispatcher in its own cgroup, and an agent started meanwhile is born in the run cgroup', async () => {
    const own = cgroupOf('self');
    const release = holdCgroupMovesWarm();
    const cgroup = createRunCgroup(`warm${process.pid}`);
    expect(cgroup).not.toBeNull();
    try {
      // Several ticks, and the first (slow) move.
      await sleep(40);
      expect(cgroupOf('self')).toBe(own);
      const child = spawnInCgroup(cgroup, () => spawn('sleep', ['5'], { stdio: 'ignore' }));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        expect(cgroupOf(child.pid ?? 0)?.endsWith(`/outpost-warm${process.pid}`)).toBe(true);
        await sleep(20);
        expect(cgroupOf('self')).toBe(own);
        expect(cgroupOf(child.pid ?? 0)?.endsWith(`/outpost-warm${process.pid}`)).toBe(true);
      } finally {
        child.kill('SIGKILL');
        await exited;
      }
    } finally {
      release();
      removeRunCgroup(cgroup);
    }
  });

  it('makes its moves in a child while the event loop is busy, and the child is gone once released', async () => {
    // As a checkout does: the hold, then synchronous work (the worktree's files, git's spawn).
    const release = holdCgroupMovesWarm();
    try {
      const until = Date.now() + 6;
      while (Date.now() < until) {
        // busy, as a spawn is
      }
      const deadline = Date.now() + 5_000;
      while (!movesKeptWarm() && Date.now() < deadline) await sleep(5);
      expect(movesKeptWarm()).toBe(true);
      expect(warmerPids()).toHaveLength(1);
      // Still warm a while later: it keeps moving.
      await sleep(30);
      expect(movesKeptWarm()).toBe(true);
    } finally {
      release();
    }
    expect(movesKeptWarm()).toBe(false);
    const deadline = Date.now() + 5_000;
    while (warmerPids().length > 0 && Date.now() < deadline) await sleep(5);
    expect(warmerPids()).toEqual([]);
  });

  it('never keeps the process alive: a hold left unreleased is no active handle, and the process exits', () => {
    // Right after the hold (its timer and first tick scheduled), nothing of it keeps the process running.
    const script = [
      `const { holdCgroupMovesWarm } = await import(${JSON.stringify(join(root, 'dist', 'process', 'run-cgroup.js'))});`,
      'holdCgroupMovesWarm();',
      'process.stdout.write(JSON.stringify(process.getActiveResourcesInfo()));',
    ].join('\n');
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(0);
    const active = JSON.parse(result.stdout) as string[];
    expect(active).not.toContain('Timeout');
    expect(active).not.toContain('Immediate');
  });
});
