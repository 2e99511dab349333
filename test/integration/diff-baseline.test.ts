import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GroupRecord } from '../../src/runs/group-record.js';
import { cleanRunHome, createRunHome, git } from '../helpers/sample-repo.js';
import { readJson, runCli, testEnv } from '../helpers/run-cli.js';

let home: string;
let repo: string;

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-baseline-')));
afterEach(() => cleanRunHome(home));

describe('the diff is what the agent changed', () => {
  it('files from --copy and --setup are not in diff.patch, the counts, or the --apply branch', async () => {
    // Not git-ignored on purpose: the user forgot, and the secret must still not land in a commit.
    writeFileSync(join(home, '.env'), 'API_TOKEN=not-for-commits\n');
    const run = await runCli(
      ['--json', '--copy', '.env', '--setup', 'echo built > build-output.txt && echo "// built" >> src/index.js', '--apply', repo, 'Say hi'],
      { env: testEnv(home), cwd: home },
    );
    expect(run.exitCode).toBe(0);
    const record = JSON.parse(run.stdout) as GroupRecord;
    const runDir = record.members[0]?.run_dir ?? '';
    const patch = readFileSync(join(runDir, 'diff.patch'), 'utf8');
    expect(patch).not.toContain('.env');
    expect(patch).not.toContain('build-output.txt');
    expect(patch).not.toContain('src/index.js');
    expect(patch).toContain('+hi from codex');
    expect(patch).toContain('+edited by the fake agent');
    const summary = readJson<{ files_changed: number; insertions: number; baseline_tree: string | null }>(join(runDir, 'summary.json'));
    expect(summary).toMatchObject({ files_changed: 2, insertions: 2 });
    expect(summary.baseline_tree).toMatch(/^[0-9a-f]{40}$/);
    // The workspace itself still has them: the agent worked with the copied file and the setup's output.
    expect(readFileSync(join(runDir, 'workspace', '.env'), 'utf8')).toContain('API_TOKEN');
    const files = git(repo, 'ls-tree', '-r', '--name-only', `dispatch/${record.group_id}`).split('\n');
    expect(files).toContain('hello.txt');
    expect(files).not.toContain('.env');
    expect(files).not.toContain('build-output.txt');
  });

  it('without --copy or --setup the baseline is the base commit', async () => {
    const run = await runCli(['--json', repo, 'Say hi'], { env: testEnv(home) });
    const summary = JSON.parse(run.stdout) as { files_changed: number; baseline_tree?: string | null };
    expect(summary.files_changed).toBe(2);
    expect(summary.baseline_tree ?? null).toBeNull();
  });
});
