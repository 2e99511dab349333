import { Command } from 'commander';
import { resolveHome } from '../runs/home.js';
import type { CliIo } from './io.js';

interface ReportFlags {
  output?: string;
  open?: boolean;
  home?: string;
}

/** `dispatch report <ref>`: one self-contained HTML page of a run or a group. */
export function createReportCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('report')
    .description('write one self-contained HTML report of a group or run (diffs, timeline, commands, check); prints its path')
    .argument('<ref>', 'a group or run id, a unique prefix or suffix of one, or `latest` (the newest run, or its group)')
    .option('-o, --output <file>', 'where to write it [report.html in the run or group directory]')
    .option('--open', 'open it in the browser ($BROWSER, else xdg-open / open)')
    .option('--home <dir>', 'where runs/ and repos/ live (env DISPATCH_HOME)')
    .addHelpText('after', '\nThe page needs no network: diff2html and highlight.js are inlined, and a Content-Security-Policy\nallows only its own inline code. Everything from the agent, the task and the repo is escaped.')
    .action(async (ref: string, flags: ReportFlags) => {
      const { writeReport } = await import('../report/html/write-report.js');
      const written = await writeReport({ runsDir: resolveHome(flags.home, io.env).runsDir, ref, outPath: flags.output, cwd: io.cwd });
      io.stdout.write(`${written.path}\n`);
      if (flags.open) {
        const { openInBrowser } = await import('./open-in-browser.js');
        const problem = await openInBrowser(written.path, io.env);
        if (problem) io.stderr.write(`dispatch: could not open the report (${problem}); open ${written.path} yourself\n`);
      }
      setExitCode(0);
    });
}
