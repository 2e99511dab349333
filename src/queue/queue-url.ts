import { UsageError } from '../errors.js';

/** `--queue`, else DISPATCH_QUEUE; undefined runs locally. */
export function resolveQueueUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const url = flag ?? env.DISPATCH_QUEUE;
  if (url === undefined || url === '') return undefined;
  if (!/^rediss?:\/\/[^\s]+$/.test(url)) throw new UsageError(`invalid queue '${url}'`, 'use redis://host:6379 (or rediss:// for TLS)');
  return url;
}

/** The URL as it may be printed or recorded: without a password. */
export function displayQueueUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, (_match, auth: string) => (auth.includes(':') ? `//${auth.split(':')[0]}:***@` : '//***@'));
}
