import { describe, expect, it } from 'vitest';
import { pickWinner, type Candidate } from '../../src/modes/scoring.js';

function patchAdding(path: string, lines: string[]): string {
  const body = lines.map((line) => `+${line}`).join('\n');
  return `diff --git a/${path} b/${path}
index 7d65831..c79529d 100644
--- a/${path}
+++ b/${path}
@@ -1,2 +1,${2 + lines.length} @@
 export function add(a, b) {
${body}
   return a + b;
`;
}

const GUARD = patchAdding('src/math.js', ["  if (typeof a !== 'number') throw new TypeError('a');"]);
const GUARD_BOTH = patchAdding('src/math.js', [
  "  if (typeof a !== 'number') throw new TypeError('a');",
  "  if (typeof b !== 'number') throw new TypeError('b');",
]);
const COERCE = patchAdding('src/math.js', ['  a = Number(a);', '  b = Number(b);']);

function candidate(runId: string, overrides: Partial<Candidate> = {}): Candidate {
  return { runId, outcome: 'success', checkPassed: true, patch: GUARD, linesChanged: 1, durationMs: 41_200, ...overrides };
}

describe('pickWinner', () => {
  it('has no winner without candidates', () => {
    expect(pickWinner([])).toEqual({ winner: null, reason: 'no candidate succeeded', scores: [] });
  });

  it('has no winner when no candidate succeeded, and ranks nobody', () => {
    const decision = pickWinner([
      candidate('r1', { outcome: 'check_failed', checkPassed: false }),
      candidate('r2', { outcome: 'agent_error', checkPassed: null, patch: '' }),
      candidate('r3', { outcome: 'no_changes', patch: '' }),
    ]);
    expect(decision.winner).toBeNull();
    expect(decision.reason).toBe('no candidate succeeded');
    expect(decision.scores.map((score) => [score.runId, score.eligible, score.rank])).toEqual([
      ['r1', false, null],
      ['r2', false, null],
      ['r3', false, null],
    ]);
  });

  it('lets a single candidate win', () => {
    const decision = pickWinner([candidate('r1', { checkPassed: null })]);
    expect(decision).toMatchObject({ winner: 'r1', reason: 'the only candidate' });
    expect(decision.scores).toEqual([
      { runId: 'r1', eligible: true, checkPassed: null, agreement: 1, linesChanged: 1, durationMs: 41_200, rank: 1 },
    ]);
  });

  it('picks the only candidate whose check passed over failed checks', () => {
    const decision = pickWinner([
      candidate('r1', { outcome: 'check_failed', checkPassed: false, patch: COERCE, linesChanged: 2 }),
      candidate('r2'),
      candidate('r3', { outcome: 'timeout', checkPassed: null, patch: '' }),
    ]);
    expect(decision.winner).toBe('r2');
    expect(decision.reason).toBe('the only candidate whose check passed');
    expect(decision.scores.map((score) => score.rank)).toEqual([null, 1, null]);
  });

  it('picks the only successful candidate when there is no check', () => {
    const decision = pickWinner([candidate('r1', { outcome: 'agent_error', checkPassed: null }), candidate('r2', { checkPassed: null })]);
    expect(decision).toMatchObject({ winner: 'r2', reason: 'the only candidate that succeeded' });
  });

  it('ranks check passed above check unknown, before agreement', () => {
    const decision = pickWinner([
      candidate('r1', { checkPassed: null }),
      candidate('r2', { checkPassed: null }),
      candidate('r3', { patch: COERCE, linesChanged: 2 }),
    ]);
    expect(decision.winner).toBe('r3');
    expect(decision.reason).toBe('the only candidate whose check passed');
    expect(decision.scores.map((score) => score.rank)).toEqual([2, 3, 1]);
  });

  it('prefers agreement with the other candidates over a smaller diff', () => {
    const guardBothAndLog = patchAdding('src/math.js', [
      "  if (typeof a !== 'number') throw new TypeError('a');",
      "  if (typeof b !== 'number') throw new TypeError('b');",
      "  console.log('adding', a, b);",
    ]);
    const decision = pickWinner([
      candidate('r1', { patch: COERCE, linesChanged: 2 }),
      candidate('r2', { patch: GUARD_BOTH, linesChanged: 2 }),
      candidate('r3', { patch: GUARD, linesChanged: 1 }),
      candidate('r4', { patch: guardBothAndLog, linesChanged: 3 }),
    ]);
    // r2: (0 + 1/2 + 2/3) / 3; r4: (0 + 2/3 + 1/3) / 3; r3: (0 + 1/2 + 1/3) / 3
    expect(decision.scores.map((score) => score.agreement)).toEqual([0, 0.389, 0.278, 0.333]);
    expect(decision.winner).toBe('r2');
    expect(decision.reason).toBe('check passed; highest agreement with the other candidates (0.389 vs 0.333)');
    expect(decision.scores.map((score) => score.rank)).toEqual([4, 1, 3, 2]);
  });

  it('measures agreement against ineligible candidates too, ignoring empty patches', () => {
    const decision = pickWinner([
      candidate('r1', { patch: COERCE, linesChanged: 2, checkPassed: null }),
      candidate('r2', { patch: GUARD_BOTH, linesChanged: 2, checkPassed: null }),
      candidate('r3', { outcome: 'agent_error', checkPassed: null, patch: GUARD_BOTH }),
      candidate('r4', { outcome: 'no_changes', checkPassed: null, patch: '' }),
    ]);
    expect(decision.winner).toBe('r2');
    expect(decision.reason).toBe('highest agreement with the other candidates (0.500 vs 0.000)');
    expect(decision.scores.map((score) => score.agreement)).toEqual([0, 0.5, 0.5, 0]);
  });

  it('rounds agreement to 3 decimals so float noise falls through to diff size', () => {
    const lines = Array.from({ length: 4_000 }, (_, i) => `  total += ${i};`);
    const reference = patchAdding('src/sum.js', lines);
    const decision = pickWinner([
      candidate('r1', { patch: reference, linesChanged: 4_000 }),
      candidate('r2', { patch: patchAdding('src/sum.js', lines.slice(0, 3_999)), linesChanged: 3_999 }),
      candidate('r3', { outcome: 'check_failed', checkPassed: false, patch: reference, linesChanged: 4_000 }),
    ]);
    // unrounded, r1 (0.999875) would beat r2 (0.99975)
    expect(decision.scores.map((score) => score.agreement)).toEqual([1, 1, 1]);
    expect(decision.winner).toBe('r2');
    expect(decision.reason).toBe('tie on check and agreement; smallest diff (3999 lines vs 4000)');
  });

  it('breaks a tie on check and agreement by the smaller diff', () => {
    const decision = pickWinner([candidate('r1', { linesChanged: 40 }), candidate('r2', { linesChanged: 12 })]);
    expect(decision).toMatchObject({ winner: 'r2', reason: 'tie on check and agreement; smallest diff (12 lines vs 40)' });
  });

  it('leaves the check out of the sentence when there was none', () => {
    const decision = pickWinner([candidate('r1', { checkPassed: null, linesChanged: 40 }), candidate('r2', { checkPassed: null, linesChanged: 12 })]);
    expect(decision.reason).toBe('tie on agreement; smallest diff (12 lines vs 40)');
  });

  it('breaks a tie on check, agreement and size by speed', () => {
    const decision = pickWinner([candidate('r1', { durationMs: 55_000 }), candidate('r2', { durationMs: 41_200 })]);
    expect(decision).toMatchObject({ winner: 'r2', reason: 'tie on check, agreement and diff size; fastest (41.2s vs 55.0s)' });
    expect(decision.scores.map((score) => score.rank)).toEqual([2, 1]);
  });

  it('falls back to the run id for a total order', () => {
    const decision = pickWinner([candidate('20261124-030405-codex-zzz999'), candidate('20261124-030405-claude-aaa111')]);
    expect(decision.winner).toBe('20261124-030405-claude-aaa111');
    expect(decision.reason).toBe('tie on check, agreement, diff size and duration; first by run id');
  });
});
