import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedactor, listEncodedForms, REDACTED } from '../../src/runs/redact.js';
import { runCli, testEnv } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';
import { runDirs } from './reliability-helpers.js';

// A secret holding `"`, a backslash, a space and non-ASCII: agents print it JSON-escaped
// (once, or twice inside tool-call arguments) and URL-encoded, never only as is.
const SECRET = 'pa"ss\\wörd 1234';

describe('a secret in every form an agent prints it', () => {
  it('the redactor removes its JSON-escaped and URL-encoded forms', () => {
    const redact = createRedactor({ DB_PASSWORD: SECRET });
    const samples = [
      SECRET,
      JSON.stringify(SECRET),
      JSON.stringify(JSON.stringify({ content: SECRET })),
      JSON.stringify(SECRET).replace(/[^ -~]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
      encodeURIComponent(SECRET),
      encodeURIComponent(SECRET).toLowerCase(),
      new URLSearchParams({ p: SECRET }).toString(),
    ];
    for (const sample of samples) {
      const out = redact(`before ${sample} after`);
      expect(out, sample).toContain(REDACTED);
      expect(out, sample).not.toMatch(/ss|1234/);
    }
    expect(listEncodedForms('plain-token-value')).toContain('plain-token-value');
    expect(redact('an ordinary line')).toBe('an ordinary line');
  });

  describe('in a run', () => {
    let home: string;
    let repo: string;
    beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-secret-forms-')));
    afterEach(() => cleanRunHome(home));

    it.each(['codex', 'claude'])('%s: output.log, events.jsonl and summary.json carry none of them', async (executor) => {
      const env = testEnv(home, { DB_PASSWORD: SECRET, FAKE_AGENT_SECRET_VAR: 'DB_PASSWORD' });
      const result = await runCli(['-e', executor, repo, '[scenario:secret-encoded]'], { env });
      expect(result.exitCode).toBe(0);
      const [dir] = runDirs(home);
      const files = ['output.log', 'events.jsonl', 'summary.json'].map((name) => readFileSync(join(dir ?? '', name), 'utf8'));
      const [outputLog = '', events = ''] = files;
      // The fake agent did print them (its commands and its message, in its JSON).
      expect(outputLog.split(REDACTED).length - 1).toBeGreaterThanOrEqual(5);
      expect(events).toContain(REDACTED);
      for (const text of [...files, result.stdout, result.stderr]) {
        for (const form of listEncodedForms(SECRET)) expect(text).not.toContain(form);
        expect(text).not.toMatch(/pa(%22|\\*"|\\*u0022)ss/i);
      }
    });
  });
});
