import type { DoctorReport } from '../doctor/run-doctor.js';

const MARK = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;

/** One line a check: status, name, what was found, and how to fix it. */
export function renderDoctorReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((check) => check.name.length));
  const lines = report.checks.map((check) => {
    const hint = check.hint && check.status !== 'ok' ? ` — ${check.hint}` : '';
    return `${MARK[check.status]}  ${check.name.padEnd(width)}  ${check.detail}${hint}`;
  });
  const verdict = report.ready
    ? `ready: ${report.executors.join(', ')} can run`
    : `not ready for ${report.executors.join(', ')}: fix the FAIL lines above`;
  return `${lines.join('\n')}\n${verdict}\n`;
}
