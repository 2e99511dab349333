import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, rmdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive, processStartTicks } from '../process/process-identity.js';

/** Who holds a lock: recorded inside the lock directory at the instant it is taken. */
export interface LockOwner {
  pid: number;
  pid_start: string | null;
  host: string;
  since: string;
}

export type LockAttempt =
  | { kind: 'acquired'; release: () => Promise<void> }
  | { kind: 'held'; owner: LockOwner | undefined };

/** A lock directory without owner.json (an older dispatcher's, refreshed every few seconds) is dead after this. */
const OWNERLESS_STALE_MS = 30_000;
/** A takeover takes milliseconds; its marker older than this was left by a takeover that died. */
const TAKEOVER_STALE_MS = 10_000;
const TAKEOVER_WAIT_MS = 3_000;

/**
 * Tries once to take the lock at `lockPath` (a directory). It is created whole, with its
 * owner inside, by renaming a prepared directory into place: it never exists without an
 * owner, and a rename onto a taken lock fails. A lock whose holder on this host is dead is
 * taken over at once (onDeadHolder is told); only one contender at a time may remove a
 * dead lock, so exactly one of any number of contenders gets it.
 */
export async function tryOwnedLock(lockPath: string, onDeadHolder?: (owner: LockOwner | undefined) => void): Promise<LockAttempt> {
  removeDeadLeftovers(lockPath);
  const deadline = Date.now() + TAKEOVER_WAIT_MS;
  for (;;) {
    if (createLock(lockPath)) return { kind: 'acquired', release: releaserOf(lockPath) };
    const holder = inspectHolder(lockPath);
    // Released between our attempt and our look: try again.
    if (holder.kind === 'gone') continue;
    if (holder.kind !== 'dead') return { kind: 'held', owner: holder.kind === 'alive' ? holder.owner : undefined };
    const takeover = await takeOver(lockPath, holder.owner, onDeadHolder);
    if (takeover !== 'busy') return takeover;
    // Another contender is taking it over: look again once it is done.
    if (Date.now() > deadline) return { kind: 'held', owner: holder.owner };
    await sleep(20 + Math.floor(Math.random() * 30));
  }
}

/** Staging and removed lock directories (`<lock>.<pid>-<hex>.new|dead|released`) of writers that died. */
function removeDeadLeftovers(lockPath: string): void {
  const prefix = `${basename(lockPath)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(lockPath));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = name.startsWith(prefix) ? /^(\d+)-[0-9a-f]+\.(?:new|dead|released)$/.exec(name.slice(prefix.length))?.[1] : undefined;
    if (pid !== undefined && !isProcessAlive(Number(pid), null)) rmSync(join(dirname(lockPath), name), { recursive: true, force: true });
  }
}

/** The owner recorded in a lock, if it is readable. */
export function readLockOwner(lockPath: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(join(lockPath, 'owner.json'), 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

// Creating and releasing a lock are a few metadata calls on a local directory: made
// synchronously, they take microseconds, where each queued behind the thread pool's
// fsyncs (a run dir being written) waits milliseconds.
function createLock(lockPath: string): boolean {
  mkdirSync(dirname(lockPath), { recursive: true });
  // rename() would replace an empty directory: an older dispatcher's ownerless lock. Ours
  // always hold owner.json, so between our own writers the rename alone decides.
  if (existsSync(lockPath)) return false;
  const staging = `${lockPath}.${process.pid}-${randomBytes(4).toString('hex')}.new`;
  mkdirSync(staging);
  const owner: LockOwner = { pid: process.pid, pid_start: processStartTicks(process.pid), host: hostname(), since: new Date().toISOString() };
  try {
    writeFileSync(join(staging, 'owner.json'), `${JSON.stringify(owner)}\n`);
    renameSync(staging, lockPath);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EISDIR') throw error;
    return false;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

type Holder = { kind: 'alive'; owner: LockOwner } | { kind: 'dead'; owner: LockOwner | undefined } | { kind: 'unknown' } | { kind: 'gone' };

function inspectHolder(lockPath: string): Holder {
  const owner = readLockOwner(lockPath);
  if (owner) {
    const dead = owner.host === hostname() && !isProcessAlive(owner.pid, owner.pid_start);
    return dead ? { kind: 'dead', owner } : { kind: 'alive', owner };
  }
  const age = ageMs(lockPath);
  if (age === null) return { kind: 'gone' };
  return age > OWNERLESS_STALE_MS ? { kind: 'dead', owner: undefined } : { kind: 'unknown' };
}

function ageMs(path: string): number | null {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

const sameOwner = (a: LockOwner | undefined, b: LockOwner | undefined) =>
  a?.pid === b?.pid && a?.pid_start === b?.pid_start && a?.since === b?.since;

/** Removes a dead holder's lock and takes it, under a takeover marker only one contender can create. */
async function takeOver(lockPath: string, dead: LockOwner | undefined, onDeadHolder?: (owner: LockOwner | undefined) => void): Promise<LockAttempt | 'busy'> {
  const marker = `${lockPath}.takeover`;
  try {
    await mkdir(marker);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const age = ageMs(marker);
    if (age !== null && age > TAKEOVER_STALE_MS) await rm(marker, { recursive: true, force: true });
    return 'busy';
  }
  try {
    const now = inspectHolder(lockPath);
    // Still the same dead holder? (It may have been replaced while we looked.)
    if (now.kind === 'dead' && sameOwner(now.owner, dead)) {
      onDeadHolder?.(dead);
      const tomb = `${lockPath}.${process.pid}-${randomBytes(4).toString('hex')}.dead`;
      await rename(lockPath, tomb).catch(() => undefined);
      await rm(tomb, { recursive: true, force: true });
    }
    if (createLock(lockPath)) return { kind: 'acquired', release: releaserOf(lockPath) };
    const holder = inspectHolder(lockPath);
    return { kind: 'held', owner: holder.kind === 'alive' ? holder.owner : undefined };
  } finally {
    await rmdir(marker).catch(() => undefined);
  }
}

function releaserOf(lockPath: string): () => Promise<void> {
  return () => Promise.resolve().then(() => releaseLock(lockPath));
}

/** Removes the lock if it is still ours (a lock taken over from us is left to its new holder). */
function releaseLock(lockPath: string): void {
  const owner = readLockOwner(lockPath);
  if (owner && (owner.pid !== process.pid || owner.host !== hostname())) return;
  const tomb = `${lockPath}.${process.pid}-${randomBytes(4).toString('hex')}.released`;
  try {
    renameSync(lockPath, tomb);
  } catch {
    return;
  }
  rmSync(tomb, { recursive: true, force: true });
}
