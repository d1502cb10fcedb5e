import { createServer } from 'node:net';
import { CliError } from './output.js';

export interface ListenTarget {
  host: string;
  port: number;
  /** How the port was given, for messages: `--port` or `"port" in FILE`. */
  portName: string;
  /** Said after the fix, e.g. how to pass another port through `npm start`. */
  hint?: string;
}

/**
 * Binds the address and lets it go, so that a port in use (or one that needs privileges, or a host
 * that is not this machine's) is reported before `serve` creates a database or a secret file. The
 * real listener can still lose a race for the port; its error gets the same message.
 */
export async function checkCanListen(target: ListenTarget): Promise<void> {
  if (target.port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) => reject(listenFailure(error, target)));
    probe.listen({ host: target.host, port: target.port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** A listen error as one line that names the address and what to change; other errors pass through. */
export function listenFailure(error: unknown, target: ListenTarget): unknown {
  const { host, port, portName } = target;
  const hint = target.hint === undefined ? '' : ` (${target.hint})`;
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case 'EADDRINUSE':
      return new CliError(
        `port ${port} on ${host} is in use: stop what listens there (Portcullis already running?), or choose another with ${portName}${hint}`,
      );
    case 'EACCES':
      return new CliError(`no permission to listen on port ${port} (ports below 1024 need privileges): choose another with ${portName}${hint}`);
    case 'EADDRNOTAVAIL':
      return new CliError(`${host} is not an address of this machine: check --host (127.0.0.1 for this machine only)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new CliError(`cannot resolve --host ${host}: give an IP address such as 127.0.0.1`);
    default:
      return error;
  }
}
