/**
 * A DynamoDB endpoint that answers a Query it has seen with the answer DynamoDB Local gave it, so that
 * the list and the raw Query can be compared with the database's own CPU out of the way.
 * Forked by bench/lib/replaying-dynamodb.ts as `replaying-dynamodb.js <upstream endpoint> <port>`; exits when its parent disconnects.
 *
 * Every request is forwarded to the upstream until the parent sends `'replay'` (answered with the number
 * of Query answers kept). From then on, a Query whose body equals one already answered gets that answer
 * again (status, headers, body); everything else, writes included, still goes upstream. `'report'` is
 * answered with how many requests were replayed and forwarded since `'replay'`.
 */
import { createServer, IncomingHttpHeaders, IncomingMessage, request, ServerResponse } from 'node:http';
import { buffer } from 'node:stream/consumers';
import { REPLAYING_READY_PATH, ReplayCounts } from './lib/replaying-dynamodb';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const QUERY_TARGET = 'DynamoDB_20120810.Query';

const answers = new Map<string, Answer>();
let replaying = false;
const counts: ReplayCounts = { replayed: 0, forwarded: 0 };

function forward(upstream: URL, req: IncomingMessage, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (incoming) => {
        buffer(incoming).then((answerBody) => resolve({ status: incoming.statusCode ?? 502, headers: incoming.headers, body: answerBody }), reject);
      },
    );
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}

async function handle(upstream: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.url === REPLAYING_READY_PATH) {
    res.end('ready');
    return;
  }
  const body = await buffer(req);
  const isQuery = req.headers['x-amz-target'] === QUERY_TARGET;
  const key = isQuery ? body.toString('utf8') : undefined;
  let answer = replaying && key !== undefined ? answers.get(key) : undefined;
  if (answer) {
    counts.replayed++;
  } else {
    if (replaying) counts.forwarded++;
    answer = await forward(upstream, req, body);
    if (key !== undefined && answer.status === 200) answers.set(key, answer);
  }
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

function main(): void {
  const [upstreamEndpoint, port] = process.argv.slice(2);
  const upstream = new URL(upstreamEndpoint);
  const server = createServer((req, res) => {
    handle(upstream, req, res).catch((error: unknown) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(error instanceof Error ? error.message : String(error));
    });
  });
  server.keepAliveTimeout = 60_000;
  process.on('message', (message) => {
    if (message === 'replay') {
      replaying = true;
      process.send?.({ recorded: answers.size });
    } else if (message === 'report') {
      process.send?.(counts);
    }
  });
  process.once('disconnect', () => server.close(() => process.exit(0)));
  server.listen(Number(port), '127.0.0.1');
}

main();
