import { createServer, Server, Socket } from 'node:net';

/**
 * A loopback TCP proxy that holds every chunk for `oneWayMs` in each direction, keeping order: the
 * network between a client and DynamoDB, which DynamoDB Local on the same machine does not have.
 */
export interface LatencyProxy {
  endpoint: string;
  close(): Promise<void>;
}

function delayed(from: Socket, to: Socket, oneWayMs: number): void {
  let last = 0;
  from.on('data', (chunk: Buffer) => {
    // Never earlier than the previous chunk: TCP delivers in order.
    const at = Math.max(Date.now() + oneWayMs, last);
    last = at;
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, at - Date.now());
  });
  from.on('end', () => setTimeout(() => to.end(), Math.max(0, last - Date.now()) + oneWayMs));
  from.on('error', () => to.destroy());
}

export async function startLatencyProxy(target: string, oneWayMs: number): Promise<LatencyProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    upstream.connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    delayed(client, upstream, oneWayMs);
    delayed(upstream, client, oneWayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const listening = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${listening}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
