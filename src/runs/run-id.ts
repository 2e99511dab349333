import { randomChars } from './random-bytes.js';

// Not nanoid: it loads node:crypto with it (list and show parse ids, they make none), and
// its getRandomValues loads node's Web Crypto API on first use (~1.5 ms of a run's start).
const randomPart = () => randomChars('abcdefghijklmnopqrstuvwxyz0123456789', 4);

/**
 * The 6-char suffix: the millisecond in base 36 (2 chars; base-36 digits sort like ASCII),
 * then 4 random chars. Ids of one second then sort in start order.
 */
function suffixFor(now: Date): string {
  return `${now.getUTCMilliseconds().toString(36).padStart(2, '0')}${randomPart()}`;
}

/** YYYYMMDD-HHMMSS in UTC, so ids sort by start time whatever the machine's zone. */
export function formatIdTimestamp(date: Date): string {
  const iso = date.toISOString(); // 2026-11-24T03:19:59.123Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/** run-id = YYYYMMDD-HHMMSS-<executor>-<6 chars a-z0-9> (DESIGN §2). */
export function createRunId(executor: string, now: Date, random: () => string = () => suffixFor(now)): string {
  return `${formatIdTimestamp(now)}-${executor}-${random()}`;
}

/** group-id = YYYYMMDD-HHMMSS-group-<6>. */
export function createGroupId(now: Date, random: () => string = () => suffixFor(now)): string {
  return `${formatIdTimestamp(now)}-group-${random()}`;
}


/** Orders run and group ids by start time (timestamp, then the millisecond suffix), whatever the executor. */
export function compareRunIds(a: string, b: string): number {
  const key = (id: string) => `${id.slice(0, 15)}-${id.slice(-6)}`;
  const ka = key(a);
  const kb = key(b);
  return ka < kb ? -1 : ka > kb ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

/** What a run id alone tells: its UTC start second and its executor. */
export interface RunIdParts {
  id: string;
  startedMs: number;
  executor: string;
}

const ENTRY_ID = /^(\d{4})(\d\d)(\d\d)-(\d\d)(\d\d)(\d\d)-([a-z0-9]+)-[a-z0-9]{6}$/;

/** Splits a run or group id (a group's executor is `group`); null for anything else. */
export function parseEntryId(id: string): RunIdParts | null {
  const match = ENTRY_ID.exec(id);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const startedMs = Date.UTC(year, month - 1, day, hour, minute, second);
  return Number.isNaN(startedMs) ? null : { id, startedMs, executor: match[7] ?? '' };
}

/** Splits a run id; null for group ids and anything else that is not a run. */
export function parseRunId(id: string): RunIdParts | null {
  const parts = parseEntryId(id);
  return parts && parts.executor !== 'group' ? parts : null;
}
