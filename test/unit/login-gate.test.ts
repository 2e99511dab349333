import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tryOwnedLock } from '../../src/locks/owned-lock.js';
import { describe, expect, it } from 'vitest';
import type { LoginRefreshWatch } from '../../src/executors/login-types.js';
import { readJwtExpiry } from '../../src/executors/jwt-expiry.js';
import { watchCodexRefresh } from '../../src/executors/codex-login.js';
import { writeFileSync } from 'node:fs';
import { describeExpiry } from '../../src/doctor/login-checks.js';
import { passLoginGate } from '../../src/modes/login-gate.js';

/** A login store shared by several agents: `token` changes when one of them refreshes. */
function createStore(due: boolean) {
  const store = { token: 'old', due, watch: (): LoginRefreshWatch => {
    const seen = store.token;
    return { key: 'store', due: store.due, refreshed: () => store.token !== seen };
  } };
  return store;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('passLoginGate', () => {
  it('a due login: the first agent starts alone, the others once it has refreshed', async () => {
    const store = createStore(true);
    const started: string[] = [];
    const agent = async (name: string, refreshes: boolean) => {
      const release = await passLoginGate(store.watch, undefined, { pollMs: 10 });
      started.push(`${name} saw ${store.token}`);
      if (refreshes && store.token === 'old') {
        await sleep(80);
        store.token = 'new';
        store.due = false;
      }
      await sleep(20);
      release();
    };
    await Promise.all([agent('a', true), agent('b', true), agent('c', true)]);
    expect(started).toEqual(['a saw old', 'b saw new', 'c saw new']);
    expect(store.token).toBe('new');
  });

  it('the others start only after the refresh, never while it is under way', async () => {
    const store = createStore(true);
    const events: string[] = [];
    const leader = passLoginGate(store.watch, undefined, { pollMs: 10 }).then(async (release) => {
      events.push('leader started');
      await sleep(60);
      events.push('refreshed');
      store.token = 'new';
      store.due = false;
      await sleep(60);
      release();
    });
    await sleep(5);
    const follower = passLoginGate(store.watch, undefined, { pollMs: 10 }).then((release) => {
      events.push('follower started');
      release();
    });
    await Promise.all([leader, follower]);
    expect(events).toEqual(['leader started', 'refreshed', 'follower started']);
  });

  it('a leader that ends without refreshing hands the refresh to the next agent, one at a time', async () => {
    const store = createStore(true);
    let running = 0;
    let most = 0;
    const agent = async () => {
      const release = await passLoginGate(store.watch, undefined, { pollMs: 10 });
      running += 1;
      most = Math.max(most, running);
      await sleep(30);
      running -= 1;
      release();
    };
    await Promise.all([agent(), agent(), agent()]);
    expect(most).toBe(1);
  });

  it('a login not due: everyone starts at once; an aborted wait returns at once', async () => {
    const fresh = createStore(false);
    let running = 0;
    let most = 0;
    await Promise.all([1, 2, 3].map(async () => {
      const release = await passLoginGate(fresh.watch);
      running += 1;
      most = Math.max(most, running);
      await sleep(20);
      running -= 1;
      release();
    }));
    expect(most).toBe(3);

    const due = createStore(true);
    const releaseLeader = await passLoginGate(due.watch, undefined, { pollMs: 10 });
    const controller = new AbortController();
    const waiting = passLoginGate(due.watch, controller.signal, { pollMs: 10 });
    controller.abort();
    const release = await waiting;
    release();
    releaseLeader();
  });
});

describe('passLoginGate across dispatch processes', () => {
  it('waits while another process holds the lock beside the store, then starts on its new token', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'login-gate-'));
    try {
      const lockPath = join(dir, 'auth.json.dispatch-refresh.lock');
      const store = createStore(true);
      const watch = () => ({ ...store.watch(), key: `other-${dir}`, lockPath });
      // Another dispatch process is refreshing this login.
      const other = await tryOwnedLock(lockPath);
      if (other.kind !== 'acquired') throw new Error('the lock should be free');
      const releaseOther = other.release;
      const events: string[] = [];
      const agent = passLoginGate(watch, undefined, { pollMs: 10 }).then((release) => {
        events.push(`started on ${store.token}`);
        release();
      });
      await sleep(80);
      events.push('other process refreshed');
      store.token = 'new';
      store.due = false;
      await releaseOther();
      await agent;
      expect(events).toEqual(['other process refreshed', 'started on new']);

      // Due again and nobody else holds the lock: this agent leads and holds it meanwhile.
      store.due = true;
      const release = await passLoginGate(watch, undefined, { pollMs: 10 });
      expect((await tryOwnedLock(lockPath)).kind).toBe('held');
      release();
      await sleep(50);
      const again = await tryOwnedLock(lockPath);
      expect(again.kind).toBe('acquired');
      if (again.kind === 'acquired') await again.release();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('watchCodexRefresh', () => {
  const jwt = (exp: number) => `e30.${Buffer.from(JSON.stringify({ exp })).toString('base64url')}.sig`;

  it('due within 5 minutes of expiry (plus a minute of start-up), and sees a refresh in the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'codex-watch-'));
    try {
      const now = new Date('2026-12-01T12:00:00Z');
      const at = (seconds: number) => Math.floor(now.getTime() / 1000) + seconds;
      const writeAuth = (exp: number) => writeFileSync(join(dir, 'auth.json'), JSON.stringify({ tokens: { access_token: jwt(exp), refresh_token: 'rt' } }));
      writeAuth(at(-60));
      const watch = watchCodexRefresh(dir, now);
      expect(watch).toMatchObject({ due: true, lockPath: join(dir, 'auth.json.dispatch-refresh.lock') });
      expect(watch?.refreshed()).toBe(false);
      writeAuth(at(3_600));
      expect(watch?.refreshed()).toBe(true);
      writeAuth(at(5 * 60 + 50));
      expect(watchCodexRefresh(dir, now)?.due).toBe(true);
      writeAuth(at(10 * 60));
      expect(watchCodexRefresh(dir, now)?.due).toBe(false);

      // A provider that does not use the ChatGPT login: nothing to wait for.
      writeAuth(at(-60));
      writeFileSync(join(dir, 'config.toml'), 'model_provider = "local"\n[model_providers.local]\nenv_key = "LOCAL_KEY"\n');
      expect(watchCodexRefresh(dir, now)).toBeUndefined();
      writeFileSync(join(dir, 'config.toml'), 'model_provider = "proxy"\n[model_providers.proxy]\nrequires_openai_auth = true\n');
      expect(watchCodexRefresh(dir, now)?.due).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('login dates', () => {
  it('reads a JWT exp without verifying it; anything else gives undefined', () => {
    const jwt = (claims: unknown) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
    expect(readJwtExpiry(jwt({ exp: 1_800_000_000 }))?.toISOString()).toBe('2027-01-15T08:00:00.000Z');
    expect(readJwtExpiry(jwt({}))).toBeUndefined();
    expect(readJwtExpiry('sk-not-a-jwt')).toBeUndefined();
    expect(readJwtExpiry('a.!!!.b')).toBeUndefined();
    expect(readJwtExpiry(undefined)).toBeUndefined();
  });

  it('says when an access token expires, or how long ago it did', () => {
    const now = new Date('2026-12-01T12:00:00Z');
    expect(describeExpiry(new Date('2026-12-10T14:03:00Z'), now)).toBe('expires 2026-12-10 14:03 UTC (in 9 days)');
    expect(describeExpiry(new Date('2026-12-01T20:00:00Z'), now)).toBe('expires 2026-12-01 20:00 UTC (in 8 hours)');
    expect(describeExpiry(new Date('2026-12-01T12:01:00Z'), now)).toBe('expires 2026-12-01 12:01 UTC (in 1 minute)');
    expect(describeExpiry(new Date('2026-12-01T10:00:00Z'), now)).toBe('expired 2 hours ago');
  });
});
