import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { AppConfig } from '../../src/config/app-config';
import { coarseEmailKey, coarseEmailKeySql } from '../../tools/migration/row-rules';
import { addIgnoredColumns, parseMapping } from '../../tools/migration/source-schema';
import { legacyHash, migrate, temporaryFolder } from '../support/migration';
import { startTestPostgres, TestPostgres } from '../support/postgres';
import { isolatedTables, scanAll } from '../support/test-app';
import { createDocumentClient, createDynamoDbClient } from '../../src/database/dynamodb-client';

const MAPPING = JSON.stringify({
  schema: 'legacy',
  users: { table: 'accounts', columns: { user_id: 'id', email: 'mail', password_hash: 'pw', key_salt: 'salt', created_at: 'signup' } },
  audio_files: {
    table: 'recordings',
    columns: { file_id: 'rec_id', user_id: 'owner', s3_key: 'object_key', file_size: 'bytes', uploaded_at: 'made' },
  },
});
const USER = randomUUID();
const FILE = randomUUID();
const SALT = randomBytes(32);

describe('migrate-postgres: another installation’s schema', () => {
  let pg: TestPostgres | undefined;
  let config: AppConfig;

  beforeAll(async () => {
    [pg, config] = await Promise.all([startTestPostgres(), isolatedTables()]);
    const hash = await legacyHash('password');
    const client = await pg.connect();
    try {
      await client.query(`
        CREATE SCHEMA legacy;
        CREATE TABLE legacy.accounts (id uuid PRIMARY KEY, mail varchar(320), pw text, salt bytea, signup timestamp, display_name text);
        CREATE TABLE legacy.recordings (rec_id uuid PRIMARY KEY, owner uuid, object_key text, bytes integer, made timestamp)`);
      // The server's zone must not matter for "timestamp without time zone": it is read as UTC.
      await client.query("SET TIME ZONE 'Pacific/Auckland'");
      await client.query("INSERT INTO legacy.accounts VALUES ($1, 'Mapped@Example.com', $2, $3, '2024-01-02 03:04:05.678', 'Mapped')", [
        USER,
        hash,
        SALT,
      ]);
      await client.query("INSERT INTO legacy.recordings VALUES ($1, $2, 'a/b.3gp', 2048, '2024-05-06 07:08:09')", [FILE, USER]);
    } finally {
      await client.end();
    }
  });

  afterAll(async () => {
    await pg?.stop();
  });

  it('refuses when the tables are not where the mapping says', async () => {
    const report = await migrate(pg as TestPostgres, config);
    expect(report.outcome).toMatchObject({ status: 'refused', exit_code: 2 });
    expect(report.outcome.message).toMatch(/table public\.users does not exist/);
  });

  it('refuses a real run while a column would be left behind unnoticed; the dry run lists it', async () => {
    const mapping = parseMapping(MAPPING);
    const run = await migrate(pg as TestPostgres, config, { mapping });
    expect(run.outcome).toMatchObject({ status: 'refused', exit_code: 2 });
    expect(run.outcome.message).toMatch(/display_name.*--ignore-columns users\.display_name/);
    expect(run.tables.users.processed_rows).toBe(0);
    const dry = await migrate(pg as TestPostgres, config, { mapping, mode: 'dry-run' });
    expect(dry.outcome.status).toBe('refused');
    expect(dry.outcome.message).toMatch(/dry run complete; a real run would refuse/);
    expect(dry.schema.users.extra_columns).toEqual(['display_name']);
    expect(dry.tables.users).toMatchObject({ processed_rows: 1, written_rows: 1 });
  });

  it('migrates through a column mapping, reading timestamps without time zone as UTC', async () => {
    const mapping = addIgnoredColumns(parseMapping(MAPPING), 'users.display_name');
    const checkpointPath = join(temporaryFolder(), 'checkpoint.json');
    const report = await migrate(pg as TestPostgres, config, { mapping, checkpointPath });
    expect(report.outcome).toMatchObject({ status: 'ok', exit_code: 0 });
    expect(report.schema.users).toEqual({
      extra_columns: [],
      ignored_columns: ['display_name'],
      notes: ['created_at is timestamp without time zone: read as UTC'],
    });
    const client = createDynamoDbClient(config.dynamodb);
    try {
      const documents = createDocumentClient(client);
      const user = (await scanAll(documents, config.dynamodb.tables.users)).find((item) => item.user_id === USER);
      expect(user).toMatchObject({ email: 'mapped@example.com', key_salt: SALT.toString('hex'), created_at_iso: '2024-01-02T03:04:05.678Z' });
      const file = (await scanAll(documents, config.dynamodb.tables.audioFiles)).find((item) => item.file_id === FILE);
      expect(file).toMatchObject({ user_id: USER, s3_key: 'a/b.3gp', file_size: 2048, uploaded_at: Date.parse('2024-05-06T07:08:09Z') });
    } finally {
      client.destroy();
    }
    // The checkpoint belongs to this job: resuming it with another mapping is refused.
    const other = await migrate(pg as TestPostgres, config, { checkpointPath, resume: true });
    expect(other.outcome.status).toBe('refused');
  });

  it('computes the same coarse email key in PostgreSQL as in JavaScript', async () => {
    const samples = [
      'Alice@Example.COM',
      '  bob@x.io\t',
      '\u212Aelvin@x.io',
      '\u0130stanbul@x.io',
      'é@x.io',
      'ß@X.IO',
      'a"b@x.io',
      "o'k@x.io",
      '\u00a0z@x.io',
    ];
    const rows = await (pg as TestPostgres).query<{ key: string }>(
      `SELECT ${coarseEmailKeySql('e')} AS key FROM unnest($1::text[]) WITH ORDINALITY AS t(e, n) ORDER BY n`,
      [samples],
    );
    expect(rows.map((row) => row.key)).toEqual(samples.map(coarseEmailKey));
  });
});
