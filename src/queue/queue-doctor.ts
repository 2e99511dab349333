import type { Check } from '../doctor/checks.js';
import { connectRedis, pingRedis } from './connection.js';
import { displayQueueUrl } from './queue-url.js';
import { listLiveWorkers } from './worker-registry.js';

/** `doctor` with a queue: whether Redis answers, and every live worker with what it takes. */
export async function checkQueueConnection(url: string): Promise<Check[]> {
  const shown = displayQueueUrl(url);
  try {
    await pingRedis(url, 3_000);
  } catch (error) {
    return [{ name: 'queue', status: 'fail', detail: (error as Error).message, hint: 'start redis-server there, or fix --queue / DISPATCH_QUEUE' }];
  }
  const redis = connectRedis(url);
  try {
    const workers = await listLiveWorkers(redis);
    const checks: Check[] = [{ name: 'queue', status: 'ok', detail: `${shown} answers; ${workers.length} live worker${workers.length === 1 ? '' : 's'}` }];
    if (workers.length === 0) checks.push({ name: 'workers', status: 'warn', detail: 'no live worker: queued runs wait', hint: 'start `dispatch worker --queue …` on a machine with the agents logged in' });
    for (const worker of workers) {
      const state = worker.draining ? ', draining' : '';
      checks.push({ name: 'worker', status: 'ok', detail: `${worker.id} on ${worker.host}: ${worker.executors.join(', ')}; ${worker.active}/${worker.concurrency} running${state}` });
    }
    return checks;
  } finally {
    redis.disconnect();
  }
}
