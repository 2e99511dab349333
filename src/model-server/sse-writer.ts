import type { ServerResponse } from 'node:http';

/** One server-sent event: an `event:` line and a JSON `data:` line. */
export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** How to stream a list of events. */
export interface SseWriteOptions {
  /** Pause between events. */
  delayMs: number;
  /** Stop after this many events (plus half of the next one) and destroy the socket. */
  cutAfterEvents?: number;
}

/** The text of one event as it goes on the wire. */
export function formatSseEvent(event: SseEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function write(res: ServerResponse, text: string): Promise<void> {
  return new Promise((resolve) => res.write(text, () => resolve()));
}

/** Whether the client is gone (or the server closed the connection). */
function isGone(res: ServerResponse): boolean {
  return res.destroyed || res.socket === null || res.socket.destroyed;
}

/** Sends status 200 and the events; a cut leaves the chunked body unterminated. */
export async function writeSse(res: ServerResponse, events: SseEvent[], options: SseWriteOptions): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();
  for (const [index, event] of events.entries()) {
    if (isGone(res)) return;
    const text = formatSseEvent(event);
    if (options.cutAfterEvents !== undefined && index >= options.cutAfterEvents) {
      await write(res, text.slice(0, Math.floor(text.length / 2)));
      res.socket?.destroy();
      return;
    }
    if (index > 0 && options.delayMs > 0) await sleep(options.delayMs);
    if (isGone(res)) return;
    await write(res, text);
  }
  res.end();
}
