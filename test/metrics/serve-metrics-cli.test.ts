import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertOneLineFailure, makeScratchFolder, NO_SECRET, startServing, tree } from '../support/cli-commands.js';
import { runCli } from '../support/cli-process.js';
import { scrape } from './metrics-stack.js';

/** `portcullis serve --metrics-port` as a user runs it: where the metrics are, and the refusals of bad settings. */
describe('portcullis serve --metrics-port', () => {
  let dir: string;
  let db: string;
  before(() => ({ dir, db } = makeScratchFolder()));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves /metrics, /healthz and /readyz on the metrics port, says where in the summary, and not /metrics on the public port', async () => {
    const serving = await startServing<{ listening: string; metrics: string[] }>(['serve', '--port', '0', '--metrics-port', '0', '--db', db]);
    try {
      const [metricsUrl] = serving.summary.metrics;
      assert.ok(metricsUrl !== undefined, `the summary says where the metrics are: ${JSON.stringify(serving.summary)}`);
      assert.match(metricsUrl, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const { exposition } = await scrape(metricsUrl);
      assert.equal(exposition.types.get('portcullis_http_requests_total'), 'counter');
      assert.ok(exposition.types.has('portcullis_process_cpu_seconds_total'), 'the process metrics, prefixed');
      const metricsOrigin = new URL(metricsUrl).origin;
      assert.equal((await fetch(`${metricsOrigin}/readyz`)).status, 200);
      assert.equal((await fetch(`${metricsOrigin}/healthz`)).status, 200);
      const elsewhere = await fetch(`${metricsOrigin}/token`);
      assert.equal(elsewhere.status, 404);
      await elsewhere.body?.cancel();
      const publicMetrics = await fetch(`${serving.summary.listening}/metrics`);
      assert.equal(publicMetrics.status, 404);
      await publicMetrics.body?.cancel();
    } finally {
      serving.stop();
    }
  });

  it('refuses a bad metrics port or config, in one line, before creating anything', async () => {
    const { dir: empty } = makeScratchFolder();
    const run = (args: string[]) => runCli(args, NO_SECRET, '', { cwd: empty });
    assertOneLineFailure(await run(['serve', '--port', '0', '--metrics-port', 'abc']), /--metrics-port must be a number from 0 to 65535/);
    assertOneLineFailure(await run(['serve', '--port', '18999', '--metrics-port', '18999']), /metrics port must not be the main port/);
    writeFileSync(join(empty, 'bad-key.json'), JSON.stringify({ metrics: { onMainPort: true, path: '/m' } }));
    assertOneLineFailure(await run(['serve', '--port', '0', '--config', 'bad-key.json']), /unknown key "path"/);
    try {
      assert.deepEqual(tree(empty), ['bad-key.json'], 'no database, no secret file');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
