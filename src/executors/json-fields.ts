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
