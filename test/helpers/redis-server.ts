import { execa, type ResultPromise } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { decideE2eGate } from './e2e-gate.js';

export const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

/** Skips a queue suite without redis-server on a dev machine; under CI=true registers a failing test instead. */
export function skipWithoutRedis(suite: string): boolean {
  if (existsSync(REDIS_SERVER)) return false;
  const gate = decideE2eGate(['redis-server'], process.env);
  const what = `${REDIS_SERVER} is missing (apt-get install -y redis-server; .ci/run does it)`;
  if (gate === 'skip') console.warn(`skipping ${suite}: ${what}`);
  else describe(suite, () => it('needs redis-server under CI', () => { throw new Error(`CI=true and ${what}`); }));
  return true;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

/** A redis-server of the test's own on 127.0.0.1, in a temp dir; `appendonly` keeps data across restart(). */
export interface TestRedis {
  url: string;
  stop(): Promise<void>;
  restart(downMs: number): Promise<void>;
  remove(): Promise<void>;
}

/**
 * The suite's shared redis-server (.ci/run exports DISPATCH_TEST_REDIS) on a database of the
 * caller's own, emptied first; else a server of the test's own.
 */
export async function sharedOrOwnRedis(db: number): Promise<TestRedis> {
  const shared = process.env.DISPATCH_TEST_REDIS;
  if (!shared) return startRedis();
  const url = `${shared.replace(/\/\d*$/, '')}/${db}`;
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  await redis.flushdb();
  redis.disconnect();
  const noop = () => Promise.resolve();
  return { url, stop: noop, restart: () => Promise.reject(new Error('the shared redis-server is not restarted')), remove: noop };
}

export async function startRedis(opts: { appendonly?: boolean } = {}): Promise<TestRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'dispatch-redis-'));
  const port = await freePort();
  let child: ResultPromise | null = null;
  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', opts.appendonly ? 'yes' : 'no'];
    if (opts.appendonly) args.push('--appendfsync', 'always');
    const started = execa(REDIS_SERVER, args, { reject: false, cwd: dir });
    child = started;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('redis-server did not start')), 10_000);
      started.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running) return;
    running.kill('SIGTERM');
    await running;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    stop,
    async restart(downMs) {
      await stop();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    async remove() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
