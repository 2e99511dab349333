import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createByteLineSplitter } from '../../src/process/line-splitter.js';
import { createByteRedactor, REDACTED } from '../../src/runs/redact.js';
import { readEvents, readJson, runCli, testEnv } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';
import { runDirs } from './reliability-helpers.js';

const KEY = 'sk-test-0123456789abcdefghijklmnop';

describe('output.log keeps the raw bytes, secrets redacted on bytes', () => {
  it('bytes that are not UTF-8 stay as they were; a secret split across chunks is still removed', () => {
    const secret = 'pässwörd-ß-1234';
    const redact = createByteRedactor({ DB_PASSWORD: secret });
    const raw = Buffer.concat([Buffer.from([0xff, 0xc3]), Buffer.from(`<${secret}>`), Buffer.from([0x80, 0xe2, 0x82])]);
    const lines: Buffer[] = [];
    const splitter = createByteLineSplitter((line) => lines.push(redact(line)));
    // Cut in the middle of the secret's two-byte ä and of the invalid tail.
    for (const cut of [[0, 4], [4, 9], [9, raw.length]] as const) splitter.push(raw.subarray(cut[0], cut[1]));
    splitter.push(Buffer.from('\n'));
    splitter.flush();
    expect(lines).toEqual([Buffer.concat([Buffer.from([0xff, 0xc3]), Buffer.from(`<${REDACTED}>`), Buffer.from([0x80, 0xe2, 0x82])])]);
    const untouched = Buffer.from([0xfe, 0x41, 0xc0]);
    expect(redact(untouched)).toBe(untouched);
  });

  describe('in a run', () => {
    let home: string;
    let repo: string;
    beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-output-bytes-')));
    afterEach(() => cleanRunHome(home));

    it.each(['codex', 'claude'])('%s: binary stdout lands in output.log byte for byte, no U+FFFD', async (executor) => {
      const result = await runCli(['-e', executor, repo, '[scenario:binary-output]'], { env: testEnv(home) });
      expect(result.exitCode).toBe(0);
      const log = readFileSync(join(runDirs(home)[0] ?? '', 'output.log'));
      const expected = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3]), Buffer.from(` key=${REDACTED} `), Buffer.from([0xe2, 0x82, 0x0a])]);
      expect(log.includes(expected)).toBe(true);
      expect(log.includes(Buffer.from([0xef, 0xbf, 0xbd]))).toBe(false);
      expect(log.includes(Buffer.from(KEY))).toBe(false);
    });
  });
});

describe('events.jsonl is capped like output.log', () => {
  let home: string;
  let repo: string;
  beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-event-cap-')));
  afterEach(() => cleanRunHome(home));

  it('a flood: cut at the cap with a warning event, the rest counted in summary.json, run.finished still last', async () => {
    const cap = 1024 * 1024;
    const started = Date.now();
    const result = await runCli(['-e', 'codex', repo, '[scenario:huge]'], {
      env: testEnv(home, { FAKE_AGENT_HUGE_MB: '40', DISPATCH_OUTPUT_CAP_BYTES: String(cap) }),
    });
    const elapsed = Date.now() - started;
    expect(result.exitCode).toBe(0);
    const dir = runDirs(home)[0] ?? '';
    const eventsPath = join(dir, 'events.jsonl');
    expect(statSync(eventsPath).size).toBeLessThan(cap + 64 * 1024);
    const events = readEvents(eventsPath);
    const marker = events.find((event) => event.type === 'warning');
    expect(String(marker?.message)).toContain(`events.jsonl cut at ${cap} bytes`);
    expect(events.at(-1)?.type).toBe('run.finished');
    const summary = readJson<{ dropped_output?: { output_log_bytes: number; events: number; event_bytes: number }; outcome: string }>(join(dir, 'summary.json'));
    expect(summary.outcome).toBe('success');
    // 40 MB of stdout: all but the first MB of each log was dropped, and counted.
    expect(summary.dropped_output?.output_log_bytes).toBeGreaterThan(38 * 1024 * 1024);
    expect(summary.dropped_output?.events).toBeGreaterThan(30_000);
    expect(summary.dropped_output?.event_bytes).toBeGreaterThan(30 * 1024 * 1024);
    console.log(`[event-cap] 40 MB flood through both caps: ${elapsed} ms in all (${(40 / (elapsed / 1000)).toFixed(1)} MB/s)`);
  });
});
