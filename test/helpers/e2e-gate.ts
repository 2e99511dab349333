import { describe, it } from 'vitest';

/** What an e2e suite does about missing pinned CLIs: run, skip (a dev machine), or fail (CI). */
export type E2eGate = 'run' | 'skip' | 'fail';

/** Under CI (`CI=true`, as GitHub Actions and most runners set it) a missing pinned CLI is a failure, not a skip. */
export function decideE2eGate(missing: string[], env: NodeJS.ProcessEnv): E2eGate {
  if (missing.length === 0) return 'run';
  const ci = (env.CI ?? '').toLowerCase();
  return ci !== '' && ci !== 'false' && ci !== '0' ? 'fail' : 'skip';
}

/**
 * Whether to skip an e2e suite. Skipping warns on a dev machine; under CI it also registers
 * a failing test, so a broken `npm ci` can never pass as a green run that tested nothing.
 */
export function skipE2eSuite(suite: string, missing: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  const gate = decideE2eGate(missing, env);
  if (gate === 'run') return false;
  const what = `${missing.join(', ')} missing from node_modules/.bin (run npm ci)`;
  if (gate === 'skip') {
    console.warn(`skipping ${suite}: ${what}`);
  } else {
    describe(suite, () => {
      it('needs the pinned agent CLIs under CI', () => {
        throw new Error(`CI=true and ${what}: the real-CLI tests cannot be skipped under CI`);
      });
    });
  }
  return true;
}
