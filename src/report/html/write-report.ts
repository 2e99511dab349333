import { join, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { writeFileAtomically } from '../../runs/atomic-write.js';
import { loadReportAssets } from './assets.js';
import { renderReport } from './render-report.js';
import { REPORT_FILE } from './report-file.js';
import { readReportInput } from './report-input.js';


/**
 * Writes the HTML report of a run or group (`ref` as `dispatch show` takes it) to `outPath`,
 * by default `report.html` in its directory, atomically. Returns where it went and what it shows.
 */
export async function writeReport(opts: { runsDir: string; ref: string; outPath?: string | undefined; cwd: string; now?: Date }): Promise<{ path: string; kind: 'run' | 'group'; id: string; bytes: number }> {
  const [input, assets] = await Promise.all([readReportInput(opts.runsDir, opts.ref), loadReportAssets()]);
  const html = renderReport(input, assets, opts.now ?? new Date());
  const path = opts.outPath ? resolve(opts.cwd, opts.outPath) : join(input.dir, REPORT_FILE);
  try {
    await writeFileAtomically(path, html);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EACCES' && code !== 'EISDIR' && code !== 'ENOTDIR') throw error;
    throw new UsageError(`cannot write the report to ${path} (${code})`, 'pass -o with a file in a directory that exists and is writable');
  }
  return { path, kind: input.kind, id: input.id, bytes: Buffer.byteLength(html) };
}
