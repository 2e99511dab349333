import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserGate, openReport, requireBrowserUnderCi, saveScreenshot } from '../helpers/report-browser.js';
import { readJson, runCli, testEnv } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';

interface Group {
  group_id: string;
  winner: string;
  winner_reason: string;
  members: { run_id: string; executor: string; key: string; outcome: string }[];
}

// The task and the agent's files carry markup: the report must show it as text and never run it.
const TASK = 'Fix the greeting <script>window.__pwned = "task"</script><img src="http://127.0.0.1:9/x.png" onerror="window.__pwned = \'task-img\'"> [scenario-claude:report-material]';

let home: string;
let repo: string;
let group: Group;
let groupDir: string;

const gate = browserGate();

beforeAll(async () => {
  ({ home, repo } = await createRunHome('dispatch-report-'));
  const result = await runCli(
    ['--quiet', '--executor', 'both', '--check', 'test -f hello.txt', '--on-finish', 'printf %s "$DISPATCH_REPORT" > reported-path.txt', repo, TASK],
    { env: testEnv(home) },
  );
  groupDir = result.stdout.trim().split('\n').at(-1) ?? '';
  expect(existsSync(join(groupDir, 'group.json')), result.stderr).toBe(true);
  group = readJson<Group>(join(groupDir, 'group.json'));
});

afterAll(() => cleanRunHome(home));

describe('dispatch report (no browser)', () => {
  it('--on-finish gets the report, written before the hook ran, in DISPATCH_REPORT', () => {
    const reported = readFileSync(join(groupDir, 'reported-path.txt'), 'utf8');
    expect(reported).toBe(join(groupDir, 'report.html'));
    expect(readFileSync(reported, 'utf8')).toContain(group.group_id);
  });

  it('writes one self-contained file: inline code allowed by hash, nothing fetched, markup escaped', async () => {
    const out = join(home, 'out', '..', 'group.html');
    const result = await runCli(['report', group.group_id, '-o', out], { env: testEnv(home) });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe(join(home, 'group.html'));
    const html = readFileSync(join(home, 'group.html'), 'utf8');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-/);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).toContain('Fix the greeting &lt;script&gt;window.__pwned');
    expect(html).not.toContain('<script>window.__pwned');
  });

  it('--open hands the file URL to $BROWSER (one program, no shell); one that fails is a warning, not a failure', async () => {
    const opener = join(home, 'opener.sh');
    writeFileSync(opener, `#!/bin/sh\nprintf '%s\\n' "$@" > '${join(home, 'opened.txt')}'\n`, { mode: 0o755 });
    const opened = await runCli(['report', group.group_id, '--open'], { env: testEnv(home, { BROWSER: opener }) });
    expect(opened.exitCode, opened.stderr).toBe(0);
    expect(readFileSync(join(home, 'opened.txt'), 'utf8')).toBe(`file://${join(groupDir, 'report.html')}\n`);
    const missing = await runCli(['report', group.group_id, '--open'], { env: testEnv(home, { BROWSER: join(home, 'no-such-browser') }) });
    expect(missing.exitCode).toBe(0);
    expect(missing.stdout).toBe(join(groupDir, 'report.html'));
    expect(missing.stderr).toMatch(/^dispatch: could not open the report \(.*no-such-browser could not start: ENOENT\); open \S+report\.html yourself$/);
  });

  it('a ref that matches nothing is one error line, exit 2', async () => {
    const result = await runCli(['report', 'nope'], { env: testEnv(home) });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^error: no run or group matches 'nope' in [^\n]+ — [^\n]+$/);
  });
});

describe.skipIf(gate === 'skip')('dispatch report in headless chromium', () => {
  if (gate === 'fail') {
    it('needs chromium under CI', requireBrowserUnderCi);
    return;
  }

  it('a group: members, winner, timeline, drawn diffs; injected markup stays text; no request, no console error', async () => {
    const reportPath = join(groupDir, 'report.html');
    const written = await runCli(['report', 'latest'], { env: testEnv(home) });
    expect(written.stdout).toBe(reportPath);
    const codex = group.members.find((member) => member.executor === 'codex');
    const claude = group.members.find((member) => member.executor === 'claude');
    expect(group.winner).toBe(codex?.run_id);

    const report = await openReport(reportPath);
    try {
      const { page } = report;
      const rows = page.locator('table.members tbody tr');
      expect(await rows.count()).toBe(2);
      expect(await rows.allInnerTexts()).toEqual([
        expect.stringMatching(new RegExp(`codex#1\\s+winner\\s+${codex?.run_id}\\s+success\\s+passed\\s+2 files \\+2 −0`)),
        expect.stringMatching(new RegExp(`claude#1\\s+${claude?.run_id}\\s+check_failed\\s+failed\\s+3 files \\+605 −0`)),
      ]);
      expect(await page.locator('tr.winner').getAttribute('data-run-id')).toBe(group.winner);
      expect(await page.locator('.winner-box').innerText()).toBe(`Winner: codex#1 ${group.winner} — ${group.winner_reason}`);
      expect(await page.locator('pre.task').innerText()).toBe(TASK);

      // One lane per member on one axis, each with its run bar, a turn and the command it ran.
      const lanes = page.locator('svg.timeline g.tl-lane');
      expect(await lanes.count()).toBe(2);
      for (const label of ['codex#1', 'claude#1']) {
        const lane = page.locator(`svg.timeline g.tl-lane[data-label="${label}"]`);
        expect(await lane.locator('rect.tl-run').count()).toBe(1);
        expect(await lane.locator('rect.tl-turn').count()).toBeGreaterThan(0);
        expect(await lane.locator('circle.tl-mark-command').count()).toBe(1);
      }
      expect(await page.locator('svg.timeline rect.tl-check.tl-failed').count()).toBe(1);

      // The winner is open and drawn by diff2html, line by line, highlighted; then side by side.
      const winner = page.locator(`details.run[data-run-id="${group.winner}"]`);
      expect(await winner.getAttribute('open')).not.toBeNull();
      expect(await winner.locator('.d2h-file-header .d2h-file-name').allInnerTexts()).toEqual(['README.md', 'hello.txt']);
      expect(await winner.locator('td.d2h-ins .d2h-code-line-ctn').allInnerTexts()).toEqual(['edited by the fake agent', 'hi from codex']);
      await winner.locator('button[data-format="side-by-side"]').click();
      expect(await winner.locator('.d2h-file-side-diff').count()).toBe(4);
      await saveScreenshot(page, 'report-group.png');

      // The loser opens on click; its evil.html shows the markup as text, its big file starts folded.
      const loser = page.locator(`details.run[data-run-id="${claude?.run_id}"]`);
      expect(await loser.locator('.d2h-file-wrapper').count()).toBe(0);
      await loser.locator('summary').click();
      const evil = loser.locator('.d2h-file-wrapper', { has: page.locator('.d2h-file-header .d2h-file-name', { hasText: 'evil.html' }) });
      expect(await evil.locator('.d2h-code-line-ctn').first().innerText()).toBe('<script>window.__pwned = "diff"</script><img src=x onerror="window.__pwned = \'img\'">');
      expect(await loser.locator('pre.message').innerText()).toBe('done <script>window.__pwned = "message"</script>');
      expect(await loser.locator('table.commands code').first().innerText()).toContain('<script>window.__pwned = "diff"</script>');
      const big = loser.locator('.d2h-file-wrapper', { has: page.locator('.d2h-file-header .d2h-file-name', { hasText: 'big.txt' }) });
      expect(await big.locator('.d2h-file-collapse-input').isChecked()).toBe(true);
      expect(await big.locator('.d2h-files-diff, .d2h-file-diff').first().isHidden()).toBe(true);
      expect(await loser.locator('.check-log').innerText()).toContain('$ test -f hello.txt');

      expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
      expect(await page.locator('script:not([type])').count()).toBe(2);
      expect(await page.locator('img').count()).toBe(0);
      expect(report.errors).toEqual([]);
      expect(report.routed).toEqual([]);
      expect(report.requests).toEqual([`file://${reportPath}`]);
    } finally {
      await report.close();
    }
  });

  it('one run: task, final message and its diff, open and drawn', async () => {
    const run = await runCli(['--quiet', '--executor', 'codex', repo, 'Say <b>hi</b>'], { env: testEnv(home) });
    const runDir = run.stdout.trim();
    const written = await runCli(['report', 'latest'], { env: testEnv(home) });
    expect(written.stdout).toBe(join(runDir, 'report.html'));
    const report = await openReport(written.stdout);
    try {
      const { page } = report;
      expect(await page.locator('h1').innerText()).toBe(`Run ${runDir.split('/').at(-1)}`);
      expect(await page.locator('pre.task').innerText()).toBe('Say <b>hi</b>');
      expect(await page.locator('pre.message').innerText()).toBe('done');
      expect(await page.locator('td.d2h-ins .d2h-code-line-ctn').allInnerTexts()).toEqual(['edited by the fake agent', 'hi from codex']);
      expect(await page.locator('table.members').count()).toBe(0);
      expect(report.errors).toEqual([]);
      expect(report.routed).toEqual([]);
    } finally {
      await report.close();
    }
  });
});
