import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Session } from '../../tools/client/panzoto-client';
import type { MigrationReport } from '../../tools/migration/report';
import { legacyHash, migrate, runCli, temporaryFolder } from '../support/migration';
import { LOOSE_SCHEMA, startTestPostgres, TestPostgres } from '../support/postgres';
import { scanAll, startTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'the old password';
const SHORT_SALT = randomBytes(16);
const U = { plain: randomUUID(), other: randomUUID(), shortSalt: randomUUID(), nullSalt: randomUUID() };
const F = {
  plain: randomUUID(),
  other: randomUUID(),
  shortSalt: randomUUID(),
  nullSalt: randomUUID(),
  sharedLate: randomUUID(),
  sharedEarliest: randomUUID(),
  sharedMiddle: randomUUID(),
};
const EMAIL = { shortSalt: 'sixteen@example.com', nullSalt: 'nosalt@example.com' };

/**
 * Every legacy quirk of the old database that used to lose an account or a recording: a 16-byte key
 * salt, a NULL key salt, and three rows sharing one s3_key. The figures of the run are printed.
 */
describe('migrate-postgres: the legacy quirks lose no account and no recording', () => {
  let pg: TestPostgres | undefined;
  let t: TestApp | undefined;
  let report: MigrationReport;
  let exitCode: number | null;

  beforeAll(async () => {
    let hash: string;
    [pg, t, hash] = await Promise.all([startTestPostgres(), startTestApp(), legacyHash(PASSWORD)]);
    const client = await pg.connect();
    try {
      await client.query(LOOSE_SCHEMA);
      const users: Array<[string, string, Buffer | null]> = [
        [U.plain, 'plain@example.com', randomBytes(32)],
        [U.other, 'other@example.com', randomBytes(32)],
        [U.shortSalt, EMAIL.shortSalt, SHORT_SALT],
        [U.nullSalt, EMAIL.nullSalt, null],
      ];
      for (const [id, email, salt] of users) {
        await client.query('INSERT INTO users VALUES ($1, $2, $3, $4, $5)', [id, email, hash, salt, '2020-01-01T00:00:00Z']);
      }
      const files: Array<[string, string, string, string]> = [
        [F.plain, U.plain, `users/${U.plain}/a.3gp`, '2021-01-01T00:00:00Z'],
        [F.other, U.other, `users/${U.other}/b.3gp`, '2021-01-01T00:00:00Z'],
        [F.shortSalt, U.shortSalt, `users/${U.shortSalt}/c.3gp`, '2021-01-01T00:00:00Z'],
        [F.nullSalt, U.nullSalt, `users/${U.nullSalt}/d.3gp`, '2021-01-01T00:00:00Z'],
        [F.sharedLate, U.plain, `users/${U.plain}/shared.3gp`, '2021-03-01T00:00:00Z'],
        [F.sharedEarliest, U.plain, `users/${U.plain}/shared.3gp`, '2021-01-15T00:00:00Z'],
        [F.sharedMiddle, U.plain, `users/${U.plain}/shared.3gp`, '2021-02-01T00:00:00Z'],
      ];
      for (const [id, owner, s3Key, at] of files) {
        await client.query('INSERT INTO audio_files VALUES ($1, $2, $3, $4, $5)', [id, owner, s3Key, '1000', at]);
      }
    } finally {
      await client.end();
    }
    const folder = temporaryFolder();
    const cli = runCli(['--database-url', pg.url, '--report', join(folder, 'report.json'), '--checkpoint', join(folder, 'cp.json')], t.config);
    exitCode = await cli.exited;
    report = JSON.parse(readFileSync(join(folder, 'report.json'), 'utf8')) as MigrationReport;
    process.stdout.write(`migration of the legacy-quirks dataset (exit ${exitCode}):\n${cli.stdout()}`);
  });

  afterAll(async () => {
    await t?.close();
    await pg?.stop();
  });

  it('migrates every account and every recording; only the extra rows of a shared s3_key are reported, exit 3', () => {
    expect(exitCode).toBe(3);
    expect(report.outcome).toMatchObject({ status: 'skipped-rows', exit_code: 3 });
    expect(report.tables.users).toMatchObject({ source_rows: 4, written_rows: 4, skipped_rows: 0 });
    expect(report.tables.audio_files).toMatchObject({ source_rows: 7, written_rows: 5, skipped_rows: 2 });
    expect(report.skipped).toEqual(
      expect.arrayContaining(
        [F.sharedLate, F.sharedMiddle].map((key) => expect.objectContaining({ key, reason: 's3_key_duplicate', related: [F.sharedEarliest] })),
      ),
    );
    expect(report.skipped).toHaveLength(2);
    expect(report.warnings).toMatchObject({
      key_salt_16_bytes: { count: 1, examples: [{ key: U.shortSalt }] },
      key_salt_missing: { count: 1, examples: [{ key: U.nullSalt }] },
      s3_key_shared: { count: 1, examples: [{ key: F.sharedEarliest }] },
    });
    expect(report.verification?.ok).toBe(true);
  });

  /** Logs in, proves the user key opens with the password, and round-trips a recording through the service. */
  async function loginAndUseKey(email: string): Promise<Session> {
    const app = t as TestApp;
    const session = await app.client.login(email, PASSWORD);
    const userKey = await app.client.unlockUserKey(session, PASSWORD);
    const plaintext = randomBytes(3000);
    const file = await app.client.uploadRecording(session, userKey, { data: plaintext });
    const decrypted = await app.http
      .post('/api/decrypt-audio?mode=stream')
      .set('Authorization', `Bearer ${session.token}`)
      .send({ password: PASSWORD, file_id: file.file_id })
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(Buffer.compare(decrypted.body as Buffer, plaintext)).toBe(0);
    return session;
  }

  it('an account with a 16-byte key salt logs in, keeps that salt exactly and gets a working user key', async () => {
    const session = await loginAndUseKey(EMAIL.shortSalt);
    expect(session.key_salt).toBe(SHORT_SALT.toString('hex'));
    expect(session.encryption.key_salt).toBe(SHORT_SALT.toString('hex'));
  });

  it('an account migrated without a key salt gets a fresh one at its first login (two at once agree), and keeps it', async () => {
    const app = t as TestApp;
    const [first, second] = await Promise.all([app.client.login(EMAIL.nullSalt, PASSWORD), app.client.login(EMAIL.nullSalt, PASSWORD)]);
    expect(first.key_salt).toMatch(/^[0-9a-f]{64}$/);
    expect(second.key_salt).toBe(first.key_salt);
    expect(second.encryption.wrapped_user_key).toBe(first.encryption.wrapped_user_key);
    const { Item } = await app.documents.send(
      new GetCommand({ TableName: app.config.dynamodb.tables.users, Key: { user_id: U.nullSalt }, ConsistentRead: true }),
    );
    expect(Item).toMatchObject({ key_salt: first.key_salt, wrapped_user_key: first.encryption.wrapped_user_key });
    const later = await loginAndUseKey(EMAIL.nullSalt);
    expect(later.key_salt).toBe(first.key_salt);
    const files = await app.http.get('/api/user/audio-files').set('Authorization', `Bearer ${later.token}`).expect(200);
    expect(files.body.audio_files.map((file: { file_id: string }) => file.file_id)).toContain(F.nullSalt);
  });

  it('the owner of a shared s3_key lists the recording; a re-run after the logins changes nothing and verifies', async () => {
    const app = t as TestApp;
    const session = await app.client.login('plain@example.com', PASSWORD);
    const files = await app.http.get('/api/user/audio-files').set('Authorization', `Bearer ${session.token}`).expect(200);
    const listed = files.body.audio_files.map((file: { file_id: string }) => file.file_id);
    expect(listed).toEqual(expect.arrayContaining([F.plain, F.sharedEarliest]));
    expect(listed).not.toContain(F.sharedLate);
    const again = await migrate(pg as TestPostgres, app.config);
    expect(again.outcome.exit_code).toBe(3);
    expect(again.tables.users).toMatchObject({ written_rows: 0, unchanged_rows: 4, skipped_rows: 0 });
    expect(again.verification?.ok).toBe(true);
    const users = await scanAll(app.documents, app.config.dynamodb.tables.users);
    expect(users.find((item) => item.user_id === U.shortSalt)?.key_salt).toBe(SHORT_SALT.toString('hex'));
  });
});
