import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createRunCgroup, holdCgroupMovesWarm, movesKeptWarm, removeRunCgroup, spawnInCgroup } from '../../src/process/run-cgroup.js';

// holdCgroupMovesWarm moves the dispatcher into the cgroup it is in, every few ms, so that
// the move that starts an agent is a cheap one. Whatever it does, the dispatcher must stay
// where it is and an agent must still be born inside its run's cgroup.

const root = join(import.meta.dirname, '..', '..');

function canMakeCgroups(): boolean {
  const made = createRunCgroup(`probe${process.pid}`);
  if (made) rmdirSync(made);
  return made !== null;
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

  it('keeps ticking when the caller works on synchronously for longer than a tick after the hold', async () => {
    // As a checkout does: the hold, then the worktree's files and git's spawn before the next
    // turn of the event loop, so the interval's tick comes before the immediate's first move.
    const release = holdCgroupMovesWarm();
    try {
      const until = Date.now() + 6;
      while (Date.now() < until) {
        // busy, as a spawn is
      }
      await sleep(15);
      expect(movesKeptWarm()).toBe(true);
    } finally {
      release();
    }
    expect(movesKeptWarm()).toBe(false);
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
