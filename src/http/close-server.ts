import type { Server } from 'node:http';

/**
 * Stops a node:http server and resolves once it is closed. `close()` alone waits for every idle
 * keep-alive connection to time out (5 s by default), so open connections are ended at once too.
 */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
