import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { createClientResolution } from '../../../src/server/clients/client-resolution.js';
import type { ServerConfig } from '../../../src/server/config.js';
import { silentLogger } from '../../../src/server/logger.js';
import type { ClientRecord } from '../../../src/store/types.js';
import { TestClock } from '../../support/clock.js';
import { clientRecord } from '../../support/store-records.js';
import { refusedFor } from './client-metadata-document-fixture.js';

const settings = (enabled: boolean, dangerouslyAllowLoopback = false): Pick<ServerConfig, 'clientMetadataDocuments'> => ({
  clientMetadataDocuments: { enabled, dangerouslyAllowLoopback },
});

/** A clients table that counts its reads. */
function clientsTable(...records: ClientRecord[]) {
  const table = new Map(records.map((r) => [r.clientId, r]));
  const reads: string[] = [];
  return {
    reads,
    find: async (clientId: string) => {
      reads.push(clientId);
      return table.get(clientId);
    },
  };
}

describe('client resolution: registered, else a Client ID Metadata Document', () => {
  it('finds a registered client, and none for an unknown id that is not a document URL', async () => {
    const registered = clientRecord();
    const resolution = createClientResolution(settings(true), clientsTable(registered), new TestClock(), silentLogger);
    assert.equal((await resolution.resolveClient(registered.clientId))?.clientId, registered.clientId);
    assert.equal(await resolution.resolveClient('pc_unknown'), undefined);
  });

  it('prefers a registered client whose id is a document URL, and fetches nothing', async () => {
    const registered = clientRecord({ clientId: 'https://app.example/client.json' });
    const resolution = createClientResolution(settings(true), clientsTable(registered), new TestClock(), silentLogger);
    assert.equal((await resolution.resolveClient(registered.clientId))?.clientId, registered.clientId);
  });

  it('goes to the document of an unknown document URL only when documents are enabled', async () => {
    // The dangerous switch is off, so the document resolver refuses the http URL before any fetch.
    const on = createClientResolution(settings(true, false), clientsTable(), new TestClock(), silentLogger);
    await assert.rejects(on.resolveClient('https://127.0.0.1/client.json'), refusedFor('address'));
    const off = createClientResolution(settings(false), clientsTable(), new TestClock(), silentLogger);
    assert.equal(await off.resolveClient('https://127.0.0.1/client.json'), undefined);
    assert.equal(await on.resolveClient('http://127.0.0.1/client.json'), undefined, 'http is no document URL without the switch');
  });

  it('reads the store every time for the pages, through the short cache for client authentication', async () => {
    const registered = clientRecord();
    const clients = clientsTable(registered);
    const resolution = createClientResolution(settings(true), clients, new TestClock(), silentLogger);
    await resolution.resolveClient(registered.clientId);
    await resolution.resolveClient(registered.clientId);
    assert.equal(clients.reads.length, 2);
    await resolution.resolveAuthenticatingClient(registered.clientId);
    await resolution.resolveAuthenticatingClient(registered.clientId);
    assert.equal(clients.reads.length, 3, 'the second authentication was served from the cache');
  });

  it('warns at start when documents may come from loopback and private addresses', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    createClientResolution(settings(true, false), clientsTable(), new TestClock(), logger);
    assert.equal(lines.length, 0);
    createClientResolution(settings(true, true), clientsTable(), new TestClock(), logger);
    assert.equal(JSON.parse(lines[0] ?? '{}').event, 'insecure_setting');
  });
});
