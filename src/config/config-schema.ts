import { z } from 'zod';
import { REASONING_LEVELS } from '../executors/agent-options.js';

const duration = z.string().min(1);
const perExecutor = z.strictObject({ codex: z.string().min(1).optional(), claude: z.string().min(1).optional() });

/**
 * dispatch.config.json (in the dispatch home) and .dispatch.json (at a repo's root): defaults
 * for `dispatch run`, named as the flags are (camelCase). Unknown keys are errors: a typo
 * must not silently do nothing.
 */
export const configFileSchema = z.strictObject({
  executor: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  /** Model aliases, e.g. {"review": {"codex": "gpt-5.5", "claude": "opus"}}; `fast` and `smart` can be redefined. */
  models: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'alias names are letters, digits, _ . -'), perExecutor).optional(),
  reasoning: z.enum(REASONING_LEVELS).optional(),
  sandbox: z.enum(['read-only', 'workspace-write', 'full']).optional(),
  timeout: duration.optional(),
  idleTimeout: duration.optional(),
  check: z.string().min(1).optional(),
  checkTimeout: duration.optional(),
  setup: z.string().min(1).optional(),
  setupTimeout: duration.optional(),
  /** Text, or @FILE relative to the config file. */
  instructions: z.string().min(1).optional(),
  /** Files, relative to the config file. */
  mcpConfig: z.string().min(1).optional(),
  outputSchema: z.string().min(1).optional(),
  codexArgs: z.array(z.string()).optional(),
  claudeArgs: z.array(z.string()).optional(),
  /** KEY=VALUE, or KEY (passed on from dispatch's environment). */
  env: z.array(z.string()).optional(),
  cleanEnv: z.boolean().optional(),
  attempts: z.number().int().min(1).optional(),
  concurrency: z.number().int().min(1).optional(),
  /** Clean worktrees parked per repository for reuse (0 = off). */
  workspacePool: z.number().int().min(0).max(32).optional(),
});

export type ConfigFile = z.infer<typeof configFileSchema>;
