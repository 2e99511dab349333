import type { CapturedChanges } from '../repos/capture-diff.js';
import { findSecretsInPatch } from '../repos/secret-scan.js';
import type { RunSummary } from '../runs/summary.js';
import type { RunContext } from './run-context.js';

// The parts of a final summary.json beyond the outcome: changes, secrets in the diff, dropped output, structured output.

export function recordChanges(summary: RunSummary, captured: CapturedChanges): void {
  Object.assign(summary, {
    after_sha: captured.afterSha,
    after_tree: captured.afterTree,
    changes: captured.changes,
    files_changed: captured.filesChanged,
    insertions: captured.insertions,
    deletions: captured.deletions,
  } satisfies Partial<RunSummary>);
}

/**
 * A diff that carries a known secret (the agent wrote a key into a file): the files are
 * named in secrets_in_diff and a warning, the value never. diff.patch itself stays exact,
 * so that it still applies: users apply it, and a patch with [REDACTED] in it would put
 * that text in their code, or fail to apply.
 */
export function flagSecretsInDiff(ctx: RunContext, patch: Buffer): void {
  const files = findSecretsInPatch(patch, ctx.redactBytes);
  if (files.length === 0) return;
  ctx.summary.secrets_in_diff = files.map((file) => ({ file }));
  ctx.summary.warnings.push(`diff.patch holds a secret value (a key or token from the environment) in ${files.join(', ')}; review it before you apply or push it`);
}

/** What the caps of output.log and events.jsonl left out (dropped_output); absent when nothing was. */
export function recordDroppedOutput(ctx: RunContext): void {
  const dropped = { output_log_bytes: ctx.outputLog.droppedBytes, events: ctx.eventLog.droppedEvents, event_bytes: ctx.eventLog.droppedBytes };
  if (dropped.output_log_bytes > 0 || dropped.events > 0) ctx.summary.dropped_output = dropped;
}

/** summary.structured_output: with --output-schema only a valid one, else a warning says why there is none. */
export async function recordStructuredOutput(summary: RunSummary, schema: Record<string, unknown> | undefined, reported: unknown, finalMessage: string | null): Promise<void> {
  if (!schema) {
    if (reported !== undefined) summary.structured_output = reported;
    return;
  }
  // The validator (ajv) is loaded only by runs that have a schema.
  const { checkStructuredOutput } = await import('../runs/structured-output.js');
  const result = checkStructuredOutput(schema, reported, finalMessage);
  if (result.kind === 'valid') summary.structured_output = result.value;
  else summary.warnings.push(`no structured output: ${result.reason}`);
}
