/**
 * --output-schema's result: the agent's structured final answer (claude's
 * `result.structured_output`, codex's final message as JSON), validated with Ajv.
 */
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';

type Schema = Record<string, unknown>;

/** Compiles a JSON Schema (draft-07, or 2020-12 when its `$schema` says so); throws with Ajv's message when it is not one. */
export function compileOutputSchema(schema: Schema): ValidateFunction {
  const is2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
  const ajv = is2020 ? new Ajv2020({ strict: false, allErrors: true }) : new Ajv({ strict: false, allErrors: true });
  return ajv.compile(schema);
}

/** What a run's structured output came to: the value when it matches the schema, else why not. */
export type StructuredOutputResult = { kind: 'valid'; value: unknown } | { kind: 'invalid'; reason: string };

/**
 * Picks the structured output (the agent's own, else the final message parsed as JSON) and
 * validates it against the schema. Pure apart from Ajv's compilation.
 */
export function checkStructuredOutput(schema: Schema, reported: unknown, finalMessage: string | null): StructuredOutputResult {
  let value = reported;
  if (value === undefined) {
    if (finalMessage === null || finalMessage.trim() === '') return { kind: 'invalid', reason: 'the agent gave no final answer' };
    try {
      value = JSON.parse(finalMessage) as unknown;
    } catch {
      return { kind: 'invalid', reason: 'the final answer is not JSON' };
    }
  }
  const validate = compileOutputSchema(schema);
  if (validate(value)) return { kind: 'valid', value };
  const problems = (validate.errors ?? []).slice(0, 5).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
  return { kind: 'invalid', reason: `it does not match --output-schema: ${problems.join('; ')}` };
}
