import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDbAudioFilesRepository } from '../../src/audio-files/dynamodb-audio-files.repository';
import { audioFileItems, userItems } from '../../tools/migration/items';
import { DynamoDbUsersRepository } from '../../src/users/dynamodb-users.repository';
import { initialKeyring } from '../../src/users/user';
import { legacyHash, migrate, temporaryFolder } from '../support/migration';
import { LEGACY_SCHEMA, startTestPostgres, TestPostgres } from '../support/postgres';
import { isolatedTables, scanAll, startTestApp, TestApp } from '../support/test-app';

const ALICE = { id: randomUUID(), email: '  Alice@Example.COM ', password: 'alice old password', salt: Buffer.from([0, 255, ...randomBytes(29), 0]) };
const BOB = { id: randomUUID(), email: 'bob@example.com', password: 'bob old password', salt: randomBytes(32) };
const CAROL = { id: randomUUID(), email: 'carol@example.com', salt: randomBytes(32) };

/** Alice's files as inserted (out of order), with the instant each time literal means. */
const ALICE_FILES = [
  { id: randomUUID(), at: '2023-11-05 00:30:00', zone: 'America/New_York', ms: Date.parse('2023-11-05T04:30:00Z'), size: '1024' },
  { id: randomUUID(), at: '2024-02-29 23:59:59.999+14', zone: 'UTC', ms: Date.parse('2024-02-29T09:59:59.999Z'), size: null },
  { id: randomUUID(), at: '2023-03-12 03:30:00', zone: 'America/New_York', ms: Date.parse('2023-03-12T07:30:00Z'), size: '5497558138880' },
  { id: randomUUID(), at: '2024-06-01 12:00:00.123456+05:30', zone: 'UTC', ms: Date.parse('2024-06-01T06:30:00.123Z'), size: '0' },
];
const BOB_FILE = { id: randomUUID(), at: '2022-01-01 00:00:00+00', ms: Date.parse('2022-01-01T00:00:00Z') };

describe('migrate-postgres: a full migration', () => {
  let pg: TestPostgres | undefined;
  let t: TestApp | undefined;
  let aliceHash: string;

  beforeAll(async () => {
    [pg, t, aliceHash] = await Promise.all([startTestPostgres(), startTestApp(), legacyHash(ALICE.password)]);
    const bobHash = await legacyHash(BOB.password);
    // The migration's own session gets yet another zone: only the instants may matter.
    await pg.query(`ALTER DATABASE ${(await pg.query<{ db: string }>('SELECT current_database() AS db'))[0].db} SET timezone TO 'Asia/Kolkata'`);
    const client = await pg.connect();
    try {
      await client.query(LEGACY_SCHEMA);
      await client.query("SET TIME ZONE 'America/New_York'");
      await client.query('INSERT INTO users VALUES ($1, $2, $3, $4, $5)', [ALICE.id, ALICE.email, aliceHash, ALICE.salt, '2019-03-10 01:30:00']);
      await client.query('INSERT INTO users VALUES ($1, $2, $3, $4, $5)', [BOB.id, BOB.email, bobHash, BOB.salt, '2020-06-01 12:00:00+05:30']);
      await client.query('INSERT INTO users VALUES ($1, $2, $3, $4, $5)', [
        CAROL.id,
        CAROL.email,
        bobHash,
        CAROL.salt,
        '2021-01-01 00:00:00.123456+00',
      ]);
      for (const file of ALICE_FILES) {
        await client.query(`SET TIME ZONE '${file.zone}'`);
        await client.query('INSERT INTO audio_files VALUES ($1, $2, $3, $4, $5)', [
          file.id,
          ALICE.id,
          `users/${ALICE.id}/${file.id}.3gp`,
          file.size,
          file.at,
        ]);
      }
      await client.query('INSERT INTO audio_files VALUES ($1, $2, $3, NULL, $4)', [BOB_FILE.id, BOB.id, `legacy/${BOB_FILE.id}.m4a`, BOB_FILE.at]);
    } finally {
      await client.end();
    }
  });

  afterAll(async () => {
    await t?.close();
    await pg?.stop();
  });

  it('writes every row as the service would, verifies it, and the user logs in with the old password and lists files newest first', async () => {
    const app = t as TestApp;
    const report = await migrate(pg as TestPostgres, app.config);
    expect(report.outcome).toMatchObject({ status: 'ok', exit_code: 0 });
    expect(report.tables.users).toMatchObject({ source_rows: 3, written_rows: 3, skipped_rows: 0, items_written: 6, complete: true });
    expect(report.tables.audio_files).toMatchObject({ source_rows: 5, written_rows: 5, skipped_rows: 0, items_written: 10, complete: true });
    expect(report.verification?.ok).toBe(true);
    expect(report.verification?.tables.users).toMatchObject({ dynamodb_items: 3, dynamodb_claims: 3, missing: 0, sample: { compared: 3, equal: 3 } });
    expect(report.verification?.tables.audio_files).toMatchObject({
      dynamodb_items: 5,
      dynamodb_claims: 5,
      missing: 0,
      sample: { compared: 5, equal: 5 },
    });

    const users = await scanAll(app.documents, app.config.dynamodb.tables.users);
    expect(users).toHaveLength(6);
    const alice = users.find((item) => item.user_id === ALICE.id);
    expect(alice).toEqual({
      user_id: ALICE.id,
      email: 'alice@example.com',
      password_hash: aliceHash,
      key_salt: ALICE.salt.toString('hex'),
      created_at: Date.parse('2019-03-10T06:30:00Z'),
      created_at_iso: '2019-03-10T06:30:00.000Z',
    });
    expect(users.find((item) => item.user_id === 'EMAIL#alice@example.com')).toEqual({
      user_id: 'EMAIL#alice@example.com',
      claimed_by: ALICE.id,
      created_at: Date.parse('2019-03-10T06:30:00Z'),
    });
    expect(users.find((item) => item.user_id === BOB.id)).toMatchObject({
      created_at: Date.parse('2020-06-01T06:30:00Z'),
      key_salt: BOB.salt.toString('hex'),
    });
    expect(users.find((item) => item.user_id === CAROL.id)).toMatchObject({ created_at_iso: '2021-01-01T00:00:00.123Z' });

    const files = await scanAll(app.documents, app.config.dynamodb.tables.audioFiles);
    expect(files).toHaveLength(10);
    for (const file of ALICE_FILES) {
      expect(files.find((item) => item.file_id === file.id)).toEqual({
        file_id: file.id,
        user_id: ALICE.id,
        s3_key: `users/${ALICE.id}/${file.id}.3gp`,
        ...(file.size === null ? {} : { file_size: Number(file.size) }),
        uploaded_at: file.ms,
        uploaded_at_iso: new Date(file.ms).toISOString(),
      });
      expect(files.find((item) => item.file_id === `S3KEY#users/${ALICE.id}/${file.id}.3gp`)).toEqual({
        file_id: `S3KEY#users/${ALICE.id}/${file.id}.3gp`,
        claimed_by: file.id,
        owner_user_id: ALICE.id,
      });
    }

    const login = await app.http.post('/api/login').send({ email: 'ALICE@example.com', password: ALICE.password }).expect(200);
    expect(login.body).toMatchObject({ user_id: ALICE.id, key_salt: ALICE.salt.toString('hex') });
    await app.http.post('/api/login').send({ email: 'alice@example.com', password: 'not the password' }).expect(401);
    // The user key is made at first login, wrapped under the old password.
    const { Item } = await app.documents.send(new GetCommand({ TableName: app.config.dynamodb.tables.users, Key: { user_id: ALICE.id } }));
    expect(typeof Item?.wrapped_user_key).toBe('string');

    const listing = await app.http.get('/api/user/audio-files').set('Authorization', `Bearer ${login.body.token}`).expect(200);
    const newestFirst = [...ALICE_FILES].sort((a, b) => b.ms - a.ms);
    expect(listing.body.audio_files.map((file: { file_id: string }) => file.file_id)).toEqual(newestFirst.map((file) => file.id));
    expect(listing.body.audio_files[0]).toMatchObject({ uploaded_at: '2024-06-01T06:30:00.123Z', file_size: 0, user_id: ALICE.id });
    expect(listing.body.audio_files.find((file: { file_id: string }) => file.file_id === ALICE_FILES[1].id).file_size).toBeNull();
  });

  it('re-running writes nothing and keeps the user key made at login', async () => {
    const app = t as TestApp;
    const before = await scanAll(app.documents, app.config.dynamodb.tables.users);
    const report = await migrate(pg as TestPostgres, app.config);
    expect(report.outcome.status).toBe('ok');
    expect(report.tables.users).toMatchObject({ written_rows: 0, unchanged_rows: 3, skipped_rows: 0, items_written: 0 });
    expect(report.tables.audio_files).toMatchObject({ written_rows: 0, unchanged_rows: 5, skipped_rows: 0, items_written: 0 });
    expect(report.dynamodb.batch_write_requests).toBe(0);
    expect(await scanAll(app.documents, app.config.dynamodb.tables.users)).toEqual(expect.arrayContaining(before));
    expect(await scanAll(app.documents, app.config.dynamodb.tables.audioFiles)).toHaveLength(10);
  });

  it('--verify-only passes, then names what is missing', async () => {
    const app = t as TestApp;
    const checkpointPath = join(temporaryFolder(), 'none.json');
    expect((await migrate(pg as TestPostgres, app.config, { mode: 'verify-only', checkpointPath })).outcome.status).toBe('ok');
    await app.documents.send(new DeleteCommand({ TableName: app.config.dynamodb.tables.audioFiles, Key: { file_id: BOB_FILE.id } }));
    const report = await migrate(pg as TestPostgres, app.config, { mode: 'verify-only', checkpointPath });
    expect(report.outcome).toMatchObject({ status: 'verification-failed', exit_code: 4 });
    expect(report.verification?.tables.audio_files).toMatchObject({
      missing: 1,
      dynamodb_items: 4,
      dynamodb_claims: 5,
      sample: { missing: [BOB_FILE.id] },
    });
    expect(report.tables.audio_files.written_rows).toBe(0);
    // A re-run repairs it: the missing record is written, nothing else.
    const repaired = await migrate(pg as TestPostgres, app.config);
    expect(repaired.outcome.status).toBe('ok');
    expect(repaired.tables.audio_files).toMatchObject({ written_rows: 1, unchanged_rows: 4, items_written: 1 });
  });

  it('--dry-run reads and validates everything and writes nothing', async () => {
    const config = await isolatedTables();
    const checkpointPath = join(temporaryFolder(), 'checkpoint.json');
    const report = await migrate(pg as TestPostgres, config, { mode: 'dry-run', checkpointPath });
    expect(report.outcome).toMatchObject({ status: 'ok', exit_code: 0 });
    expect(report.outcome.message).toMatch(/nothing was written/);
    expect(report.tables.users).toMatchObject({ processed_rows: 3, written_rows: 3, items_written: 6 });
    expect(report.tables.audio_files).toMatchObject({ processed_rows: 5, written_rows: 5, items_written: 10 });
    expect(report.dynamodb).toMatchObject({ batch_write_requests: 0, items_written: 0 });
    expect(report.verification).toBeUndefined();
    const app = t as TestApp;
    expect(await scanAll(app.documents, config.dynamodb.tables.users)).toEqual([]);
    expect(await scanAll(app.documents, config.dynamodb.tables.audioFiles)).toEqual([]);
    expect(existsSync(checkpointPath)).toBe(false);
  });

  it("builds exactly the items the service's own repositories write", async () => {
    const app = t as TestApp;
    const user = {
      id: randomUUID(),
      email: 'repository@example.com',
      passwordHash: aliceHash,
      keySalt: randomBytes(32).toString('hex'),
      createdAt: new Date(),
      ...initialKeyring(),
    };
    const file = { id: randomUUID(), userId: user.id, s3Key: `users/${user.id}/x.3gp`, fileSize: 12, uploadedAt: new Date(), keyId: 1 };
    await new DynamoDbUsersRepository(app.documents, app.config).create(user);
    await new DynamoDbAudioFilesRepository(app.documents, app.config).create(file);
    const get = async (table: string, key: Record<string, string>) => (await app.documents.send(new GetCommand({ TableName: table, Key: key }))).Item;
    const expectedUser = userItems(user);
    const expectedFile = audioFileItems(file);
    expect(await get(app.config.dynamodb.tables.users, { user_id: user.id })).toEqual(expectedUser.record);
    expect(await get(app.config.dynamodb.tables.users, { user_id: expectedUser.claim.user_id as string })).toEqual(expectedUser.claim);
    expect(await get(app.config.dynamodb.tables.audioFiles, { file_id: file.id })).toEqual(expectedFile.record);
    expect(await get(app.config.dynamodb.tables.audioFiles, { file_id: expectedFile.claim.file_id as string })).toEqual(expectedFile.claim);
  });
});
