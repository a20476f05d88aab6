import * as argon2 from 'argon2';
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../../src/config/app-config';
import { createDocumentClient, createDynamoDbClient } from '../../src/database/dynamodb-client';
import { DynamoDbMigrationWriter } from '../../tools/migration/dynamodb-migration.writer';
import { Migrator } from '../../tools/migration/migrator';
import type { MigrationReport } from '../../tools/migration/report';
import type { MigrationSettings } from '../../tools/migration/settings';
import { describeDatabaseUrl, PostgresSource } from '../../tools/migration/postgres-source';
import { defaultMapping, SourceMapping } from '../../tools/migration/source-schema';
import type { TestPostgres } from './postgres';

export const MIGRATE_CLI = 'dist-tools/tools/migration/migrate-postgres.js';

/** argon2-cffi's defaults (argon2id, m=64 MiB, t=3, p=4): the hashes the old system stored. */
export function legacyHash(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, memoryCost: 65536, timeCost: 3, parallelism: 4 });
}

export function temporaryFolder(): string {
  return mkdtempSync(join(tmpdir(), 'panzoto-migration-'));
}

export interface MigrateOptions extends Partial<MigrationSettings> {
  mapping?: SourceMapping;
}

/** Runs the migration in this process against `pg` and the tables of `config`; resolves to its report. */
export async function migrate(pg: TestPostgres, config: AppConfig, options: MigrateOptions = {}): Promise<MigrationReport> {
  const mapping = options.mapping ?? defaultMapping();
  const source = new PostgresSource(pg.url, mapping);
  const client = createDynamoDbClient({ ...config.dynamodb, maxAttempts: 1 });
  const writer = new DynamoDbMigrationWriter(createDocumentClient(client));
  const settings: MigrationSettings = {
    databaseUrl: pg.url,
    sourceDescription: describeDatabaseUrl(pg.url),
    mapping,
    tables: { users: config.dynamodb.tables.users, audioFiles: config.dynamodb.tables.audioFiles },
    targetDescription: config.dynamodb.endpoint ?? 'aws',
    mode: 'run',
    resume: false,
    allowSkips: false,
    batchSize: 25,
    concurrency: 4,
    pageSize: 200,
    verifySample: 1000,
    checkpointPath: join(temporaryFolder(), 'checkpoint.json'),
    ...options,
  };
  try {
    return await new Migrator(settings, { source, writer, log: { info: () => undefined, warn: () => undefined } }).run();
  } finally {
    await source.close();
    client.destroy();
  }
}

export interface CliRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** The built CLI as an operator runs it (`node dist-tools/tools/migration/migrate-postgres.js …`), DynamoDB settings from the environment. */
export function runCli(args: string[], config: AppConfig, cwd = process.cwd()): CliRun {
  const child = spawn(process.execPath, [join(process.cwd(), MIGRATE_CLI), ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      AWS_REGION: config.dynamodb.region,
      DYNAMODB_ENDPOINT: config.dynamodb.endpoint ?? '',
      USERS_TABLE: config.dynamodb.tables.users,
      AUDIO_FILES_TABLE: config.dynamodb.tables.audioFiles,
      DECRYPT_JOBS_TABLE: config.dynamodb.tables.decryptJobs,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = child.exitCode !== null ? Promise.resolve(child.exitCode) : once(child, 'exit').then(([code]) => code as number | null);
  return { child, stdout: () => out, stderr: () => err, exited };
}
