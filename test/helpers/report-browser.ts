import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { decideE2eGate } from './e2e-gate.js';
import { projectRoot } from './run-cli.js';

/** Debian's chromium (`.ci/run` installs it); CHROMIUM_PATH overrides. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where browser tests leave screenshots (git-ignored). */
export const artifactsDir = join(projectRoot, 'test-artifacts');

/** run, skip (no chromium on a dev machine: says so), or fail (CI=true: a missing browser must not pass as green). */
export function browserGate(env: NodeJS.ProcessEnv = process.env): 'run' | 'skip' | 'fail' {
  const gate = decideE2eGate(existsSync(chromiumPath) ? [] : [chromiumPath], env);
  if (gate === 'skip') console.warn(`skipping the browser checks: ${chromiumPath} is missing (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  return gate;
}

export function requireBrowserUnderCi(): void {
  throw new Error(`CI=true and ${chromiumPath} is missing: the HTML report's browser tests cannot be skipped under CI (.ci/run installs chromium)`);
}

// As root, chromium needs --no-sandbox; the rest keep it off the network and quiet.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A report opened in headless chromium, with what it logged and every request it made. */
export interface OpenedReport {
  page: Page;
  /** console errors and uncaught page errors (a CSP violation is one) */
  errors: string[];
  /** every URL the page asked for, the report's own file:// URL included */
  requests: string[];
  /** requests for anything but the file itself: all aborted */
  routed: string[];
  close: () => Promise<void>;
}

export async function openReport(path: string): Promise<OpenedReport> {
  const profile = mkdtempSync(join(tmpdir(), 'dispatch-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  const errors: string[] = [];
  const requests: string[] = [];
  const routed: string[] = [];
  const own = pathToFileURL(path).href;
  await context.route('**/*', async (route) => {
    if (route.request().url() === own) return route.continue();
    routed.push(route.request().url());
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(own);
  await page.waitForSelector('html[data-report-ready="true"]', { timeout: 20_000 });
  return {
    page,
    errors,
    requests,
    routed,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot under test-artifacts/ and prints where. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true });
  const path = join(artifactsDir, name);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
  return path;
}
