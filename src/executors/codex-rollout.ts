/**
 * What codex 0.169 keeps in its rollout (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<ts>-<thread
 * id>.jsonl`) and does not print with `exec --json`: the model it used (`turn_context.model`,
 * also when it comes from config.toml) and, from its rate-limit snapshots (`token_count`
 * events, filled from the `x-codex-primary-*` / `-secondary-*` headers), the exact reset of a
 * used-up window — the message says only "try again at 3:15 PM", or "later".
 */
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isObject, numberField, stringField, type JsonObject } from './json-fields.js';
import { epochSecondsToIso } from './quota-reset.js';
import type { SessionFacts } from './types.js';

/** Reads the facts of one codex thread from its rollout; {} when there is none. */
export async function readCodexRollout(agentHome: string, threadId: string): Promise<SessionFacts> {
  const file = await findRollout(join(agentHome, 'sessions'), threadId);
  if (!file) return {};
  const facts: SessionFacts = {};
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) foldRolloutLine(facts, line);
  return facts;
}

/** Folds one rollout line into the facts. Pure apart from mutating `facts`. */
export function foldRolloutLine(facts: SessionFacts, line: string): void {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return;
  }
  if (!isObject(value) || !isObject(value.payload)) return;
  const payload = value.payload;
  if (value.type === 'turn_context') {
    const model = stringField(payload, 'model');
    if (model) facts.model = model;
    return;
  }
  if (payload.type === 'token_count' && isObject(payload.rate_limits)) {
    const resetAt = exhaustedWindowReset(payload.rate_limits);
    if (resetAt) facts.usageLimitResetAt = resetAt;
  }
}

/** The latest reset among windows used up to 100 %, as ISO UTC. */
function exhaustedWindowReset(limits: JsonObject): string | undefined {
  const resets = [limits.primary, limits.secondary]
    .filter(isObject)
    .filter((window) => (numberField(window, 'used_percent') ?? 0) >= 100)
    .map((window) => numberField(window, 'resets_at'))
    .filter((seconds): seconds is number => seconds !== undefined);
  return resets.length === 0 ? undefined : epochSecondsToIso(Math.max(...resets));
}

async function findRollout(sessionsDir: string, threadId: string): Promise<string | undefined> {
  let entries: string[];
  try {
    entries = await readdir(sessionsDir, { recursive: true });
  } catch {
    return undefined;
  }
  const name = entries.filter((entry) => entry.endsWith(`-${threadId}.jsonl`)).sort().at(-1);
  return name === undefined ? undefined : join(sessionsDir, name);
}
