import type { ConnectionOptions } from 'bullmq';

/**
 * BullMQ connection options for a `redis://[user:password@]host[:port][/db]` (or `rediss://`, TLS) URL. BullMQ
 * makes its own connections from these options with the Redis client it is built against, so no client of ours
 * is ever shared with it. Throws on anything that is not a Redis URL.
 */
export function redisConnectionOf(url: string): ConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`not a Redis URL: ${url} (expected redis://HOST:PORT)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`not a Redis URL: ${url} (expected redis://HOST:PORT)`);
  }
  if (!parsed.hostname) throw new Error(`Redis URL ${url} names no host`);
  const database = parsed.pathname.replace(/^\//, '');
  if (database !== '' && !/^\d+$/.test(database))
    throw new Error(`Redis URL ${url}: database must be a number`);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(database !== '' ? { db: Number(database) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
