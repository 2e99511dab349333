import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RESERVE_BYTES, RESERVE_NAME } from '../../src/runs/disk-reserve.js';
import { createRunDir, runPaths } from '../../src/runs/run-dir.js';
import type { RunSummary } from '../../src/runs/summary.js';
import { createWholeDir } from '../../src/runs/whole-dir.js';

describe('a new run directory', () => {
  let runsDir: string;

  beforeEach(async () => {
    runsDir = await mkdtemp(join(tmpdir(), 'dispatch-run-dir-'));
  });
  afterEach(async () => {
    await rm(runsDir, { recursive: true, force: true });
  });

  it('appears with its task, first summary, extra files and a 1 MiB zero reserve, and nothing else', async () => {
    const summaries = [0, 1, 2].map((i) => ({ id: `run-${i}`, status: 'running' }) as unknown as RunSummary);
    // Several at once from one process, as a group creates them: each gets its own complete files.
    await Promise.all(summaries.map((summary, i) => createRunDir(runPaths(runsDir, `run-${i}`), `task ${i}\n`, summary, { 'agent-options.json': `{"n":${i}}\n` })));
    expect((await readdir(runsDir)).sort()).toEqual(['run-0', 'run-1', 'run-2']);
    for (const [i, summary] of summaries.entries()) {
      const dir = join(runsDir, `run-${i}`);
      expect((await readdir(dir)).sort()).toEqual([RESERVE_NAME, 'agent-options.json', 'summary.json', 'task.md']);
      expect(await readFile(join(dir, 'task.md'), 'utf8')).toBe(`task ${i}\n`);
      expect(JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'))).toEqual(summary);
      expect(await readFile(join(dir, 'agent-options.json'), 'utf8')).toBe(`{"n":${i}}\n`);
      const reserve = await readFile(join(dir, RESERVE_NAME));
      expect(reserve.length).toBe(RESERVE_BYTES);
      expect(reserve.every((byte) => byte === 0)).toBe(true);
      expect((await stat(join(dir, 'summary.json'))).mode & 0o777).toBe(0o644);
    }
  });

  it('is never half made: a taken name fails and leaves no staging directory behind', async () => {
    const dir = join(runsDir, 'taken');
    await mkdir(dir);
    await writeFile(join(dir, 'summary.json'), 'theirs\n');
    await expect(createWholeDir(dir, { 'summary.json': 'ours\n', 'task.md': Buffer.from('bytes\n') })).rejects.toThrow();
    expect(await readdir(runsDir)).toEqual(['taken']);
    expect(await readFile(join(dir, 'summary.json'), 'utf8')).toBe('theirs\n');
  });
});
