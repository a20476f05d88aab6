/**
 * `npm run bench:capacity`: what each user-facing flow costs in DynamoDB, measured rather than
 * estimated. The real application runs in this process against DynamoDB Local and s3rver; a client
 * middleware asks every call for `ReturnConsumedCapacity: TOTAL` and adds up calls, read and write
 * capacity units per flow. Figures go to bench/results/capacity-latest.json.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.factory';
import { PanzotoClient, Session } from '../tools/client/panzoto-client';
import { AppConfig } from '../src/config/app-config';
import { validateEnvironment } from '../src/config/environment';
import { provisionServiceTables } from '../src/database/provision';
import { startDynamoDbLocal } from '../tools/local/dynamodb-local';
import { startS3rverProcess } from '../tools/local/s3-local';
import { provisionServiceBucket } from '../src/storage/provision';

interface Cost {
  calls: number;
  operations: Record<string, number>;
  readUnits: number;
  writeUnits: number;
}

interface CapacityLike {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

const PASSWORD = 'Capacity-Password-1!';
const WRITE_OPERATIONS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'TransactWriteItemsCommand', 'BatchWriteItemCommand']);

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'panzoto-capacity-'));
  const dynamo = await startDynamoDbLocal({ port: 0 });
  const s3 = await startS3rverProcess(join(work, 's3')).catch(async (error: unknown) => {
    await dynamo.stop();
    throw error;
  });
  let app: NestFastifyApplication | undefined;
  try {
    Object.assign(process.env, {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: 'capacity',
      JWT_SECRET: randomBytes(48).toString('base64'),
      RATE_LIMIT_IP_PER_MINUTE: '100000',
      AUTH_CACHE_TTL_MS: '0',
    });
    const config = new AppConfig(validateEnvironment(process.env));
    await Promise.all([provisionServiceTables(config), provisionServiceBucket(config)]);
    app = await createApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const client = new PanzotoClient(await app.getUrl());

    let current: Cost | undefined;
    const documents = app.get(DynamoDBDocumentClient);
    documents.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        input.ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        if (current) {
          const name = context.commandName ?? 'unknown';
          current.calls++;
          current.operations[name] = (current.operations[name] ?? 0) + 1;
          const consumed = (result.output as { ConsumedCapacity?: CapacityLike | CapacityLike[] }).ConsumedCapacity;
          for (const capacity of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
            const units = capacity.CapacityUnits ?? 0;
            current.readUnits += capacity.ReadCapacityUnits ?? (WRITE_OPERATIONS.has(name) ? 0 : units);
            current.writeUnits += capacity.WriteCapacityUnits ?? (WRITE_OPERATIONS.has(name) ? units : 0);
          }
        }
        return result;
      },
      { step: 'initialize', name: 'capacityMeter' },
    );

    const flows: Record<string, Cost> = {};
    const measure = async <T>(flow: string, action: () => Promise<T>): Promise<T> => {
      current = { calls: 0, operations: {}, readUnits: 0, writeUnits: 0 };
      try {
        return await action();
      } finally {
        flows[flow] = current;
        current = undefined;
      }
    };
    const expectStatus = async (status: number, action: () => Promise<unknown>): Promise<void> => {
      const outcome = await action().then(
        () => 200,
        (error: { status?: number }) => error.status ?? 0,
      );
      if (outcome !== status && !(status === 200 && outcome >= 200 && outcome < 300)) throw new Error(`expected ${status}, got ${outcome}`);
    };

    const email = `capacity-${Date.now()}@example.com`;
    const registered: Session = await measure('POST /api/register', () => client.register(email, PASSWORD));
    const session = await measure('POST /api/login (right password)', () => client.login(email, PASSWORD));
    await measure('POST /api/login (wrong password)', () => expectStatus(401, () => client.login(email, 'not-the-password')));
    const refreshed = await measure('POST /api/auth/refresh', () =>
      client.call<Session>('POST', '/api/auth/refresh', { refresh_token: session.refresh_token }),
    );
    const userKey = await client.unlockUserKey(registered, PASSWORD);
    const slot = await measure('POST /api/audio-files/upload-url', () =>
      client.call<{ s3_key: string; file_id: string; upload_url: string }>(
        'POST',
        '/api/audio-files/upload-url',
        { file_size: 10_056 },
        refreshed.token,
      ),
    );
    const file = await client.uploadRecording(registered, userKey, { data: randomBytes(10_000) });
    void slot;
    await measure('GET /api/user/audio-files?limit=20', () => client.call('GET', '/api/user/audio-files?limit=20', undefined, refreshed.token));
    await measure('GET /api/audio-files/:id', () => client.call('GET', `/api/audio-files/${file.file_id}`, undefined, refreshed.token));
    await measure('POST /api/decrypt-audio (link)', () =>
      client.call('POST', '/api/decrypt-audio', { password: PASSWORD, file_id: file.file_id }, refreshed.token),
    );
    await measure('POST /api/decrypt-audio (wrong password)', () =>
      expectStatus(401, () => client.call('POST', '/api/decrypt-audio', { password: 'nope-nope', file_id: file.file_id }, refreshed.token)),
    );
    await measure('GET /api/sessions', () => client.call('GET', '/api/sessions', undefined, refreshed.token));
    const second = await client.uploadRecording(registered, userKey, { data: randomBytes(1000) });
    await measure('DELETE /api/audio-files/:id', () => client.call('DELETE', `/api/audio-files/${second.file_id}`, undefined, refreshed.token));
    const changed = await measure('PUT /api/user/password', () =>
      client.call<{ key_salt: string }>('PUT', '/api/user/password', { current_password: PASSWORD, new_password: `${PASSWORD}x` }, refreshed.token),
    );
    void changed;
    const other = await client.login(email, `${PASSWORD}x`);
    await measure('POST /api/logout', () => client.call('POST', '/api/logout', undefined, other.token));
    await measure('DELETE /api/user (1 recording, 1 job, 1 session)', () =>
      client.call('DELETE', '/api/user', { password: `${PASSWORD}x` }, refreshed.token),
    );

    const results = {
      measuredAt: new Date().toISOString(),
      note: 'AUTH_CACHE_TTL_MS=0, so every authenticated request includes the guard’s session GetItem; with the cache warm it is one call and 0.5–1 RCU less. DynamoDB Local reports capacity as DynamoDB would for on-demand tables.',
      flows,
    };
    await mkdir('bench/results', { recursive: true });
    await writeFile('bench/results/capacity-latest.json', `${JSON.stringify(results, null, 2)}\n`);
    const rows = Object.entries(flows).map(
      ([flow, cost]) =>
        `${flow.padEnd(52)} ${String(cost.calls).padStart(3)} calls  ${cost.readUnits.toFixed(1).padStart(5)} RCU  ${cost.writeUnits.toFixed(1).padStart(5)} WCU  ${Object.entries(
          cost.operations,
        )
          .map(([operation, count]) => `${operation.replace('Command', '')}×${count}`)
          .join(' ')}`,
    );
    process.stdout.write(`${rows.join('\n')}\n`);
  } finally {
    await app?.close();
    await Promise.all([dynamo.stop(), s3.stop()]);
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:capacity failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
