/**
 * When does a usage limit reset? Pure parsing of the reset times both CLIs print
 * (docs/AGENT-FACTS.md "Usage limits"), into an ISO UTC string:
 * - claude "Claude AI usage limit reached|1764000000" (Unix seconds, older versions);
 * - claude 2.1 "resets 9am (Europe/Berlin)", "resets 2:21pm (…)", "resets Dec 5, 9am (…)",
 *   "resets Jan 3, 2027, 9am (…)": a wall-clock time in the named zone;
 * - codex 0.169 "try again at 3:15 PM." / "try again at Dec 2nd, 2026 3:15 PM." in the
 *   agent's local time zone (the dispatcher's, which the agent inherits);
 * - older codex "try again in 3 days 6 hours 57 minutes" and "Try again Aug 18.".
 * A clock time without a date is its next occurrence after `now`.
 */

export interface ResetParseOptions {
  /** IANA zone of times printed without one (default: this process's zone). */
  timeZone?: string;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?';
const DATE_PART = `${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?(?:,?\\s*(\\d{4}))?,?\\s+`;
const CLOCK_PART = '(\\d{1,2})(?::(\\d{2}))?\\s*([ap])\\.?m\\.?';
/** "resets …" (claude) or "try again at …" (codex), with an optional date and zone. */
const WALL_CLOCK = new RegExp(`(?:resets|try again at)\\s+(?:${DATE_PART})?${CLOCK_PART}(?:\\s*\\(([A-Za-z_]+(?:/[A-Za-z0-9_+-]+)*)\\))?`, 'i');
/** "Try again Aug 18." (a date, no time): the start of that day. */
const DATE_ONLY = new RegExp(`try again (?:on )?${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?(?:,?\\s*(\\d{4}))?\\b(?!\\s*,?\\s*\\d{1,2}(?::|\\s*[ap]m))`, 'i');
const EPOCH = /limit reached\|(\d{9,12})\b/i;
const RELATIVE = /try again in ((?:\d+\s*[a-z]+[\s,]*(?:and\s+)?)+)/i;
const DURATION_UNITS: readonly [RegExp, number][] = [
  [/^(days?|d)$/i, 86_400_000],
  [/^(hours?|hrs?|h)$/i, 3_600_000],
  [/^(minutes?|mins?|m)$/i, 60_000],
  [/^(seconds?|secs?|s)$/i, 1_000],
];
const DAY_MS = 86_400_000;

/** The reset time an agent's usage-limit text names, or undefined when it names none. */
export function parseQuotaResetAt(text: string, now: Date, opts: ResetParseOptions = {}): string | undefined {
  const epoch = EPOCH.exec(text)?.[1];
  if (epoch !== undefined) return epochSecondsToIso(Number(epoch));
  const relative = RELATIVE.exec(text)?.[1];
  if (relative !== undefined) {
    const millis = sumDuration(relative);
    return millis === undefined ? undefined : toIso(now.getTime() + millis);
  }
  const zoneDefault = opts.timeZone ?? localTimeZone();
  const clock = WALL_CLOCK.exec(text);
  if (clock) return parseWallClock(clock, now, zoneDefault);
  const dateOnly = DATE_ONLY.exec(text);
  if (dateOnly) return parseDateOnly(dateOnly, now, zoneDefault);
  return undefined;
}

/** An epoch in seconds (claude's `resetsAt`, a 429 body's `resets_at`) as ISO UTC. */
export function epochSecondsToIso(seconds: number): string | undefined {
  return Number.isFinite(seconds) && seconds > 0 ? toIso(seconds * 1000) : undefined;
}

/** This process's IANA time zone (what `TZ` says, else the system's). */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function parseWallClock(match: RegExpExecArray, now: Date, zoneDefault: string): string | undefined {
  const [, month, day, year, hour, minute, meridiem, zoneName] = match;
  const zone = zoneName !== undefined && isTimeZone(zoneName) ? zoneName : zoneDefault;
  const hours24 = toHours24(Number(hour), meridiem ?? 'a');
  const minutes = minute === undefined ? 0 : Number(minute);
  if (hours24 === undefined || minutes > 59) return undefined;
  if (month === undefined) return nextClockTime(now, zone, hours24, minutes);
  return datedTime(now, zone, { month, day, year }, hours24, minutes);
}

function parseDateOnly(match: RegExpExecArray, now: Date, zone: string): string | undefined {
  const [, month, day, year] = match;
  return datedTime(now, zone, { month, day, year }, 0, 0);
}

/** A wall-clock date in `zone`; without a year, the next such date from `now` on. */
function datedTime(
  now: Date,
  zone: string,
  date: { month: string | undefined; day: string | undefined; year: string | undefined },
  hours: number,
  minutes: number,
): string | undefined {
  const monthIndex = MONTHS.indexOf((date.month ?? '').slice(0, 3).toLowerCase());
  const day = Number(date.day);
  if (monthIndex < 0 || !(day >= 1 && day <= 31)) return undefined;
  const yearNow = wallClockOf(now.getTime(), zone).year;
  const year = date.year === undefined ? yearNow : Number(date.year);
  let millis = zonedToUtc({ year, month: monthIndex + 1, day, hours, minutes }, zone);
  if (date.year === undefined && millis < now.getTime() - DAY_MS) {
    millis = zonedToUtc({ year: year + 1, month: monthIndex + 1, day, hours, minutes }, zone);
  }
  return toIso(millis);
}

/** The next time the clock in `zone` shows hours:minutes (today, or tomorrow if that has passed). */
function nextClockTime(now: Date, zone: string, hours: number, minutes: number): string | undefined {
  const today = wallClockOf(now.getTime(), zone);
  let millis = zonedToUtc({ ...today, hours, minutes }, zone);
  // The agent printed it a moment ago: a time a minute or so past is still today's.
  if (millis < now.getTime() - 5 * 60_000) millis = zonedToUtc({ ...today, day: today.day + 1, hours, minutes }, zone);
  return toIso(millis);
}

function toHours24(hour: number, meridiem: string): number | undefined {
  if (!(hour >= 1 && hour <= 12)) return undefined;
  const pm = meridiem.toLowerCase() === 'p';
  return (hour % 12) + (pm ? 12 : 0);
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hours: number;
  minutes: number;
}

const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = FORMATTERS.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    FORMATTERS.set(zone, formatter);
  }
  return formatter;
}

function isTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** What the clock in `zone` shows at the instant `millis`. */
function wallClockOf(millis: number, zone: string): WallClock {
  const parts = Object.fromEntries(formatterFor(zone).formatToParts(new Date(millis)).map((part) => [part.type, part.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hours: Number(parts.hour),
    minutes: Number(parts.minute),
  };
}

/** The instant at which the clock in `zone` shows `wall` (Date.UTC normalises day 32 etc.). */
function zonedToUtc(wall: WallClock, zone: string): number {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hours, wall.minutes);
  let guess = asUtc;
  // Two rounds settle the zone offset, daylight-saving changes included.
  for (let round = 0; round < 2; round += 1) guess = asUtc - offsetOf(guess, zone);
  return guess;
}

function offsetOf(millis: number, zone: string): number {
  const wall = wallClockOf(millis, zone);
  const shown = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hours, wall.minutes);
  return shown - Math.floor(millis / 60_000) * 60_000;
}

function sumDuration(text: string): number | undefined {
  let total = 0;
  let found = false;
  for (const part of text.matchAll(/(\d+)\s*([a-z]+)/gi)) {
    const unit = DURATION_UNITS.find(([pattern]) => pattern.test(part[2] ?? ''))?.[1];
    if (unit === undefined) continue;
    total += Number(part[1]) * unit;
    found = true;
  }
  return found ? total : undefined;
}

function toIso(millis: number): string | undefined {
  const date = new Date(millis);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
