import { describe, expect, it } from 'vitest';
import { decideE2eGate } from '../helpers/e2e-gate.js';

describe('the e2e gate for missing pinned CLIs', () => {
  it('runs when both CLIs are installed, CI or not', () => {
    expect(decideE2eGate([], { CI: 'true' })).toBe('run');
    expect(decideE2eGate([], {})).toBe('run');
  });

  it('skips on a dev machine, fails under CI', () => {
    expect(decideE2eGate(['codex'], {})).toBe('skip');
    expect(decideE2eGate(['codex'], { CI: 'false' })).toBe('skip');
    expect(decideE2eGate(['codex', 'claude'], { CI: 'true' })).toBe('fail');
    expect(decideE2eGate(['claude'], { CI: '1' })).toBe('fail');
  });
});
