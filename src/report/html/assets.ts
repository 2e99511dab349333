import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** The third-party code and styles the report inlines, read from node_modules (no network when viewed). */
export interface ReportAssets {
  /** diff2html's UI bundle with highlight.js's common languages (diff2html-ui-slim): window.Diff2HtmlUI. */
  diffScript: string;
  diffStyle: string;
  /** highlight.js's GitHub theme, for the syntax highlighting the bundle applies. */
  highlightStyle: string;
}

const require = createRequire(import.meta.url);
let cached: Promise<ReportAssets> | undefined;

/** Reads the inlined assets once per process. */
export function loadReportAssets(): Promise<ReportAssets> {
  cached ??= Promise.all([
    readAsset('diff2html/bundles/js/diff2html-ui-slim.min.js'),
    readAsset('diff2html/bundles/css/diff2html.min.css'),
    readAsset('highlight.js/styles/github.min.css'),
  ]).then(([diffScript, diffStyle, highlightStyle]) => ({ diffScript, diffStyle, highlightStyle }));
  return cached;
}

async function readAsset(specifier: string): Promise<string> {
  const text = await readFile(require.resolve(specifier), 'utf8');
  // Inside an inline <script>, `</script` would end the element; a bundle that held it could not be inlined as is.
  return text.replace(/<\/(script|style)/gi, '<\\/$1');
}
