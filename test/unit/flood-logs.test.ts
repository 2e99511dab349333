import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src/events.js';
import { startAgentProcess } from '../../src/process/agent-process.js';
import { createLineBlockSplitter, type LineBlock } from '../../src/process/line-splitter.js';
import { openEventLog } from '../../src/runs/event-log.js';
import { openOutputLog } from '../../src/runs/output-log.js';
import { createByteRedactor, createRedactor, createSecretScreen, REDACTED } from '../../src/runs/redact.js';

const SECRET = 'sk-flood-0123456789abcdefghijkl';
const env = { OPENAI_API_KEY: SECRET, DB_PASSWORD: 'pässwörd-"quoted"-1234' };

/** Every token shape the redactor knows, one sample each. */
const TOKENS = [
  'sk-ant-api03-aaaaaaaaaaaaaaaaaaaaaaaa',
  'sk-proj-abcdefghijklmnopqrstuvwx',
  'ghp_0123456789abcdefghijABCDEFGHIJ',
  'ghs_0123456789abcdefghijABCDEFGHIJ',
  'github_pat_0123456789abcdefghij_ABCDEF',
  'xoxb-0123456789-abcdef',
  'AKIAABCDEFGHIJKLMNOP',
  'glpat-0123456789abcdefghij',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
];

describe('the secret screen', () => {
  const screen = createSecretScreen(env);
  const redact = createRedactor(env);
  const redactBytes = createByteRedactor(env);

  it('finds every token shape and every encoded form of a secret, inside bytes of text around it', () => {
    const samples = [...TOKENS, SECRET, JSON.stringify(env.DB_PASSWORD).slice(1, -1), encodeURIComponent(env.DB_PASSWORD)];
    for (const sample of samples) {
      const bytes = Buffer.from(`build output ${sample} done`);
      expect(screen(bytes), sample).toBe(true);
      expect(redact(bytes.toString()), sample).toBe(`build output ${REDACTED} done`);
      expect(redactBytes(bytes).toString(), sample).toBe(`build output ${REDACTED} done`);
    }
  });

  it('lets text without any through untouched, the same buffer, no copy', () => {
    const bytes = Buffer.from('make step-3: ok (lamp, task_list, yellow Jar)\n'.repeat(100));
    expect(screen(bytes)).toBe(false);
    expect(redactBytes(bytes)).toBe(bytes);
    // An anchor alone (desk-) only costs the full search, which finds nothing to change.
    const anchored = Buffer.from('desk-lamp: sk-short\n');
    expect(screen(anchored)).toBe(true);
    expect(redactBytes(anchored).equals(anchored)).toBe(true);
  });
});

describe('line blocks', () => {
  it('give each chunk’s whole lines at once: the same lines, bytes with their newlines', () => {
    const blocks: LineBlock[] = [];
    const splitter = createLineBlockSplitter((block) => blocks.push(block), 32);
    splitter.push(Buffer.from('one\ntwo\r\nthr'));
    splitter.push(Buffer.from('ee\nfour\nfi'));
    splitter.push(Buffer.from('ve'));
    splitter.push(Buffer.from('x'.repeat(40)));
    splitter.push(Buffer.from('\nlast'));
    splitter.flush();
    expect(blocks.map((block) => block.bytes.toString())).toEqual(['one\ntwo\r\n', 'three\n', 'four\n', `five${'x'.repeat(40)}\n`, '\n', 'last\n']);
    expect(blocks.flatMap((block) => block.lines.map(String))).toEqual(['one', 'two\r', 'three', 'four', `five${'x'.repeat(40)}`, '', 'last']);
  });
});

describe('logs written a chunk at a time', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'dispatch-flood-logs-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Raw agent output with a secret cut across two reads, and lines enough to cross a cap. */
  const chunks = () => {
    const text = Array.from({ length: 200 }, (_, i) => `line ${i} ${i % 7 === 0 ? `key=${SECRET}` : 'plain'} ${'x'.repeat(i % 50)}`).join('\n');
    const at = text.indexOf(SECRET, 1000) + 10;
    return [Buffer.from(text.slice(0, at)), Buffer.from(`${text.slice(at)}\n`)];
  };

  it('output.log: the same bytes and dropped count as line by line, a secret split across reads redacted', async () => {
    for (const cap of [Number.POSITIVE_INFINITY, 5_000]) {
      const byBlock = openOutputLog(join(dir, `block-${cap}.log`), createByteRedactor(env), cap);
      const byLine = openOutputLog(join(dir, `line-${cap}.log`), createByteRedactor(env), cap);
      const splitter = createLineBlockSplitter((block) => {
        byBlock.writeBlock(block);
        for (const line of block.lines) byLine.writeLine(line);
      });
      for (const chunk of chunks()) splitter.push(chunk);
      splitter.flush();
      await Promise.all([byBlock.close(), byLine.close()]);
      const written = readFileSync(join(dir, `block-${cap}.log`));
      expect(written.equals(readFileSync(join(dir, `line-${cap}.log`)))).toBe(true);
      expect(written.includes(SECRET)).toBe(false);
      expect(written.toString().split(REDACTED).length - 1).toBe(cap === 5_000 ? 19 : 29);
      expect([byBlock.droppedBytes, byBlock.truncated]).toEqual([byLine.droppedBytes, byLine.truncated]);
      if (cap === 5_000) expect([byBlock.truncated, byBlock.droppedBytes > 3_000, byBlock.bytesWritten <= 5_000]).toEqual([true, true, true]);
    }
  });

  it('events.jsonl: one batch a turn, the same lines and counts as event by event, secrets redacted, run.* kept past the cap', async () => {
    const events: AgentEvent[] = Array.from({ length: 300 }, (_, i) =>
      i === 7 || i === 57 ? { type: 'message', text: `token ${TOKENS[i % TOKENS.length]} and “${env.DB_PASSWORD}”` } : { type: 'command', command: `make ${i}`, status: 'completed', exit_code: 0, output: 'ok\n'.repeat(i % 40) },
    );
    const now = new Date('2026-12-01T10:00:00.000Z');
    for (const cap of [Number.POSITIVE_INFINITY, 30_000]) {
      const batched = openEventLog(join(dir, `batched-${cap}.jsonl`), createRedactor(env), cap, createSecretScreen(env));
      const single = openEventLog(join(dir, `single-${cap}.jsonl`), createRedactor(env), cap);
      for (const log of [batched, single]) {
        log.append({ type: 'run.started', run_id: 'r', executor: 'codex' }, now);
        for (const [i, event] of events.entries()) {
          log.append(event, now);
          if (i % 100 === 99) await Promise.resolve();
        }
        log.append({ type: 'run.finished', status: 'completed', outcome: 'success', exit_code: 0 }, now);
      }
      await Promise.all([batched.close(), single.close()]);
      const text = readFileSync(join(dir, `batched-${cap}.jsonl`), 'utf8');
      expect(text).toBe(readFileSync(join(dir, `single-${cap}.jsonl`), 'utf8'));
      expect([batched.droppedEvents, batched.droppedBytes]).toEqual([single.droppedEvents, single.droppedBytes]);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('ghp_');
      const lines = text.trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string });
      expect(lines[0]?.type).toBe('run.started');
      expect(lines.at(-1)?.type).toBe('run.finished');
      if (cap === 30_000) expect(batched.droppedEvents).toBeGreaterThan(50);
    }
  });
});

describe('a sink that cannot keep up', () => {
  it('pauses the agent’s pipe while it drains: the dispatcher reads no more meanwhile, then reads everything', async () => {
    const flood = 'const line = "x".repeat(1023) + "\\n"; let n = 0; const go = () => { while (n < 16384) { n++; if (!process.stdout.write(line)) return process.stdout.once("drain", go); } }; go();';
    let received = 0;
    let atPause = -1;
    let release: () => void = () => undefined;
    const draining = new Promise<void>((resolve) => (release = resolve));
    const agent = startAgentProcess({
      invocation: { file: process.execPath, args: ['-e', flood], cwd: tmpdir(), env: { PATH: process.env.PATH ?? '' } },
      input: '',
      onStdoutLines: (block) => (received += block.bytes.length),
      waitForSink: () => {
        if (atPause !== -1) return undefined;
        atPause = received;
        return draining;
      },
      timeoutMs: 60_000,
      idleTimeoutMs: 60_000,
      graceMs: 1_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Paused: nothing more was taken from the pipe (the agent blocks on it instead).
    expect(atPause).toBeGreaterThan(0);
    expect(received).toBe(atPause);
    release();
    const result = await agent.done;
    expect(result.exitCode).toBe(0);
    expect(received).toBe(16384 * 1024);
  });
});
