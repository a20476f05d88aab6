import { createServer, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DynamoDbProxy {
  endpoint: string;
  /** Requests answered with the fault, by operation (`Scan`, `BatchWriteItem`…). */
  faults: Record<string, number>;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of DynamoDB (Local) that answers every request of the `failing` operations
 * with a 500 InternalServerError, as DynamoDB does in a partial outage, and forwards all others.
 */
export async function startDynamoDbProxy(target: string, failing: string[]): Promise<DynamoDbProxy> {
  const faults: Record<string, number> = {};
  const upstream = new URL(target);
  const server: Server = createServer((incoming, outgoing) => {
    const operation =
      String(incoming.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    if (failing.includes(operation)) {
      faults[operation] = (faults[operation] ?? 0) + 1;
      incoming.resume();
      outgoing.writeHead(500, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `fault-${faults[operation]}` });
      outgoing.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error (injected)' }));
      return;
    }
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    faults,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
