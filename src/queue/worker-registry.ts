import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { ExecutorName } from '../executors/types.js';
import { keys } from './queue-settings.js';

/** What a live worker says about itself, refreshed every HEARTBEAT_MS; gone HEARTBEAT_TTL_MS after it dies. */
export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  executors: ExecutorName[];
  concurrency: number;
  active: number;
  started: string;
  draining: boolean;
}

const HEARTBEAT_MS = 2_000;
const HEARTBEAT_TTL_MS = 8_000;

/** Keeps the worker's key alive; returns the function that updates and finally removes it. */
export function startHeartbeat(redis: Redis, info: WorkerInfo): { update: (patch: Partial<WorkerInfo>) => void; stop: () => Promise<void> } {
  const beat = () => void redis.set(keys.worker(info.id), JSON.stringify(info), 'PX', HEARTBEAT_TTL_MS).catch(() => undefined);
  beat();
  const timer = setInterval(beat, HEARTBEAT_MS);
  return {
    update: (patch) => {
      Object.assign(info, patch);
      beat();
    },
    stop: async () => {
      clearInterval(timer);
      await redis.del(keys.worker(info.id)).catch(() => undefined);
    },
  };
}

export function describeWorkerSelf(id: string, executors: ExecutorName[], concurrency: number): WorkerInfo {
  return { id, host: hostname(), pid: process.pid, executors, concurrency, active: 0, started: new Date().toISOString(), draining: false };
}

/** Every worker whose heartbeat is fresh. */
export async function listLiveWorkers(redis: Redis): Promise<WorkerInfo[]> {
  const found: WorkerInfo[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', keys.workerPattern, 'COUNT', 200);
    cursor = next;
    const values = batch.length > 0 ? await redis.mget(batch) : [];
    for (const value of values) if (value) found.push(JSON.parse(value) as WorkerInfo);
  } while (cursor !== '0');
  return found.sort((a, b) => a.id.localeCompare(b.id));
}

/** Whether a live, not draining worker takes jobs for this executor. */
export function canAnyWorkerRun(workers: WorkerInfo[], executor: ExecutorName): boolean {
  return workers.some((worker) => !worker.draining && worker.executors.includes(executor));
}
