import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppConfig } from '../../src/config/app-config';
import { createDocumentClient, createDynamoDbClient } from '../../src/database/dynamodb-client';
import type { MigrationState } from '../../tools/migration/checkpoint';
import type { MigrationReport } from '../../tools/migration/report';
import { legacyHash, MIGRATE_CLI, runCli, temporaryFolder } from '../support/migration';
import { LEGACY_SCHEMA, startTestPostgres, TestPostgres } from '../support/postgres';
import { isolatedTables, scanAll } from '../support/test-app';

const USERS = 400;
const FILES = 3000;

function readCheckpoint(path: string): MigrationState | undefined {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as MigrationState;
}

/** Waits for progress: a safety net for a stuck run, generous for a loaded machine. */
async function waitFor(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('migrate-postgres: the built CLI, killed half-way, resumes with nothing lost or doubled', () => {
  let pg: TestPostgres | undefined;
  let config: AppConfig;

  beforeAll(async () => {
    if (!existsSync(MIGRATE_CLI)) throw new Error(`${MIGRATE_CLI} is missing: \`npm test\` builds it first (npm run build)`);
    [pg, config] = await Promise.all([startTestPostgres(), isolatedTables()]);
    const hash = await legacyHash('same password for everyone');
    const client = await pg.connect();
    try {
      await client.query(LEGACY_SCHEMA);
      await client.query(
        `INSERT INTO users
           SELECT gen_random_uuid(), 'user' || i || '@example.com', $1,
                  decode(md5(i::text) || md5((i + 1)::text), 'hex'), timestamptz '2020-01-01' + i * interval '1 minute'
             FROM generate_series(1, $2::int) AS i`,
        [hash, USERS],
      );
      await client.query(
        `WITH owners AS (SELECT array_agg(user_id ORDER BY user_id) AS ids FROM users)
         INSERT INTO audio_files
           SELECT id, owners.ids[1 + i % $1::int], 'users/' || owners.ids[1 + i % $1::int] || '/' || id || '.3gp',
                  i * 1000, timestamptz '2021-01-01' + i * interval '1 second'
             FROM owners, (SELECT gen_random_uuid() AS id, i FROM generate_series(1, $2::int) AS i) AS g`,
        [USERS, FILES],
      );
    } finally {
      await client.end();
    }
  });

  afterAll(async () => {
    await pg?.stop();
  });

  it('SIGKILL mid-way, SIGTERM on resume, then --resume completes: every row once, verified', async () => {
    const folder = temporaryFolder();
    const checkpoint = join(folder, 'checkpoint.json');
    const report = join(folder, 'report.json');
    const args = (...extra: string[]) => ['--database-url', (pg as TestPostgres).url, '--checkpoint', checkpoint, '--report', report, ...extra];

    // 1. One row per batch, two in flight: slow enough to be caught half-way through the audio files.
    const first = runCli(args('--batch-size', '2', '--concurrency', '2', '--page-size', '100'), config);
    await waitFor(() => (readCheckpoint(checkpoint)?.tables.audio_files.processed ?? 0) >= 300, 'the checkpoint to pass 300 audio files');
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    const killedAt = readCheckpoint(checkpoint) as MigrationState;
    expect(killedAt.tables.users).toMatchObject({ done: true, processed: USERS, written: USERS });
    expect(killedAt.tables.audio_files.done).toBe(false);
    expect(killedAt.tables.audio_files.processed).toBeLessThan(FILES);

    const client = createDynamoDbClient(config.dynamodb);
    const documents = createDocumentClient(client);
    try {
      const partial = await scanAll(documents, config.dynamodb.tables.audioFiles);
      // Every row up to the checkpoint is written; a few more may be (batches done after the last save).
      expect(partial.filter((item) => typeof item.user_id === 'string').length).toBeGreaterThanOrEqual(killedAt.tables.audio_files.processed);
      expect(partial.length).toBeLessThan(FILES * 2);

      // 2. Resumed, then stopped politely: the batches in flight finish and the checkpoint is saved.
      const second = runCli(args('--resume', '--batch-size', '2', '--concurrency', '2'), config);
      await waitFor(
        () => (readCheckpoint(checkpoint)?.tables.audio_files.processed ?? 0) >= killedAt.tables.audio_files.processed + 200,
        'the resumed run to progress',
      );
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(130);
      expect(second.stderr()).toMatch(/SIGTERM: finishing the batches in flight/);
      const stoppedAt = readCheckpoint(checkpoint) as MigrationState;
      expect(stoppedAt.tables.audio_files.processed).toBeGreaterThan(killedAt.tables.audio_files.processed);

      // 3. Resumed to the end.
      const third = runCli(args('--resume'), config);
      expect(await third.exited).toBe(0);
      expect(third.stderr()).toMatch(/resuming from .*users done, audio_files after /);
      const final = JSON.parse(readFileSync(report, 'utf8')) as MigrationReport;
      expect(final).toMatchObject({ resumed: true, outcome: { status: 'ok', exit_code: 0 } });
      expect(final.tables.users).toMatchObject({ processed_rows: USERS, written_rows: USERS, skipped_rows: 0, complete: true });
      expect(final.tables.audio_files).toMatchObject({ processed_rows: FILES, skipped_rows: 0, complete: true });
      expect(final.tables.audio_files.written_rows + final.tables.audio_files.unchanged_rows).toBe(FILES);
      expect(final.verification).toMatchObject({
        ok: true,
        tables: {
          users: { dynamodb_items: USERS, dynamodb_claims: USERS, missing: 0, extra: 0 },
          audio_files: { dynamodb_items: FILES, dynamodb_claims: FILES, missing: 0, extra: 0 },
        },
      });

      // No duplicates, nothing lost: one record and one claim per source row, each claim naming its record.
      const files = await scanAll(documents, config.dynamodb.tables.audioFiles);
      const records = files.filter((item) => typeof item.user_id === 'string');
      const claims = files.filter((item) => String(item.file_id).startsWith('S3KEY#'));
      expect(records).toHaveLength(FILES);
      expect(claims).toHaveLength(FILES);
      const sourceIds = new Set(
        (await (pg as TestPostgres).query<{ id: string }>('SELECT file_id::text AS id FROM audio_files')).map((row) => row.id),
      );
      expect(new Set(records.map((item) => item.file_id))).toEqual(sourceIds);
      const byKey = new Map(records.map((item) => [`S3KEY#${String(item.s3_key)}`, item.file_id]));
      expect(claims.every((claim) => byKey.get(String(claim.file_id)) === claim.claimed_by)).toBe(true);
      expect(await scanAll(documents, config.dynamodb.tables.users)).toHaveLength(USERS * 2);
    } finally {
      client.destroy();
    }
    // Three runs over 3,400 rows: minutes on a loaded 2-core machine, where the suite's 60 s is too short.
  }, 600_000);
});
