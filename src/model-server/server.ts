import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleRequest, type RecordedRequest } from './handle-request.js';
import { createOAuthIssuer, type OAuthIssuer, type OAuthIssuerOptions } from './oauth-issuer.js';
import type { ScenarioName } from './scenarios.js';

/** Options of the scripted model server. */
export interface ModelServerOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Scenario of a conversation whose task has no `[scenario:NAME]` marker ('edit'). */
  defaultScenario?: ScenarioName;
  /** Pause between streamed events in the `slow` scenario (300 ms). */
  slowChunkDelayMs?: number;
  /**
   * Also play an OAuth service: `POST /oauth/token` rotates single-use refresh tokens, and
   * model requests need a live access token (or a setup token, or an x-api-key).
   */
  oauth?: OAuthIssuerOptions | true;
  /** A task's usage limit resets this long after its first request (`usage-limit*`; 1 h). */
  usageLimitResetMs?: number;
  /** `rate-limit-brief` answers 429 (retry-after 1) for this long from a task's first request (4 s). */
  rateLimitForMs?: number;
}

/** A running scripted model server. */
export interface ModelServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order of arrival. */
  readonly requests: RecordedRequest[];
  /** The OAuth service, when started with `oauth`; its token URL is `${url}/oauth/token`. */
  readonly oauth: OAuthIssuer | undefined;
  /** Stops listening and destroys open connections, hanging ones included. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 that plays a scripted model through the OpenAI
 * Responses API (codex) and the Anthropic Messages API (claude), streamed or not.
 */
export async function startModelServer(opts: ModelServerOptions = {}): Promise<ModelServer> {
  const requests: RecordedRequest[] = [];
  const oauth = opts.oauth ? createOAuthIssuer(opts.oauth === true ? {} : opts.oauth) : undefined;
  const context = {
    oauth,
    defaultScenario: opts.defaultScenario ?? 'edit',
    slowChunkDelayMs: opts.slowChunkDelayMs ?? 300,
    usageLimitResetMs: opts.usageLimitResetMs ?? 3_600_000,
    rateLimitForMs: opts.rateLimitForMs ?? 4_000,
    limitStarts: new Map<string, number>(),
    record: (request: RecordedRequest) => {
      requests.push(request);
    },
  };
  const server = createServer((req, res) => {
    handleRequest(req, res, context).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message } }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    oauth,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
