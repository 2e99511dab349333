import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { findContained } from '../../src/process/containment.js';
import { listLiveGroupMembers } from '../../src/process/process-group.js';
import { scanProcesses } from '../../src/process/proc-scan.js';
import { createRunMarker, findMarkedProcesses, markerEntry, RUN_MARKER_VAR } from '../../src/process/run-marker.js';

// One pass over /proc finds a run's processes by marker and by group; zombies never count.

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.pid) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
});

/** A shell leading its own group, with a marked child that left the group (setsid) and an unmarked one in it. */
function startFamily(marker: string): { leader: ChildProcess; lines: Promise<string[]> } {
  const script = [
    'setsid sleep 30 &', 'echo $!',
    `env -u ${RUN_MARKER_VAR} sleep 30 &`, 'echo $!',
    'sh -c "exit 0" &', // exits at once and stays a zombie: the shell never waits for it
    'exec sleep 30',
  ].join('\n');
  const leader = spawn('sh', ['-c', script], { detached: true, env: { ...process.env, [RUN_MARKER_VAR]: marker }, stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(leader);
  const lines = new Promise<string[]>((resolve) => {
    let out = '';
    leader.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const got = out.trim().split('\n');
      if (got.length >= 2) resolve(got);
    });
  });
  return { leader, lines };
}

describe('scanProcesses', () => {
  it('finds the marked processes and the live members of the group in one pass', async () => {
    const marker = createRunMarker();
    const { leader, lines } = startFamily(marker);
    const [escaped, unmarked] = (await lines).map(Number);
    await sleep(200);
    const pgid = leader.pid ?? 0;
    const scan = scanProcesses(markerEntry(marker), pgid);
    expect(scan?.marked.sort()).toEqual([pgid, escaped].sort());
    expect(scan?.members.sort()).toEqual([pgid, unmarked].sort());
    expect(findMarkedProcesses(marker).sort()).toEqual(scan?.marked);
    expect(listLiveGroupMembers(pgid)?.sort()).toEqual(scan?.members);
    expect(findContained({ marker, cgroup: null, pgid, pgidTrusted: true }).sort()).toEqual([pgid, escaped, unmarked].sort());
    expect(scanProcesses(markerEntry(createRunMarker()), null)).toEqual({ marked: [], members: [] });
  });

  it('answers for a group that is gone', async () => {
    const { leader, lines } = startFamily(createRunMarker());
    await lines;
    const pgid = leader.pid ?? 0;
    process.kill(-pgid, 'SIGKILL');
    await new Promise((resolve) => leader.once('exit', resolve));
    for (let i = 0; i < 50 && (listLiveGroupMembers(pgid)?.length ?? 0) > 0; i++) await sleep(20);
    expect(listLiveGroupMembers(pgid)).toEqual([]);
    expect(scanProcesses(null, pgid)).toEqual({ marked: [], members: [] });
  });
});
