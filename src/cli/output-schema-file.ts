import { UsageError } from '../errors.js';
import { compileOutputSchema } from '../runs/structured-output.js';
import { readUserFile } from './run-options.js';

/** Reads --output-schema and checks that it is a JSON Schema object Ajv can compile. */
export async function readOutputSchemaFile(path: string): Promise<Record<string, unknown>> {
  const text = await readUserFile('--output-schema', path);
  let schema: unknown;
  try {
    schema = JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`--output-schema ${path} is not valid JSON: ${(error as Error).message}`, 'fix the file');
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new UsageError(`--output-schema ${path} is not a JSON Schema object`, 'use e.g. {"type": "object", "properties": {...}}');
  }
  try {
    compileOutputSchema(schema as Record<string, unknown>);
  } catch (error) {
    throw new UsageError(`--output-schema ${path} is not a valid JSON Schema: ${(error as Error).message}`, 'fix the schema');
  }
  return schema as Record<string, unknown>;
}
