import { createHash } from 'node:crypto';
import type { ReportAssets } from './assets.js';
import { CLIENT_SCRIPT } from './client-script.js';
import { escapeHtml } from './escape.js';
import { PAGE_STYLE } from './page-style.js';

/**
 * The whole HTML file: every style and script inline, and a Content-Security-Policy that
 * allows exactly those (by hash) and nothing else: no network, no other script. So even
 * markup that escaped escaping could neither run nor load anything.
 */
export function renderPage(opts: { title: string; body: string; assets: ReportAssets; generatedAt: Date }): string {
  const styles = [opts.assets.diffStyle, opts.assets.highlightStyle, PAGE_STYLE];
  const scripts = [opts.assets.diffScript, CLIENT_SCRIPT];
  const policy = [
    "default-src 'none'",
    `script-src ${scripts.map(hashSource).join(' ')}`,
    `style-src ${styles.map(hashSource).join(' ')}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(policy)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(opts.title)}</title>`,
    ...styles.map((style) => `<style>${style}</style>`),
    '</head>',
    '<body>',
    opts.body,
    `<footer>Written by Outpost dispatch at ${escapeHtml(opts.generatedAt.toISOString())}. Diffs drawn by diff2html (MIT), highlighted by highlight.js (BSD-3-Clause), both inlined.</footer>`,
    // The diff viewer first: the report's own script uses window.Diff2HtmlUI.
    ...scripts.map((script) => `<script>${script}</script>`),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function hashSource(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}
