import { execa } from 'execa';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLockOwner, tryOwnedLock } from '../../src/locks/owned-lock.js';

// The lock every cross-process exclusion of dispatch rests on (mirror, --no-overlap, resume).

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dispatch-lock-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Leaves a lock whose holder was killed with SIGKILL while holding it. */
async function plantDeadLock(lockPath: string): Promise<void> {
  const child = execa(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  mkdirSync(lockPath);
  writeFileSync(join(lockPath, 'owner.json'), JSON.stringify({ pid: child.pid, pid_start: null, host: (await import('node:os')).hostname(), since: 'then' }));
  child.kill('SIGKILL');
  await child.catch(() => undefined);
}

describe('owned locks', () => {
  it('a dead holder: of 20 contenders at once exactly one takes it over, once told', async () => {
    const lockPath = join(dir, 'job.lock');
    await plantDeadLock(lockPath);
    const told: unknown[] = [];
    const attempts = await Promise.all(Array.from({ length: 20 }, () => tryOwnedLock(lockPath, (owner) => told.push(owner))));
    expect(attempts.filter((attempt) => attempt.kind === 'acquired')).toHaveLength(1);
    expect(told).toHaveLength(1);
    expect(readLockOwner(lockPath)?.pid).toBe(process.pid);
    const won = attempts.find((attempt) => attempt.kind === 'acquired');
    if (won?.kind === 'acquired') await won.release();
    expect(existsSync(lockPath)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a live holder keeps it; an ownerless lock is held while fresh and taken once old', async () => {
    const lockPath = join(dir, 'repo.lock');
    const first = await tryOwnedLock(lockPath);
    expect(first.kind).toBe('acquired');
    expect((await tryOwnedLock(lockPath)).kind).toBe('held');
    if (first.kind === 'acquired') await first.release();

    mkdirSync(lockPath); // an older dispatcher's lock: no owner.json
    expect((await tryOwnedLock(lockPath)).kind).toBe('held');
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(lockPath, longAgo, longAgo);
    expect((await tryOwnedLock(lockPath)).kind).toBe('acquired');
  });

  it('removes the staging directories of a writer that died', async () => {
    const lockPath = join(dir, 'x.lock');
    const child = execa(process.execPath, ['-e', '']);
    await child;
    mkdirSync(`${lockPath}.${child.pid}-deadbeef.new`);
    const attempt = await tryOwnedLock(lockPath);
    expect(attempt.kind).toBe('acquired');
    expect(readdirSync(dir)).toEqual(['x.lock']);
  });
});
