import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app.factory';
import { AppConfig } from '../../src/config/app-config';
import { validateEnvironment } from '../../src/config/environment';
import { createDocumentClient, createDynamoDbClient } from '../../src/database/dynamodb-client';
import { provisionServiceTables } from '../../src/database/provision';
import { provisionServiceBucket } from '../../src/storage/provision';
import { createS3Client } from '../../src/storage/s3-client';
import { PanzotoClient, Session } from '../../tools/client/panzoto-client';
import type { AudioFileDto } from '../../src/audio-files/dto/audio-file.dto';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

export const PASSWORD = 'SecurePassword123!';

/**
 * Fresh, uniquely named tables in the run's DynamoDB Local and a fresh bucket in its s3rver; returns
 * the configuration that uses them.
 */
export async function isolatedTables(overrides: Record<string, string> = {}, provision = true): Promise<AppConfig> {
  const suffix = randomUUID().slice(0, 8);
  Object.assign(process.env, {
    USERS_TABLE: `users-${suffix}`,
    AUDIO_FILES_TABLE: `audio-files-${suffix}`,
    DECRYPT_JOBS_TABLE: `decrypt-jobs-${suffix}`,
    SESSIONS_TABLE: `sessions-${suffix}`,
    RATE_LIMITS_TABLE: `rate-limits-${suffix}`,
    ACCOUNT_TOKENS_TABLE: `account-tokens-${suffix}`,
    S3_BUCKET: `test-${suffix}`,
    JWT_SECRET: randomBytes(32).toString('base64'),
    ...overrides,
  });
  const config = new AppConfig(validateEnvironment(process.env));
  if (provision) await Promise.all([provisionServiceTables(config), provisionServiceBucket(config)]);
  return config;
}

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  /** The app listens on a loopback port too, for clients that need a real URL (the reference client). */
  baseUrl: string;
  client: PanzotoClient;
  config: AppConfig;
  /** Direct access to the tables, for asserting what was (not) stored. */
  documents: DynamoDBDocumentClient;
  /** Direct access to the bucket, for tampering with objects and asserting what was (not) stored. */
  s3: S3Client;
  close(): Promise<void>;
}

/** The real application (real modules, real DynamoDB Local) behind supertest; `host` 0.0.0.0 serves every interface. */
export async function startTestApp(overrides: Record<string, string> = {}, { provisionTables = true, host = '127.0.0.1' } = {}): Promise<TestApp> {
  const config = await isolatedTables(overrides, provisionTables);
  const app = await createApp();
  await app.listen({ port: 0, host });
  const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const dynamo: DynamoDBClient = createDynamoDbClient(config.dynamodb);
  const s3 = createS3Client(config.storage);
  return {
    app,
    http: request(app.getHttpServer()),
    baseUrl,
    client: new PanzotoClient(baseUrl),
    config,
    documents: createDocumentClient(dynamo),
    s3,
    close: async () => {
      dynamo.destroy();
      s3.destroy();
      await app.close();
    },
  };
}

/** Every key in the test bucket under `prefix`. */
export async function listKeys(t: TestApp, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await t.s3.send(new ListObjectsV2Command({ Bucket: t.config.storage.bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key as string));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

export async function getObject(t: TestApp, key: string): Promise<Buffer> {
  const { Body } = await t.s3.send(new GetObjectCommand({ Bucket: t.config.storage.bucket, Key: key }));
  return Buffer.from(await (Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

/** What a client does with an upload URL: one PUT of `data` (fetch sends its length as Content-Length). */
export async function putThrough(uploadUrl: string, data: Buffer): Promise<void> {
  const response = await fetch(uploadUrl, { method: 'PUT', body: new Uint8Array(data) });
  if (response.status !== 200) throw new Error(`upload failed: HTTP ${response.status} ${await response.text()}`);
}

export async function putObject(t: TestApp, key: string, data: Buffer): Promise<void> {
  await t.s3.send(new PutObjectCommand({ Bucket: t.config.storage.bucket, Key: key, Body: data }));
}

/** Every item of a table (tests hold a few hundred at most). */
export async function scanAll(documents: DynamoDBDocumentClient, table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export interface RegisteredUser {
  token: string;
  userId: string;
  email: string;
  auth: { Authorization: string };
  session: Session;
}

export async function registerUser(http: TestAgent, email = `user-${randomUUID()}@example.com`): Promise<RegisteredUser> {
  const response = await http.post('/api/register').send({ email, password: PASSWORD }).expect(201);
  return {
    token: response.body.token,
    userId: response.body.user_id,
    email,
    auth: { Authorization: `Bearer ${response.body.token}` },
    session: response.body as Session,
  };
}

const userKeys = new Map<string, Buffer>();

/** The reference client's whole upload path: unlock the user key, encrypt, PUT, register. */
export async function uploadRecording(t: TestApp, user: RegisteredUser, plaintext: Buffer = randomBytes(2048)): Promise<AudioFileDto> {
  let userKey = userKeys.get(user.userId);
  if (!userKey) {
    userKey = await t.client.unlockUserKey(user.session, PASSWORD);
    userKeys.set(user.userId, userKey);
  }
  return t.client.uploadRecording(user.session, userKey, { data: plaintext });
}

/** Another instance of the service on the same tables and bucket (the environment is unchanged). */
export async function startAnotherInstance(): Promise<{ http: TestAgent; close(): Promise<void> }> {
  const app = await createApp();
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { http: request(app.getHttpServer()), close: () => app.close() };
}

/** Waits, if needed, until `marginSeconds` fit before the next boundary of fixed `windowSeconds` windows. */
export async function awayFromWindowEdge(windowSeconds: number, marginSeconds = 10): Promise<void> {
  const into = Date.now() % (windowSeconds * 1000);
  const left = windowSeconds * 1000 - into;
  if (left < marginSeconds * 1000) await new Promise((resolve) => setTimeout(resolve, left + 500));
}
