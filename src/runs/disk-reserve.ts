import { rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A run directory holds a hidden reserve file from its creation: when the disk fills up
 * (an agent writing without bound), removing it makes room for the final summary.json and
 * the last events, so the run still ends with an honest, final summary.
 */
export const RESERVE_NAME = '.disk-reserve';
export const RESERVE_BYTES = 1024 * 1024;

let zeros: Buffer | undefined;

/** The reserve's bytes: one zero-filled buffer per process, shared by every run it creates. */
export function reserveContent(): Buffer {
  zeros ??= Buffer.alloc(RESERVE_BYTES);
  return zeros;
}

/** Frees the reserve of a run directory (gone already: nothing to do). */
export async function releaseReserve(runDir: string): Promise<void> {
  await rm(join(runDir, RESERVE_NAME), { force: true });
}
