/** A value quoted for a POSIX shell: `'it'\''s'`. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@=+-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

/** `export K=V` lines that point a shell's dispatch at the demo's home and scripted server. Pure. */
export function renderEnvExports(env: Record<string, string>): string {
  return Object.entries(env).map(([key, value]) => `export ${key}=${shellQuote(value)}\n`).join('');
}

/**
 * What to try against the running server, each line ready to paste: resume, a followed
 * race, and the scripted failures (scenario markers in the task steer the scripted model).
 */
export function renderServeHints(opts: { invocation: string; repoDir: string; codexRunId: string | null; claudeRunId: string | null }): string {
  const cmd = opts.invocation;
  const repo = shellQuote(opts.repoDir);
  const lines = [
    'Try, in that shell:',
    ...(opts.codexRunId ? [`  ${cmd} resume ${opts.codexRunId.slice(-6)} "Now add a farewell"          # continue codex's own session`] : []),
    ...(opts.claudeRunId ? [`  ${cmd} resume ${opts.claudeRunId.slice(-6)} "Now add a farewell"          # continue claude's`] : []),
    `  ${cmd} -e both --race ${repo} "[scenario-codex:slow] Create hello.txt"   # a race; claude wins`,
    `  ${cmd} logs -f latest                                      # follow the newest run (another shell)`,
    `  ${cmd} -e claude ${repo} "[scenario:http-429] Create hello.txt"   # quota, exit 7`,
    `  ${cmd} -e claude ${repo} "[scenario:http-401] Create hello.txt"   # auth, exit 6`,
    `  ${cmd} -e codex --idle-timeout 20s ${repo} "[scenario:hang] Create hello.txt"   # idle_timeout, exit 124`,
    `  ${cmd} -e codex --fallback claude ${repo} "[scenario-codex:http-500] Create hello.txt"   # codex fails, claude takes over`,
    'Scenario markers: [scenario:NAME] for both agents, [scenario-codex:NAME] / [scenario-claude:NAME] for one (README, "The offline demo").',
  ];
  return `${lines.join('\n')}\n`;
}
