import { truncateOutput, type AgentEvent } from '../events.js';
import type { LineParser } from './types.js';

/** Tolerant readers for the agents' JSON lines: a wrong type reads as absent, never throws. */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringField(value: JsonObject, key: string): string | undefined {
  const field = value[key];
  return typeof field === 'string' ? field : undefined;
}

export function numberField(value: JsonObject, key: string): number | undefined {
  const field = value[key];
  return typeof field === 'number' && Number.isFinite(field) ? field : undefined;
}

export function arrayField(value: JsonObject, key: string): unknown[] {
  const field = value[key];
  return Array.isArray(field) ? (field as unknown[]) : [];
}

/** An `unknown` event never carries more than this much of what the agent printed. */
const UNKNOWN_RAW_MAX_CHARS = 8_000;

function unknownEvent(raw: unknown, line: string): AgentEvent {
  return line.length > UNKNOWN_RAW_MAX_CHARS ? { type: 'unknown', raw: truncateOutput(line, UNKNOWN_RAW_MAX_CHARS) } : { type: 'unknown', raw };
}

/**
 * Wraps an agent's event mapper into a LineParser: blank lines give nothing; a line that is
 * not JSON, that the mapper does not recognise (undefined) or that makes it throw becomes
 * one `unknown` event (long lines cut), so nothing is dropped silently and nothing throws.
 */
export function createJsonLineParser(map: (value: unknown, line: string) => AgentEvent[] | undefined): LineParser {
  return (line: string): AgentEvent[] => {
    const trimmed = line.trim();
    if (trimmed === '') return [];
    let value: unknown;
    try {
      value = JSON.parse(trimmed) as unknown;
    } catch {
      return [unknownEvent(line, line)];
    }
    try {
      return map(value, trimmed) ?? [unknownEvent(value, line)];
    } catch {
      return [unknownEvent(value, line)];
    }
  };
}
