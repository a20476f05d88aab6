/**
 * What every local server that `npm run dev` starts (DynamoDB Local, s3rver, the API, any other
 * emulator) has in common: a port chosen by an environment variable, and a process that must not
 * outlive the launcher.
 */
export interface LocalServer {
  /** Named in messages and in the pid file, e.g. "DynamoDB Local". */
  name: string;
  /** The environment variable that moves it to another port. */
  portVariable: string;
  port: number;
}

export class PortInUseError extends Error {
  constructor(server: LocalServer) {
    super(`port ${server.port} for ${server.name} is already in use (stop what listens there, or set ${server.portVariable} to another port)`);
  }
}

export function isAddressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}
