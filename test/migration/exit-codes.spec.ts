import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../../src/config/app-config';
import { EXIT_CODES, MigrationReport } from '../../tools/migration/report';
import { startDynamoDbProxy } from '../support/dynamodb-proxy';
import { legacyHash, runCli, temporaryFolder } from '../support/migration';
import { LEGACY_SCHEMA, startTestPostgres, TestPostgres } from '../support/postgres';
import { isolatedTables, scanAll, startTestApp, TestApp } from '../support/test-app';

const USERS = 3;

/** The built CLI, as an operator runs it: each exit code says "complete" or "failed" as --help states. */
describe('migrate-postgres exit codes (built CLI)', () => {
  let pg: TestPostgres | undefined;
  let t: TestApp | undefined;

  beforeAll(async () => {
    let hash: string;
    [pg, t, hash] = await Promise.all([startTestPostgres(), startTestApp(), legacyHash('a password')]);
    await pg.query(LEGACY_SCHEMA);
    for (let i = 0; i < USERS; i++) {
      await pg.query('INSERT INTO users VALUES ($1, $2, $3, $4, now())', [randomUUID(), `user${i}@example.com`, hash, randomBytes(32)]);
    }
  });

  afterAll(async () => {
    await t?.close();
    await pg?.stop();
  });

  const run = async (config: AppConfig, ...extra: string[]) => {
    const folder = temporaryFolder();
    const reportPath = join(folder, 'report.json');
    const cli = runCli(
      ['--database-url', (pg as TestPostgres).url, '--report', reportPath, '--checkpoint', join(folder, 'cp.json'), ...extra],
      config,
    );
    const code = await cli.exited;
    const report = (): MigrationReport => JSON.parse(readFileSync(reportPath, 'utf8')) as MigrationReport;
    return { code, stdout: cli.stdout(), stderr: cli.stderr(), report };
  };

  it('--help names which codes mean complete and which mean failure', async () => {
    const help = await run((t as TestApp).config, '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(
      /complete[\s\S]*\b0\s+done and verified[\s\S]*\b3\s+done and verified, with skipped rows[\s\S]*\b5\s+done, but the verification could not finish/,
    );
    expect(help.stdout).toMatch(/failed[\s\S]*\b1\s+failed[\s\S]*\b2\s+refused[\s\S]*\b4\s+verification found[\s\S]*130\s+interrupted/);
  });

  it('2: refused before anything is written', async () => {
    const folder = temporaryFolder();
    const cli = runCli(
      ['--batch-size', 'many', '--database-url', (pg as TestPostgres).url, '--checkpoint', join(folder, 'cp.json')],
      (t as TestApp).config,
    );
    expect(await cli.exited).toBe(EXIT_CODES.refused);
    expect(cli.stderr()).toMatch(/--batch-size must be a whole number/);
  });

  it('1: failed when DynamoDB refuses the request (a missing table)', async () => {
    const missing = await isolatedTables({}, false);
    const result = await run(missing);
    expect(result.code).toBe(EXIT_CODES.failed);
    expect(result.report().outcome).toMatchObject({ status: 'failed', exit_code: 1 });
    expect(result.report().outcome.message).toMatch(/ResourceNotFound|non-existent table|resource not found/i);
  });

  it('5, not 1: a verification DynamoDB keeps failing leaves a complete migration, and the log names request and error', async () => {
    const app = t as TestApp;
    const config = await isolatedTables();
    const proxy = await startDynamoDbProxy(app.config.dynamodb.endpoint as string, ['Scan']);
    try {
      const result = await run(
        { ...config, dynamodb: { ...config.dynamodb, endpoint: proxy.endpoint } },
        '--max-attempts',
        '3',
        '--concurrency',
        '1',
      );
      expect(result.code).toBe(EXIT_CODES.unverified);
      expect(result.report().outcome).toMatchObject({ status: 'unverified', exit_code: 5 });
      expect(result.report().outcome.message).toMatch(/migration complete .*could not finish .*Scan .*InternalServerError.*--verify-only/);
      expect(result.report().tables.users).toMatchObject({ written_rows: USERS, complete: true });
      expect(result.stderr).toMatch(/DynamoDB Scan users-\S+ segment 1\/1: InternalServerError: .*; retry 1 of 2 in \d+ ms/);
      expect(proxy.faults.Scan).toBe(3);
    } finally {
      await proxy.close();
    }
    expect((await scanAll(app.documents, config.dynamodb.tables.users)).filter((item) => typeof item.email === 'string')).toHaveLength(USERS);
    // Once DynamoDB answers again, --verify-only completes the job.
    expect((await run(config, '--verify-only')).code).toBe(EXIT_CODES.ok);
  });

  it('0, then 4 when a record has gone missing (--verify-only)', async () => {
    const app = t as TestApp;
    const config = await isolatedTables();
    expect((await run(config)).code).toBe(EXIT_CODES.ok);
    const [user] = (await scanAll(app.documents, config.dynamodb.tables.users)).filter((item) => typeof item.email === 'string');
    await app.documents.send(new DeleteCommand({ TableName: config.dynamodb.tables.users, Key: { user_id: user.user_id } }));
    const result = await run(config, '--verify-only');
    expect(result.code).toBe(EXIT_CODES['verification-failed']);
    expect(result.report().verification?.tables.users.missing).toBe(1);
  });
});
