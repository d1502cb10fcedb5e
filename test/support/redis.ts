import { createConnection } from 'node:net';

/** The Redis the tests use (this machine runs one; CI starts it: .ci/run). */
export const REDIS_URL = process.env['PORTCULLIS_TEST_REDIS'] ?? 'redis://127.0.0.1:6379';

let reachable: Promise<boolean> | undefined;

/** Whether a Redis answers PING at REDIS_URL, within a second. */
function canReachRedis(): Promise<boolean> {
  const url = new URL(REDIS_URL);
  return new Promise((resolve) => {
    const socket = createConnection({ host: url.hostname, port: Number(url.port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** Like postgresSkipReason: in CI, Redis must be there; elsewhere its tests skip and say why. */
export async function redisSkipReason(): Promise<string | false> {
  reachable ??= canReachRedis();
  if (await reachable) return false;
  if (process.env['CI']) throw new Error(`Redis is required in CI but ${REDIS_URL} is unreachable`);
  return `Redis at ${REDIS_URL} is unreachable; set PORTCULLIS_TEST_REDIS to run these tests`;
}
