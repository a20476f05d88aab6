import { createServer, request as forward, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy sees of one DynamoDB call: its operation (`UpdateItem`, …) and JSON body. */
export interface DynamoDbCall {
  operation: string;
  body: Record<string, unknown>;
}

const INJECTED_FAILURE = JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'injected fault' });

/**
 * An HTTP proxy in front of DynamoDB Local that, once armed, lets the first call matching `trigger`
 * commit, loses its response, and fails every call after it (DynamoDB gone right after a chosen
 * write), until disarmed.
 */
export class DynamoDbFaultProxy {
  private server?: Server;
  private trigger?: (call: DynamoDbCall) => boolean;
  private failing = false;
  /** Whether the trigger's write went through. */
  triggered = false;

  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const raw = Buffer.concat(chunks);
        if (this.failing) {
          outgoing.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' }).end(INJECTED_FAILURE);
          return;
        }
        const operation =
          String(incoming.headers['x-amz-target'] ?? '')
            .split('.')
            .pop() ?? '';
        const fires = this.trigger?.({ operation, body: raw.length ? (JSON.parse(raw.toString()) as Record<string, unknown>) : {} }) ?? false;
        const upstream = forward(
          { host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
          (response) => {
            if (fires) {
              response.resume();
              this.failing = true;
              this.triggered = true;
              outgoing.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' }).end(INJECTED_FAILURE);
              return;
            }
            outgoing.writeHead(response.statusCode ?? 500, response.headers);
            response.pipe(outgoing);
          },
        );
        upstream.on('error', () => outgoing.destroy());
        upstream.end(raw);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  arm(trigger: (call: DynamoDbCall) => boolean): void {
    this.trigger = trigger;
    this.triggered = false;
  }

  disarm(): void {
    this.trigger = undefined;
    this.failing = false;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
