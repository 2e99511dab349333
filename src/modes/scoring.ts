import { formatDuration } from '../duration.js';
import { compareChanges, parseChanges, type ChangeSet } from './diff-similarity.js';

/** One finished best-of-N member, as scoring sees it. */
export interface Candidate {
  runId: string;
  /** summary outcome (DESIGN §10); only `success` is eligible to win */
  outcome: string;
  /** null = no `--check` was given */
  checkPassed: boolean | null;
  /** the run's diff.patch */
  patch: string;
  /** insertions + deletions */
  linesChanged: number;
  durationMs: number;
}

/** How one candidate scored; `rank` is 1 for the winner, null for ineligible candidates. */
export interface CandidateScore {
  runId: string;
  eligible: boolean;
  checkPassed: boolean | null;
  /** mean diff similarity to the other candidates' non-empty patches, rounded to 3 decimals */
  agreement: number;
  linesChanged: number;
  durationMs: number;
  rank: number | null;
}

/** The best-of-N verdict as recorded in group.json. */
export interface WinnerDecision {
  winner: string | null;
  /** one human sentence naming the rule that decided */
  reason: string;
  scores: CandidateScore[];
}

type Rule = 'check' | 'agreement' | 'size' | 'speed' | 'runId';

/**
 * Picks the best-of-N winner (DESIGN §6): among candidates whose outcome is `success`,
 * check passed first, then higher agreement, then smaller diff, then faster, then run id.
 * Agreement is measured against every other candidate with a non-empty patch, eligible
 * or not: a run whose check failed or that crashed after editing is still independent
 * evidence of what the change should look like, while empty patches carry no signal.
 */
export function pickWinner(candidates: Candidate[]): WinnerDecision {
  const agreements = measureAgreements(candidates);
  const scores = candidates.map((candidate, index) => toScore(candidate, agreements[index] ?? 1));
  const ranked = scores.filter((score) => score.eligible).sort(compareScores);
  ranked.forEach((score, index) => (score.rank = index + 1));
  const [first, second] = ranked;
  if (!first) return { winner: null, reason: 'no candidate succeeded', scores };
  const reason = second ? explainWin(first, second) : explainOnlyEligible(first, candidates);
  return { winner: first.runId, reason, scores };
}

function toScore(candidate: Candidate, agreement: number): CandidateScore {
  return {
    runId: candidate.runId,
    eligible: candidate.outcome === 'success',
    checkPassed: candidate.checkPassed,
    agreement,
    linesChanged: candidate.linesChanged,
    durationMs: candidate.durationMs,
    rank: null,
  };
}

// Each patch is parsed once; N is small, so the N² comparisons are cheap next to parsing.
function measureAgreements(candidates: Candidate[]): number[] {
  const sets = candidates.map((candidate) => parseChanges(candidate.patch));
  return sets.map((own, index) => {
    const others = sets.filter((set, other) => other !== index && set.total > 0);
    return roundAgreement(meanSimilarity(own, others));
  });
}

function meanSimilarity(own: ChangeSet, others: ChangeSet[]): number {
  if (others.length === 0) return 1;
  return others.reduce((sum, other) => sum + compareChanges(own, other), 0) / others.length;
}

// Rounded so that float noise in the fourth decimal never decides a winner.
function roundAgreement(value: number): number {
  return Math.round(value * 1_000) / 1_000;
}

function checkOrder(checkPassed: boolean | null): number {
  if (checkPassed === true) return 0;
  return checkPassed === null ? 1 : 2;
}

function compareScores(a: CandidateScore, b: CandidateScore): number {
  return compareBy(decidingRule(a, b), a, b);
}

/** The first rule on which two scores differ. */
function decidingRule(a: CandidateScore, b: CandidateScore): Rule {
  if (checkOrder(a.checkPassed) !== checkOrder(b.checkPassed)) return 'check';
  if (a.agreement !== b.agreement) return 'agreement';
  if (a.linesChanged !== b.linesChanged) return 'size';
  if (a.durationMs !== b.durationMs) return 'speed';
  return 'runId';
}

function compareBy(rule: Rule, a: CandidateScore, b: CandidateScore): number {
  switch (rule) {
    case 'check':
      return checkOrder(a.checkPassed) - checkOrder(b.checkPassed);
    case 'agreement':
      return b.agreement - a.agreement;
    case 'size':
      return a.linesChanged - b.linesChanged;
    case 'speed':
      return a.durationMs - b.durationMs;
    case 'runId':
      return a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0;
  }
}

function explainOnlyEligible(winner: CandidateScore, candidates: Candidate[]): string {
  const passedCount = candidates.filter((candidate) => candidate.checkPassed === true).length;
  if (winner.checkPassed === true && passedCount === 1) return 'the only candidate whose check passed';
  if (candidates.length === 1) return 'the only candidate';
  return 'the only candidate that succeeded';
}

function explainWin(winner: CandidateScore, runnerUp: CandidateScore): string {
  const checked = winner.checkPassed !== null || runnerUp.checkPassed !== null;
  const tie = (rules: string[]): string => `tie on ${joinWords(checked ? ['check', ...rules] : rules)}; `;
  switch (decidingRule(winner, runnerUp)) {
    case 'check':
      return winner.checkPassed === true ? 'the only candidate whose check passed' : 'the only candidate whose check did not fail';
    case 'agreement':
      return `${winner.checkPassed === true ? 'check passed; ' : ''}highest agreement with the other candidates (${formatAgreement(winner)} vs ${formatAgreement(runnerUp)})`;
    case 'size':
      return `${tie(['agreement'])}smallest diff (${winner.linesChanged} lines vs ${runnerUp.linesChanged})`;
    case 'speed':
      return `${tie(['agreement', 'diff size'])}fastest (${formatDurations(winner.durationMs, runnerUp.durationMs)})`;
    case 'runId':
      return `${tie(['agreement', 'diff size', 'duration'])}first by run id`;
  }
}

/** `3.5s vs 4.1s`; durations that would print alike get milliseconds (`3.512s vs 3.547s`), never a tie on paper. */
function formatDurations(winnerMs: number, runnerUpMs: number): string {
  const [a, b] = [formatDuration(winnerMs), formatDuration(runnerUpMs)];
  if (a !== b) return `${a} vs ${b}`;
  return `${(winnerMs / 1_000).toFixed(3)}s vs ${(runnerUpMs / 1_000).toFixed(3)}s`;
}

function formatAgreement(score: CandidateScore): string {
  return score.agreement.toFixed(3);
}

function joinWords(words: string[]): string {
  if (words.length < 2) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}
