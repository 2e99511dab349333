import { describe, expect, it } from 'vitest';
import type { TimedEvent } from '../../src/events.js';
import { escapeHtml, toScriptJson } from '../../src/report/html/escape.js';
import { preparePatch } from '../../src/report/html/prepare-patch.js';
import { renderTimeline } from '../../src/report/html/render-timeline.js';
import { buildTimeline } from '../../src/report/html/timeline.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

describe('escaping', () => {
  it('escapeHtml leaves no markup or attribute break', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
  });

  it('toScriptJson cannot end its script element, and parses back to the same text', () => {
    const text = '</script><!-- <script>x</script> & \u2028';
    const json = toScriptJson(text);
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toBe(text);
  });
});

describe('preparePatch', () => {
  const file = (name: string, body: string) => `diff --git a/${name} b/${name}\n--- a/${name}\n+++ b/${name}\n@@ -1 +1 @@\n${body}\n`;

  it('a patch read in part ends at its last whole file and says it was cut', () => {
    const whole = file('a.txt', '-x\n+y') + file('b.txt', '-p\n+q');
    const cutAt = whole.length - 5;
    const prepared = preparePatch({ text: whole.slice(0, cutAt), bytes: whole.length, cut: true, path: '/r/diff.patch' });
    expect(prepared).toEqual({ text: file('a.txt', '-x\n+y'), files: 1, cut: true });
  });

  it('a binary payload becomes the "Binary files … differ" line', () => {
    const patch = 'diff --git a/blob.bin b/blob.bin\nnew file mode 100644\nindex 0000000..e69de29\nGIT binary patch\nliteral 8\nPcmZQzWMXGxWMTjS00IC4\n\nliteral 0\nHcmV?d00001\n\n' + file('c.txt', '+z');
    const prepared = preparePatch({ text: patch, bytes: patch.length, cut: false, path: '/r/diff.patch' });
    expect(prepared.files).toBe(2);
    expect(prepared.text).toContain('index 0000000..e69de29\nBinary files a/blob.bin and b/blob.bin differ\ndiff --git a/c.txt b/c.txt');
    expect(prepared.text).not.toContain('literal 8');
  });
});

describe('buildTimeline', () => {
  const events: TimedEvent[] = [
    { ts: at(2), type: 'run.started', run_id: 'r1', executor: 'codex' },
    { ts: at(2.5), type: 'turn.started' },
    { ts: at(3), type: 'command', command: 'npm test', status: 'in_progress' },
    { ts: at(8), type: 'command', command: 'npm test', status: 'failed', exit_code: 1, output: 'boom' },
    { ts: at(9), type: 'file.change', changes: [{ path: 'src/a.ts', kind: 'update' }] },
    { ts: at(60), type: 'error', message: 'Reconnecting... 1/5' },
    { ts: at(61), type: 'message', text: 'done' },
    { ts: at(62), type: 'turn.completed' },
    { ts: at(70), type: 'check.finished', passed: false, exit_code: 2 },
    { ts: at(70), type: 'run.finished', status: 'failed', outcome: 'check_failed', exit_code: 5 },
  ];

  it('folds turns, commands, file changes, errors, the check, a quiet stretch and the wait into one lane', () => {
    const timeline = buildTimeline([{ label: 'codex#1', events, startedAt: at(2), completedAt: at(70), waitedFrom: at(0), waitReason: 'queued' }]);
    expect(timeline.startMs).toBe(T0);
    expect(timeline.endMs).toBe(T0 + 70_000);
    const lane = timeline.lanes[0];
    const spans = lane?.spans.map((span) => [span.kind, (span.startMs - T0) / 1000, (span.endMs - T0) / 1000, span.failed ?? false]);
    expect(spans).toEqual([
      ['wait', 0, 2, false],
      ['run', 2, 70, false],
      ['command', 3, 8, true],
      ['turn', 2.5, 62, false],
      ['check', 62, 70, true],
      ['quiet', 9, 60, false],
    ]);
    expect(lane?.marks.map((mark) => [mark.kind, (mark.atMs - T0) / 1000, mark.title])).toEqual([
      ['command', 8, '$ npm test (exit 1)'],
      ['file', 9, 'edit src/a.ts (update)'],
      ['error', 60, 'error: Reconnecting... 1/5'],
      ['message', 61, 'message: done'],
    ]);
  });

  it('draws one lane per member on one axis, labels and tooltips escaped', () => {
    const svg = renderTimeline(
      buildTimeline([
        { label: 'codex#1', events, startedAt: at(2), completedAt: at(70), waitedFrom: at(0), waitReason: 'queued' },
        { label: '<b>x</b>', events: [{ ts: at(5), type: 'command', command: '<script>', status: 'completed', exit_code: 0 }], startedAt: at(4), completedAt: at(30), waitedFrom: null, waitReason: '' },
      ]),
    );
    expect(svg.match(/<g class="tl-lane"/g)).toHaveLength(2);
    expect(svg).toContain('data-label="&lt;b&gt;x&lt;/b&gt;"');
    expect(svg).toContain('<title>$ &lt;script&gt; (exit 0)</title>');
    expect(svg).not.toContain('<script>');
    expect(svg).toMatch(/<text class="tl-tick" x="[\d.]+" y="16">1m00s<\/text>/);
  });
});
