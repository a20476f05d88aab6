import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDbAudioFilesRepository } from '../../src/audio-files/dynamodb-audio-files.repository';
import type { MigrationReport } from '../../tools/migration/report';
import { DynamoDbUsersRepository } from '../../src/users/dynamodb-users.repository';
import { initialKeyring } from '../../src/users/user';
import { legacyHash, migrate, MIGRATE_CLI, runCli, temporaryFolder } from '../support/migration';
import { LOOSE_SCHEMA, startTestPostgres, TestPostgres } from '../support/postgres';
import { registerUser, scanAll, startTestApp, TestApp } from '../support/test-app';

const salt = (): Buffer => randomBytes(32);
const id = (): string => randomUUID();

/** Every row, keyed by a name, with the reason it must be skipped (undefined: migrated). */
const U = {
  good: id(),
  dupA: id(),
  dupB: id(),
  dupC: id(),
  kelvin: id(),
  kelvinPlain: id(),
  taken: id(),
  badId: 'not-a-uuid',
  caseKey: 'ABCDEF01-2345-4678-9ABC-DEF012345678',
  nullEmail: id(),
  emptyEmail: id(),
  badEmail: id(),
  plainPassword: id(),
  bcrypt: id(),
  nullHash: id(),
  shortSalt: id(),
  nullSalt: id(),
  nullCreated: id(),
  changed: id(),
};
const F = {
  good: id(),
  noOwner: id(),
  dynamoOwner: id(),
  skippedOwner: id(),
  sharedA: id(),
  sharedB: id(),
  claimed: id(),
  negative: id(),
  badId: 'nope',
  badOwner: id(),
  emptyKey: id(),
  nullKey: id(),
  nullUploaded: id(),
  dupKey: id(),
  spaced: id(),
  huge: id(),
};

describe('migrate-postgres: conflicts and invalid rows are reported, never resolved silently', () => {
  let pg: TestPostgres | undefined;
  let t: TestApp | undefined;
  let registered: { userId: string };
  let claimedBy: string;
  let report: MigrationReport;
  const reasonOf = (table: string, key: string | null): string[] =>
    report.skipped.filter((entry) => entry.table === table && entry.key === key).map((entry) => entry.reason);

  beforeAll(async () => {
    let hash: string;
    [pg, t, hash] = await Promise.all([startTestPostgres(), startTestApp(), legacyHash('a password')]);
    const app = t;
    // Already in DynamoDB: an account registered in the new service, a file registered by it, and an
    // account whose stored data differs from PostgreSQL's.
    registered = await registerUser(app.http, 'taken@example.com');
    claimedBy = id();
    await new DynamoDbAudioFilesRepository(app.documents, app.config).create({
      id: claimedBy,
      userId: registered.userId,
      s3Key: 'legacy/claimed.3gp',
      fileSize: 1,
      uploadedAt: new Date(),
      keyId: 1,
    });
    const changedSalt = salt();
    await new DynamoDbUsersRepository(app.documents, app.config).create({
      id: U.changed,
      email: 'changed@example.com',
      passwordHash: `${hash.slice(0, -4)}AAAA`,
      keySalt: changedSalt.toString('hex'),
      createdAt: new Date('2020-01-01T00:00:00Z'),
      ...initialKeyring(),
    });

    const users: Array<[string | null, string | null, string | null, Buffer | null, string | null]> = [
      [U.good, 'good@example.com', hash, salt(), '2020-01-01T00:00:00Z'],
      [U.dupA, 'Dup@Example.com', hash, salt(), '2020-01-01T00:00:00Z'],
      [U.dupB, '  dup@example.com', hash, salt(), '2020-01-01T00:00:00Z'],
      [U.dupC, 'DUP@EXAMPLE.COM\t', hash, salt(), '2020-01-01T00:00:00Z'],
      // U+212A KELVIN SIGN lower-cases to an ASCII "k" in JavaScript.
      [U.kelvin, '\u212Aelvin@example.com', hash, salt(), '2020-01-01T00:00:00Z'],
      [U.kelvinPlain, 'kelvin@example.com', hash, salt(), '2020-01-01T00:00:00Z'],
      [U.taken, 'Taken@Example.com', hash, salt(), '2020-01-01T00:00:00Z'],
      [U.badId, 'bad-id@example.com', hash, salt(), '2020-01-01T00:00:00Z'],
      [U.caseKey, 'upper@example.com', hash, salt(), '2020-01-01T00:00:00Z'],
      [U.caseKey.toLowerCase(), 'lower@example.com', hash, salt(), '2020-01-01T00:00:00Z'],
      [U.nullEmail, null, hash, salt(), '2020-01-01T00:00:00Z'],
      [U.emptyEmail, '   ', hash, salt(), '2020-01-01T00:00:00Z'],
      [U.badEmail, 'not-an-email', hash, salt(), '2020-01-01T00:00:00Z'],
      [U.plainPassword, 'plain@example.com', 'hunter22', salt(), '2020-01-01T00:00:00Z'],
      [U.bcrypt, 'bcrypt@example.com', '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW', salt(), '2020-01-01T00:00:00Z'],
      [U.nullHash, 'nullhash@example.com', null, salt(), '2020-01-01T00:00:00Z'],
      [U.shortSalt, 'short@example.com', hash, randomBytes(16), '2020-01-01T00:00:00Z'],
      [U.nullSalt, 'nosalt@example.com', hash, null, '2020-01-01T00:00:00Z'],
      [U.nullCreated, 'nocreated@example.com', hash, salt(), null],
      [U.changed, 'changed@example.com', hash, changedSalt, '2020-01-01T00:00:00Z'],
      [null, 'null-id@example.com', hash, salt(), '2020-01-01T00:00:00Z'],
    ];
    const files: Array<[string | null, string | null, string | null, string | null, string | null]> = [
      [F.good, U.good, `users/${U.good}/a.3gp`, '10', '2021-01-01T00:00:00Z'],
      [F.noOwner, id(), 'x/no-owner.3gp', '10', '2021-01-01T00:00:00Z'],
      [F.dynamoOwner, registered.userId, 'x/dynamo-owner.3gp', '10', '2021-01-01T00:00:00Z'],
      [F.skippedOwner, U.dupA, 'x/skipped-owner.3gp', '10', '2021-01-01T00:00:00Z'],
      [F.sharedB, U.good, 'x/shared.3gp', '10', '2021-01-01T00:00:00Z'],
      [F.sharedA, U.good, 'x/shared.3gp', '10', '2020-06-01T00:00:00Z'],
      [F.claimed, U.good, 'legacy/claimed.3gp', '10', '2021-01-01T00:00:00Z'],
      [F.negative, U.good, 'x/negative.3gp', '-5', '2021-01-01T00:00:00Z'],
      [F.badId, U.good, 'x/bad-id.3gp', '10', '2021-01-01T00:00:00Z'],
      [F.badOwner, 'nobody', 'x/bad-owner.3gp', '10', '2021-01-01T00:00:00Z'],
      [F.emptyKey, U.good, '', '10', '2021-01-01T00:00:00Z'],
      [F.nullKey, U.good, null, '10', '2021-01-01T00:00:00Z'],
      [F.nullUploaded, U.good, 'x/null-uploaded.3gp', '10', null],
      [F.dupKey, U.good, 'x/dup-key-1.3gp', '10', '2021-01-01T00:00:00Z'],
      [F.dupKey, U.good, 'x/dup-key-2.3gp', '10', '2021-01-01T00:00:00Z'],
      [F.spaced, U.good, 'x/old recording (1).3gp', null, '2021-01-01T00:00:00Z'],
      [F.huge, U.good, 'x/huge.3gp', String(10 * 1024 ** 4), '2021-01-01T00:00:00Z'],
      [null, U.good, 'x/null-id.3gp', '10', '2021-01-01T00:00:00Z'],
    ];
    const client = await pg.connect();
    try {
      await client.query(LOOSE_SCHEMA);
      for (const row of users) await client.query('INSERT INTO users VALUES ($1, $2, $3, $4, $5)', row);
      for (const row of files) await client.query('INSERT INTO audio_files VALUES ($1, $2, $3, $4, $5)', row);
    } finally {
      await client.end();
    }
    report = await migrate(pg, app.config, { batchSize: 4, concurrency: 3 });
  });

  afterAll(async () => {
    await t?.close();
    await pg?.stop();
  });

  it('skips every row of a group of emails equal once trimmed and lower-cased, Unicode case folding included', () => {
    for (const key of [U.dupA, U.dupB, U.dupC]) expect(reasonOf('users', key)).toEqual(['email_duplicate']);
    const entry = report.skipped.find((skip) => skip.key === U.dupA);
    expect(entry?.related?.sort()).toEqual([U.dupB, U.dupC].sort());
    expect(reasonOf('users', U.kelvin)).toEqual(['email_duplicate']);
    expect(reasonOf('users', U.kelvinPlain)).toEqual(['email_duplicate']);
  });

  it('skips an email already claimed in DynamoDB by another account, naming that account', () => {
    expect(report.skipped.find((skip) => skip.key === U.taken)).toMatchObject({
      reason: 'email_claimed_by_other_user',
      related: [registered.userId],
    });
  });

  it('never overwrites an account that exists with different data', async () => {
    expect(report.skipped.find((skip) => skip.key === U.changed)).toMatchObject({ reason: 'exists_with_different_data' });
    expect(report.skipped.find((skip) => skip.key === U.changed)?.message).toMatch(/password_hash/);
    const stored = (await scanAll((t as TestApp).documents, (t as TestApp).config.dynamodb.tables.users)).find((item) => item.user_id === U.changed);
    expect(String(stored?.password_hash)).toMatch(/AAAA$/);
  });

  it.each([
    ['users', 'badId', 'invalid_user_id'],
    ['users', 'NULL', 'invalid_user_id'],
    ['users', 'caseKey', 'duplicate_primary_key'],
    ['users', 'caseKeyLower', 'duplicate_primary_key'],
    ['users', 'nullEmail', 'invalid_email'],
    ['users', 'emptyEmail', 'invalid_email'],
    ['users', 'badEmail', 'invalid_email'],
    ['users', 'plainPassword', 'invalid_password_hash'],
    ['users', 'bcrypt', 'invalid_password_hash'],
    ['users', 'nullHash', 'invalid_password_hash'],
    ['users', 'nullCreated', 'invalid_created_at'],
    ['audio_files', 'noOwner', 'owner_missing'],
    ['audio_files', 'skippedOwner', 'owner_skipped'],
    ['audio_files', 'sharedB', 's3_key_duplicate'],
    ['audio_files', 'claimed', 's3_key_claimed_by_other_file'],
    ['audio_files', 'negative', 'negative_file_size'],
    ['audio_files', 'huge', 'invalid_file_size'],
    ['audio_files', 'badId', 'invalid_file_id'],
    ['audio_files', 'NULL', 'invalid_file_id'],
    ['audio_files', 'badOwner', 'invalid_owner_id'],
    ['audio_files', 'emptyKey', 'invalid_s3_key'],
    ['audio_files', 'nullKey', 'invalid_s3_key'],
    ['audio_files', 'nullUploaded', 'invalid_uploaded_at'],
  ])('%s row %s: %s', (table, name, reason) => {
    const keys: Record<string, string | null> = { ...(table === 'users' ? U : F), NULL: null, caseKeyLower: U.caseKey.toLowerCase() };
    expect(reasonOf(table, keys[name])).toEqual([reason]);
  });

  it('reports both rows of a duplicated primary key', () => {
    expect(reasonOf('audio_files', F.dupKey)).toEqual(['duplicate_primary_key', 'duplicate_primary_key']);
  });

  it('keeps the earliest of the rows sharing an s3_key as the owner of the object, and reports the others with its file id', async () => {
    expect(report.skipped.find((skip) => skip.key === F.sharedB)).toMatchObject({ reason: 's3_key_duplicate', related: [F.sharedA] });
    expect(reasonOf('audio_files', F.sharedA)).toEqual([]);
    expect(report.warnings.s3_key_shared).toMatchObject({ count: 1, examples: [{ key: F.sharedA }] });
    expect(report.warnings.s3_key_shared?.examples[0].message).toContain(F.sharedB);
    const app = t as TestApp;
    const files = await scanAll(app.documents, app.config.dynamodb.tables.audioFiles);
    expect(files.find((item) => item.file_id === 'S3KEY#x/shared.3gp')).toMatchObject({ claimed_by: F.sharedA, owner_user_id: U.good });
  });

  it('migrates accounts whose key salt is 16 bytes (copied exactly) or NULL (none), each with a warning', async () => {
    const app = t as TestApp;
    const users = await scanAll(app.documents, app.config.dynamodb.tables.users);
    const short = users.find((item) => item.user_id === U.shortSalt);
    expect(String(short?.key_salt)).toMatch(/^[0-9a-f]{32}$/);
    expect(users.find((item) => item.user_id === U.nullSalt)).not.toHaveProperty('key_salt');
    expect(report.warnings.key_salt_16_bytes).toMatchObject({ count: 1, examples: [{ key: U.shortSalt }] });
    expect(report.warnings.key_salt_missing).toMatchObject({ count: 1, examples: [{ key: U.nullSalt }] });
  });

  it('migrates the valid rows, a file whose owner exists only in DynamoDB, and an unusual s3_key with a warning', async () => {
    const app = t as TestApp;
    const users = await scanAll(app.documents, app.config.dynamodb.tables.users);
    const files = await scanAll(app.documents, app.config.dynamodb.tables.audioFiles);
    expect(users.map((item) => item.user_id)).toEqual(expect.arrayContaining([U.good, 'EMAIL#good@example.com']));
    expect(files.map((item) => item.file_id)).toEqual(expect.arrayContaining([F.good, F.dynamoOwner, F.spaced, F.sharedA]));
    expect(files.find((item) => item.file_id === F.spaced)).not.toHaveProperty('file_size');
    expect(report.warnings.s3_key_outside_api_pattern).toMatchObject({ count: 1, examples: [{ key: F.spaced }] });
    // Nothing else reached DynamoDB: 2 accounts existed before, 3 were migrated.
    expect(users.filter((item) => typeof item.email === 'string')).toHaveLength(5);
    expect(files.filter((item) => typeof item.user_id === 'string')).toHaveLength(5);
    expect(report.tables.users).toMatchObject({ source_rows: 21, written_rows: 3, skipped_rows: 18 });
    expect(report.tables.audio_files).toMatchObject({ source_rows: 18, written_rows: 4, skipped_rows: 14 });
  });

  it('verifies, exits 3 because rows were skipped, and accepts them with --allow-skips', async () => {
    expect(report.verification).toMatchObject({ ok: true, tables: { users: { missing: 0, extra: 2 }, audio_files: { missing: 0, extra: 1 } } });
    expect(report.outcome).toMatchObject({ status: 'skipped-rows', exit_code: 3 });
    expect(existsSync(MIGRATE_CLI)).toBe(true);
    const folder = temporaryFolder();
    const app = t as TestApp;
    const refused = runCli(
      ['--database-url', (pg as TestPostgres).url, '--report', join(folder, 'report.json'), '--checkpoint', join(folder, 'cp.json')],
      app.config,
    );
    expect(await refused.exited).toBe(3);
    const written = JSON.parse(readFileSync(join(folder, 'report.json'), 'utf8')) as MigrationReport;
    expect(written.skipped).toHaveLength(32);
    expect(written.skipped.every((entry) => typeof entry.reason === 'string' && entry.message.length > 0)).toBe(true);
    expect(JSON.stringify(written)).not.toContain('$argon2id$');
    expect(refused.stdout()).toMatch(/skipped-rows: .*32 row\(s\) were skipped/);
    expect(refused.stderr()).toMatch(/progress table=audio_files .* finished/);
    const accepted = runCli(
      ['--database-url', (pg as TestPostgres).url, '--allow-skips', '--report', join(folder, 'r2.json'), '--checkpoint', join(folder, 'cp2.json')],
      app.config,
    );
    expect(await accepted.exited).toBe(0);
  });
});
