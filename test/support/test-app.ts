import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app.factory';
import { AppConfig } from '../../src/config/app-config';
import { validateEnvironment } from '../../src/config/environment';
import { createDocumentClient, createDynamoDbClient } from '../../src/database/dynamodb-client';
import { provisionServiceTables } from '../../src/database/provision';

export const PASSWORD = 'SecurePassword123!';

/** Fresh, uniquely named tables in the run's DynamoDB Local; returns the configuration that uses them. */
export async function isolatedTables(overrides: Record<string, string> = {}, provision = true): Promise<AppConfig> {
  const suffix = randomUUID().slice(0, 8);
  Object.assign(process.env, {
    USERS_TABLE: `users-${suffix}`,
    AUDIO_FILES_TABLE: `audio-files-${suffix}`,
    JWT_SECRET: randomBytes(32).toString('base64'),
    ...overrides,
  });
  const config = new AppConfig(validateEnvironment(process.env));
  if (provision) await provisionServiceTables(config);
  return config;
}

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  config: AppConfig;
  /** Direct access to the tables, for asserting what was (not) stored. */
  documents: DynamoDBDocumentClient;
  close(): Promise<void>;
}

/** The real application (real modules, real DynamoDB Local) behind supertest. */
export async function startTestApp(
  overrides: Record<string, string> = {},
  { provisionTables = true } = {},
): Promise<TestApp> {
  const config = await isolatedTables(overrides, provisionTables);
  const app = await createApp();
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const client: DynamoDBClient = createDynamoDbClient(config.dynamodb);
  const documents = createDocumentClient(client);
  return {
    app,
    http: request(app.getHttpServer()),
    config,
    documents,
    close: async () => {
      client.destroy();
      await app.close();
    },
  };
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
}

export async function registerUser(http: TestAgent, email = `user-${randomUUID()}@example.com`): Promise<RegisteredUser> {
  const response = await http.post('/api/register').send({ email, password: PASSWORD }).expect(201);
  return {
    token: response.body.token,
    userId: response.body.user_id,
    email,
    auth: { Authorization: `Bearer ${response.body.token}` },
  };
}
