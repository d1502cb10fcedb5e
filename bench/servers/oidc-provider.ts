/**
 * oidc-provider 9 with its default in-memory adapter (bench/support/oidc-provider-server.ts has
 * the configuration). The adapter is passed as `createMemoryAdapter(15)` — exactly what it builds
 * when `adapter` is not set — only so it does not print its "development-only" notice.
 *
 * Note: that adapter indexes every token under its grant and, on every save, walks the grant's
 * whole index (and spreads it into Math.max), so each refresh costs more than the last in the same
 * grant and throughput falls through a run. bench/servers/oidc-provider-map-adapter.ts is the same
 * provider on an adapter without that cost.
 *
 *   node --import tsx bench/servers/oidc-provider.ts --tokens 10   (then `seed N` lines on stdin)
 */
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';
import { serveOidcProvider } from '../support/oidc-provider-server.js';

await serveOidcProvider(createMemoryAdapter(15));
