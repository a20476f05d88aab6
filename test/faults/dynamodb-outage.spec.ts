import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppConfig } from '../../src/config/app-config';
import { createDocumentClient, createDynamoDbClient } from '../../src/database/dynamodb-client';
import { freePort, LocalDynamoDb, startDynamoDbLocal } from '../../tools/local/dynamodb-local';
import { dynamoDbCallBound } from '../support/deadlines';
import { isolatedTables, PASSWORD } from '../support/test-app';
import { killServices, logLines, productionEnv, ServiceProcess, startService } from '../support/service-process';

/**
 * Per attempt (the service's default), and attempts per DynamoDB call: the longest one call can take
 * is about their product. Shorter timeouts turn a slow answer of a busy DynamoDB Local into a 503
 * before the outage has even begun.
 */
const DYNAMODB_TIMEOUT_MS = 3000;
const DYNAMODB_MAX_ATTEMPTS = 3;
/** No request may take longer than one DynamoDB call can by configuration, outage or not. */
const REQUEST_BOUND_MS = dynamoDbCallBound(DYNAMODB_TIMEOUT_MS, DYNAMODB_MAX_ATTEMPTS);
const CLIENTS_PER_KIND = 2;
/** Load runs at least this long before the kill and after recovery, and until each kind of write has succeeded. */
const BEFORE_MS = 3000;
const OUTAGE_MS = 5000;
const AFTER_MS = 3000;
const MAX_REQUESTS_PER_CLIENT = 400;

interface Outcome {
  kind: 'register' | 'audio-file' | 'upload-url' | 'live' | 'ready';
  at: number;
  ms: number;
  status: number;
  code?: string;
  retryAfter?: string | null;
  /** What a 2xx write acknowledged, to be read back afterwards. */
  written?: { table: 'users' | 'audioFiles'; key: Record<string, string>; expect: Record<string, unknown> };
}

async function call(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown>; ms: number; at: number; retryAfter: string | null }> {
  const at = Date.now();
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {}, ms: Date.now() - at, at, retryAfter: response.headers.get('retry-after') };
}

/** Polls `condition` until it holds, or a deadline meant only to stop a test that can never pass. */
async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition() && Date.now() < deadline) await sleep(100);
}

describe('DynamoDB goes away under load and comes back', () => {
  let dynamo: LocalDynamoDb | undefined;
  let dataDir: string;
  const savedEndpoint = process.env.DYNAMODB_ENDPOINT;

  afterEach(killServices);
  afterAll(async () => {
    await dynamo?.stop();
    process.env.DYNAMODB_ENDPOINT = savedEndpoint;
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After (never 500, never slow), readiness follows, service resumes, and no acknowledged write is lost', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'panzoto-outage-'));
    const port = await freePort();
    dynamo = await startDynamoDbLocal({ port, dataDir });
    const config: AppConfig = await isolatedTables({ DYNAMODB_ENDPOINT: dynamo.endpoint });
    const service: ServiceProcess = await startService(
      productionEnv(config, dynamo.endpoint, {
        DYNAMODB_TIMEOUT_MS: String(DYNAMODB_TIMEOUT_MS),
        DYNAMODB_MAX_ATTEMPTS: String(DYNAMODB_MAX_ATTEMPTS),
        // Every authenticated request reads its session: the JWT guard's lookup is under test too.
        AUTH_CACHE_TTL_MS: '0',
      }),
    );
    const base = service.baseUrl;

    const uploaders = await Promise.all(
      Array.from({ length: CLIENTS_PER_KIND }, async (_, index) => {
        const registered = await call(base, 'POST', '/api/register', { email: `uploader-${index}-${randomUUID()}@example.com`, password: PASSWORD });
        expect(registered.status).toBe(201);
        return registered.body as { token: string; user_id: string };
      }),
    );

    const outcomes: Outcome[] = [];
    let stopAt = Number.POSITIVE_INFINITY;
    const running = (): boolean => Date.now() < stopAt;
    const record = (kind: Outcome['kind'], result: Awaited<ReturnType<typeof call>>, written?: Outcome['written']): void => {
      outcomes.push({
        kind,
        at: result.at,
        ms: result.ms,
        status: result.status,
        code: result.body.code as string | undefined,
        retryAfter: result.retryAfter,
        written: result.status < 300 ? written : undefined,
      });
    };

    const registrar = async (): Promise<void> => {
      for (let i = 0; i < MAX_REQUESTS_PER_CLIENT && running(); i++) {
        const email = `load-${randomUUID()}@example.com`;
        const result = await call(base, 'POST', '/api/register', { email, password: PASSWORD });
        record('register', result, { table: 'users', key: { user_id: result.body.user_id as string }, expect: { email } });
        if (result.status >= 500) await sleep(100);
      }
    };
    /** An upload slot with its object already in S3, ready to be registered. */
    const uploaded = async (user: { token: string }): Promise<{ s3_key: string; file_id: string } | undefined> => {
      const slot = await call(base, 'POST', '/api/audio-files/upload-url', { content_type: 'audio/3gpp', file_size: 4096 }, user.token);
      record('upload-url', slot);
      if (slot.status !== 201) return undefined;
      const put = await fetch(slot.body.upload_url as string, { method: 'PUT', body: randomBytes(4096) });
      expect(put.status).toBe(200);
      return { s3_key: slot.body.s3_key as string, file_id: slot.body.file_id as string };
    };
    // Objects uploaded beforehand, so that registrations keep coming while no new slot can be had.
    const pools = await Promise.all(
      uploaders.map(async (user) => {
        const pool = [];
        for (let i = 0; i < 15; i++) pool.push(await uploaded(user));
        return pool;
      }),
    );
    outcomes.splice(0);
    const uploader = async (user: { token: string; user_id: string }, index: number): Promise<void> => {
      for (let i = 0; i < MAX_REQUESTS_PER_CLIENT && running(); i++) {
        const slot = (await uploaded(user)) ?? pools[index].pop();
        if (!slot) {
          await sleep(100);
          continue;
        }
        const registered = await call(base, 'POST', '/api/audio-file', slot, user.token);
        record('audio-file', registered, { table: 'audioFiles', key: { file_id: slot.file_id }, expect: { user_id: user.user_id } });
        if (registered.status >= 500) await sleep(100);
      }
    };
    const prober = async (): Promise<void> => {
      while (running()) {
        const [live, ready] = await Promise.all([call(base, 'GET', '/api/health'), call(base, 'GET', '/api/health/ready')]);
        record('live', live);
        record('ready', ready);
        await sleep(200);
      }
    };

    const load = Promise.all([
      ...Array.from({ length: CLIENTS_PER_KIND }, registrar),
      ...uploaders.map((user, index) => uploader(user, index)),
      prober(),
    ]);

    // On a loaded machine a registration (Argon2id) can take seconds: the outage starts only once
    // writes of each kind have been acknowledged, so "before" always has something to compare with.
    const acknowledgedSince = (kind: Outcome['kind'], after: number) => outcomes.some((o) => o.kind === kind && o.at >= after && o.status === 201);
    await sleep(BEFORE_MS);
    const loadStartedAt = Date.now() - BEFORE_MS;
    await waitUntil(() => acknowledgedSince('register', loadStartedAt) && acknowledgedSince('audio-file', loadStartedAt));
    const killedAt = Date.now();
    dynamo.process.kill('SIGKILL');
    await new Promise((resolve) => dynamo?.process.once('exit', resolve));
    await sleep(OUTAGE_MS);
    const restartingAt = Date.now();
    dynamo = await startDynamoDbLocal({ port, dataDir });
    const backAt = Date.now();
    // Keep the load on until readiness has recovered by itself, then a little longer.
    await waitUntil(() => outcomes.some((o) => o.kind === 'ready' && o.at > backAt && o.status === 200));
    await sleep(AFTER_MS);
    await waitUntil(() => acknowledgedSince('register', backAt) && acknowledgedSince('audio-file', backAt));
    stopAt = Date.now();
    await load;

    const before = outcomes.filter((o) => o.at + o.ms < killedAt);
    const during = outcomes.filter((o) => o.at > killedAt + 50 && o.at + o.ms < backAt);
    const after = outcomes.filter((o) => o.at > backAt);
    const writes = outcomes.filter((o) => o.kind === 'register' || o.kind === 'audio-file');
    const unavailable = outcomes.filter((o) => o.status === 503);
    const firstUnavailable = Math.min(...unavailable.filter((o) => o.at >= killedAt).map((o) => o.at + o.ms));
    const firstWriteAfter = Math.min(...after.filter((o) => o.status < 300 && o.written).map((o) => o.at + o.ms));
    const readyAgain = Math.min(...after.filter((o) => o.kind === 'ready' && o.status === 200).map((o) => o.at + o.ms));
    const slowest = Math.max(...outcomes.map((o) => o.ms));
    const count = (list: Outcome[], test: (o: Outcome) => boolean): number => list.filter(test).length;

    process.stdout.write(
      `outage: ${outcomes.length} requests (${writes.length} writes, ${count(writes, (o) => o.status < 300)} acknowledged); ` +
        `before ${count(before, (o) => o.status < 300)}×2xx; during ${during.length} requests, ${count(during, (o) => o.status === 503)}×503; ` +
        `after ${count(after, (o) => o.status < 300)}×2xx; first 503 ${firstUnavailable - killedAt} ms after the kill; ` +
        `DynamoDB down ${backAt - killedAt} ms (restart took ${backAt - restartingAt} ms); readiness 200 again ${readyAgain - backAt} ms and ` +
        `first acknowledged write ${firstWriteAfter - backAt} ms after it answered; slowest request ${slowest} ms; ` +
        `503 latency max ${Math.max(...unavailable.map((o) => o.ms))} ms\n`,
    );

    // Never a 500 (or any 5xx but 503), never a request past the bound.
    expect(outcomes.filter((o) => o.status >= 500 && o.status !== 503)).toEqual([]);
    expect(slowest).toBeLessThan(REQUEST_BOUND_MS);
    // Before: everything worked.
    expect(before.filter((o) => o.status >= 300)).toEqual([]);
    expect(count(before, (o) => o.kind === 'register')).toBeGreaterThan(0);
    expect(count(before, (o) => o.kind === 'audio-file')).toBeGreaterThan(0);
    // During: writes (and the JWT guard's session reads) fail fast with the envelope and Retry-After.
    for (const kind of ['register', 'audio-file', 'upload-url', 'ready'] as const) {
      const ofKind = during.filter((o) => o.kind === kind);
      expect({ kind, statuses: [...new Set(ofKind.map((o) => o.status))] }).toEqual({ kind, statuses: [503] });
    }
    expect(unavailable.filter((o) => o.kind !== 'ready').every((o) => o.code === 'SERVICE_UNAVAILABLE' && Number(o.retryAfter) > 0)).toBe(true);
    expect(firstUnavailable - killedAt).toBeLessThan(REQUEST_BOUND_MS);
    // Liveness never wavered.
    expect(outcomes.filter((o) => o.kind === 'live' && o.status !== 200)).toEqual([]);
    // After: the service resumed by itself.
    expect(count(after, (o) => o.kind === 'register' && o.status === 201)).toBeGreaterThan(0);
    expect(count(after, (o) => o.kind === 'audio-file' && o.status === 201)).toBeGreaterThan(0);
    expect(Number.isFinite(readyAgain)).toBe(true);

    // Every acknowledged write is there (strongly consistent reads of the restarted DynamoDB Local).
    const client = createDynamoDbClient({ ...config.dynamodb, endpoint: dynamo.endpoint });
    const documents: DynamoDBDocumentClient = createDocumentClient(client);
    const acknowledged = writes.filter((o) => o.written).map((o) => o.written as NonNullable<Outcome['written']>);
    const missing: unknown[] = [];
    for (const write of acknowledged) {
      const { Item } = await documents.send(new GetCommand({ TableName: config.dynamodb.tables[write.table], Key: write.key, ConsistentRead: true }));
      if (!Item || Object.entries(write.expect).some(([name, value]) => Item[name] !== value)) missing.push(write);
    }
    client.destroy();
    expect(acknowledged.length).toBeGreaterThan(10);
    expect(missing).toEqual([]);

    // The 503s are logged as request lines with their status, and nothing reached the catch-all.
    const lines = logLines(service);
    expect(lines.some((line) => (line.res as { statusCode?: number } | undefined)?.statusCode === 503)).toBe(true);
    expect(lines.filter((line) => (line.res as { statusCode?: number } | undefined)?.statusCode === 500)).toEqual([]);
    // Before, outage, a DynamoDB Local restart (a JVM start) and after: minutes on a loaded machine.
  }, 300_000);
});

describe('DynamoDB that hangs or throttles', () => {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  afterEach(async () => {
    killServices();
    sockets.forEach((socket) => socket.destroy());
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  /** Accepts connections and never answers: a network black hole. */
  const blackHole = (): Server =>
    createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
  /** Answers every call the way DynamoDB does when a table's throughput is exceeded. */
  const throttling = (): Server =>
    createHttpServer((request, response) => {
      request.resume();
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() });
      response.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
          message: 'Rate of requests exceeds the allowed throughput.',
        }),
      );
    });

  it.each([
    ['hangs', blackHole],
    ['throttles every call', throttling],
  ])('when it %s: 503 with Retry-After within the configured timeouts, readiness 503, liveness 200', async (_case, make) => {
    const fake = make();
    server = fake;
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    const config = await isolatedTables({}, false);
    const timeoutMs = 1000;
    const attempts = 2;
    const service = await startService(
      productionEnv(config, endpoint, { DYNAMODB_TIMEOUT_MS: String(timeoutMs), DYNAMODB_MAX_ATTEMPTS: String(attempts) }),
    );
    // Attempts × timeout, plus the SDK's backoff between attempts, on a loaded machine.
    const bound = dynamoDbCallBound(timeoutMs, attempts);
    const results = await Promise.all([
      call(service.baseUrl, 'POST', '/api/register', { email: `hang-${randomUUID()}@example.com`, password: PASSWORD }),
      call(service.baseUrl, 'POST', '/api/login', { email: `hang-${randomUUID()}@example.com`, password: PASSWORD }),
      call(service.baseUrl, 'GET', '/api/health/ready'),
    ]);
    const live = await call(service.baseUrl, 'GET', '/api/health');
    for (const result of results) {
      expect(result.status).toBe(503);
      expect(result.ms).toBeLessThan(bound);
    }
    expect(results.slice(0, 2).map((result) => [result.body.code, Number(result.retryAfter) > 0])).toEqual([
      ['SERVICE_UNAVAILABLE', true],
      ['SERVICE_UNAVAILABLE', true],
    ]);
    expect(live.status).toBe(200);
    // Liveness does not wait for DynamoDB: it answers before the attempts of one call could have timed out.
    expect(live.ms).toBeLessThan(attempts * timeoutMs);
    process.stdout.write(
      `DynamoDB ${_case}: 503 after ${results.map((result) => result.ms).join(' / ')} ms (register / login / ready; bound ${bound} ms)\n`,
    );
  });
});
