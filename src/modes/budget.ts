import type { Usage } from '../events.js';

/** Live spending of a group, from each run's latest usage report (DESIGN §7b). */
export interface BudgetTracker {
  /** Records a run's latest usage; returns true when the group is now over budget. */
  record(runId: string, usage: Usage | undefined, costUsd: number | undefined): boolean;
  spent(): { tokens: number; usd: number };
  readonly exceeded: boolean;
}

export function createBudgetTracker(limits: { usd?: number | undefined; tokens?: number | undefined }): BudgetTracker {
  const perRun = new Map<string, { tokens: number; usd: number }>();
  let exceeded = false;
  const spent = () => {
    let tokens = 0;
    let usd = 0;
    for (const entry of perRun.values()) {
      tokens += entry.tokens;
      usd += entry.usd;
    }
    return { tokens, usd };
  };
  return {
    record(runId, usage, costUsd) {
      const previous = perRun.get(runId) ?? { tokens: 0, usd: 0 };
      // Both agents report totals so far (codex per thread, claude per run): replace, don't add.
      perRun.set(runId, {
        tokens: usage ? usage.input_tokens + usage.output_tokens : previous.tokens,
        usd: costUsd ?? previous.usd,
      });
      const now = spent();
      if ((limits.tokens !== undefined && now.tokens > limits.tokens) || (limits.usd !== undefined && now.usd > limits.usd)) {
        exceeded = true;
      }
      return exceeded;
    },
    spent,
    get exceeded() {
      return exceeded;
    },
  };
}
