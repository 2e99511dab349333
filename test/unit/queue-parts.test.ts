import { describe, expect, it } from 'vitest';
import { displayQueueUrl, resolveQueueUrl } from '../../src/queue/queue-url.js';
import { readQueueSettings } from '../../src/queue/queue-settings.js';
import { canAnyWorkerRun, type WorkerInfo } from '../../src/queue/worker-registry.js';

const worker = (executors: WorkerInfo['executors'], draining = false): WorkerInfo => ({ id: 'w', host: 'h', pid: 1, executors, concurrency: 1, active: 0, started: '', draining });

describe('queue parts', () => {
  it('--queue wins over DISPATCH_QUEUE; neither runs locally; a non-redis URL is a usage error', () => {
    expect(resolveQueueUrl('redis://a:1', { DISPATCH_QUEUE: 'redis://b:2' })).toBe('redis://a:1');
    expect(resolveQueueUrl(undefined, { DISPATCH_QUEUE: 'redis://b:2' })).toBe('redis://b:2');
    expect(resolveQueueUrl(undefined, {})).toBeUndefined();
    expect(() => resolveQueueUrl('http://x', {})).toThrow(/invalid queue 'http:\/\/x'/);
  });

  it('a queue URL is printed and recorded without its password', () => {
    expect(displayQueueUrl('redis://user:s3cret@host:6379/0')).toBe('redis://user:***@host:6379/0');
    expect(displayQueueUrl('redis://:s3cret@host:6379')).toBe('redis://:***@host:6379');
    expect(displayQueueUrl('redis://host:6379')).toBe('redis://host:6379');
  });

  it('a job can run only where a live, not draining worker takes its executor', () => {
    expect(canAnyWorkerRun([worker(['codex'])], 'codex')).toBe(true);
    expect(canAnyWorkerRun([worker(['codex'])], 'claude')).toBe(false);
    expect(canAnyWorkerRun([worker(['claude'], true)], 'claude')).toBe(false);
    expect(canAnyWorkerRun([], 'codex')).toBe(false);
  });

  it('queue settings suit hour-long jobs by default and refuse nonsense overrides', () => {
    expect(readQueueSettings({})).toMatchObject({ lockDurationMs: 60_000, stalledIntervalMs: 30_000, maxStalledCount: 2, attempts: 2 });
    expect(readQueueSettings({ DISPATCH_QUEUE_LOCK_MS: '2000' }).lockDurationMs).toBe(2000);
    expect(() => readQueueSettings({ DISPATCH_QUEUE_LOCK_MS: 'soon' })).toThrow(/DISPATCH_QUEUE_LOCK_MS/);
  });
});
