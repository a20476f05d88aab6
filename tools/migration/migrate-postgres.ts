import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AppConfig } from '../../src/config/app-config';
import { InvalidEnvironmentError, validateEnvironment } from '../../src/config/environment';
import { createDocumentClient, createDynamoDbClient } from '../../src/database/dynamodb-client';
import { DEFAULT_RETRY_POLICY, DynamoDbMigrationWriter } from './dynamodb-migration.writer';
import { Migrator } from './migrator';
import { EXIT_CODE_HELP, EXIT_CODES, MigrationReport } from './report';
import type { MigrationLog } from './settings';
import { describeDatabaseUrl, PostgresSource } from './postgres-source';
import { LineProgress, TerminalProgress } from './progress';
import { addIgnoredColumns, MappingError, parseMapping } from './source-schema';
import { loadDotEnv } from '../../src/config/load-env';

const USAGE = `Usage: npm run migrate:postgres -- --database-url postgres://user@host:5432/db [options]

Copies users and audio_files from PostgreSQL into the service's DynamoDB tables (USERS_TABLE,
AUDIO_FILES_TABLE, DYNAMODB_ENDPOINT / AWS_REGION from the environment or .env), exactly as the
service writes them, then verifies the result. See docs/migration.md.

  --database-url URL      source database (or MIGRATION_DATABASE_URL; PGPASSWORD etc. are honoured)
  --dry-run               read and validate everything, write nothing, report what would happen
  --resume                continue from the checkpoint of an interrupted run
  --verify-only           only compare PostgreSQL with DynamoDB (counts and a sample)
  --allow-skips           exit 0 even when rows were skipped (they are still reported)
  --batch-size N          items per BatchWriteItem, 2..25 (default 25; a row is 2 items)
  --concurrency N         batches in flight, 1..64 (default 8)
  --page-size N           rows per PostgreSQL page (default 1000)
  --verify-sample N       rows per table compared field by field (default 1000)
  --verify-timeout-ms N   deadline of each verification Scan page (default 30000; pages hold 1000 keys)
  --max-attempts N        attempts per DynamoDB request before giving up (default 12; backoff with jitter)
  --columns JSON|FILE     column mapping, e.g. '{"users":{"table":"accounts","columns":{"user_id":"id"}}}'
  --ignore-columns LIST   accept leaving columns behind: users.display_name,audio_files.duration
  --report PATH           JSON report (default migration-report.json)
  --checkpoint PATH       checkpoint file (default migration-checkpoint.json)
  --progress MODE         auto | bar | lines | none (default auto: a bar on a terminal, lines otherwise)

${EXIT_CODE_HELP}`;

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new MappingError(`--${name} must be a whole number`);
  return Number(value);
}

function line(text: string): void {
  process.stderr.write(`${text}\n`);
}

function summary(report: MigrationReport): string {
  const out: string[] = [];
  for (const [table, figures] of Object.entries(report.tables)) {
    if (report.mode === 'verify-only') break;
    out.push(
      `${table.padEnd(11)} rows=${figures.source_rows ?? '?'} processed=${figures.processed_rows} ` +
        `${report.mode === 'dry-run' ? 'would_write' : 'written'}=${figures.written_rows} unchanged=${figures.unchanged_rows} ` +
        `skipped=${figures.skipped_rows} items=${figures.items_written} rate=${figures.rows_per_second}/s`,
    );
  }
  const reasons = new Map<string, number>();
  for (const entry of report.skipped) reasons.set(`${entry.table}.${entry.reason}`, (reasons.get(`${entry.table}.${entry.reason}`) ?? 0) + 1);
  for (const [reason, count] of reasons) out.push(`skipped     ${reason}=${count}`);
  for (const [code, warning] of Object.entries(report.warnings)) out.push(`warning     ${code}=${warning?.count}`);
  if (report.verification) {
    for (const [table, v] of Object.entries(report.verification.tables)) {
      out.push(
        `verify      ${table} postgres=${v.source_rows} skipped=${v.skipped_rows} expected=${v.expected_items} ` +
          `dynamodb=${v.dynamodb_items} claims=${v.dynamodb_claims} missing=${v.missing} extra=${v.extra} ` +
          `sample=${v.sample.equal}/${v.sample.compared} equal`,
      );
    }
    for (const note of report.verification.notes) out.push(`note        ${note}`);
  }
  const retries = report.dynamodb.retries;
  out.push(
    `dynamodb    batch_writes=${report.dynamodb.batch_write_requests} batch_gets=${report.dynamodb.batch_get_requests} ` +
      `items_written=${report.dynamodb.items_written} retries=${retries.unprocessed + retries.throttled + retries.transient} ` +
      `(unprocessed ${retries.unprocessed}, throttled ${retries.throttled}, transient ${retries.transient})`,
  );
  out.push(`peak_rss    ${(report.process.peak_rss_bytes / 2 ** 20).toFixed(0)} MiB`);
  return out.join('\n');
}

/** `npm run migrate:postgres`: PostgreSQL (RDS) → DynamoDB, resumable and verified (docs/migration.md). */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'database-url': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      resume: { type: 'boolean', default: false },
      'verify-only': { type: 'boolean', default: false },
      'allow-skips': { type: 'boolean', default: false },
      'batch-size': { type: 'string' },
      concurrency: { type: 'string' },
      'page-size': { type: 'string' },
      'verify-sample': { type: 'string' },
      'verify-timeout-ms': { type: 'string' },
      'max-attempts': { type: 'string' },
      columns: { type: 'string' },
      'ignore-columns': { type: 'string' },
      report: { type: 'string', default: 'migration-report.json' },
      checkpoint: { type: 'string', default: 'migration-checkpoint.json' },
      progress: { type: 'string', default: 'auto' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  loadDotEnv();
  const databaseUrl = values['database-url'] ?? process.env.MIGRATION_DATABASE_URL;
  if (!databaseUrl) {
    line(`migrate-postgres: --database-url (or MIGRATION_DATABASE_URL) is required\n\n${USAGE}`);
    return EXIT_CODES.refused;
  }
  if (values['dry-run'] && values['verify-only']) {
    line('migrate-postgres: --dry-run and --verify-only exclude each other');
    return EXIT_CODES.refused;
  }
  let config: AppConfig;
  let mapping;
  let numbers;
  let tuning;
  try {
    config = new AppConfig(validateEnvironment(process.env, { requireProductionSecrets: false }));
    mapping = addIgnoredColumns(parseMapping(values.columns), values['ignore-columns']);
    numbers = {
      batchSize: integer(values['batch-size'], 25, 'batch-size'),
      concurrency: integer(values.concurrency, 8, 'concurrency'),
      pageSize: integer(values['page-size'], 1000, 'page-size'),
      verifySample: integer(values['verify-sample'], 1000, 'verify-sample'),
    };
    tuning = {
      verifyTimeoutMs: integer(values['verify-timeout-ms'], 30_000, 'verify-timeout-ms'),
      maxAttempts: integer(values['max-attempts'], DEFAULT_RETRY_POLICY.maxAttempts, 'max-attempts'),
    };
    if (tuning.verifyTimeoutMs < 1 || tuning.maxAttempts < 1) throw new MappingError('--verify-timeout-ms and --max-attempts must be at least 1');
  } catch (error) {
    if (error instanceof InvalidEnvironmentError || error instanceof MappingError) {
      line(`migrate-postgres: ${error.message}`);
      return EXIT_CODES.refused;
    }
    throw error;
  }
  const mode = values['verify-only'] ? 'verify-only' : values['dry-run'] ? 'dry-run' : 'run';
  const progressMode = values.progress === 'auto' ? (process.stderr.isTTY ? 'bar' : 'lines') : values.progress;
  const progress =
    progressMode === 'bar' ? new TerminalProgress(process.stderr) : progressMode === 'lines' ? new LineProgress(process.stderr) : undefined;
  const log: MigrationLog = {
    info: (message) => line(`${progressMode === 'bar' ? '\x1b[2K\r' : ''}info  ${message}`),
    warn: (message) => line(`${progressMode === 'bar' ? '\x1b[2K\r' : ''}warn  ${message}`),
  };
  const sourceDescription = describeDatabaseUrl(databaseUrl);
  const targetDescription = config.dynamodb.endpoint ?? `aws:${config.dynamodb.region}`;
  line(
    `migrate-postgres ${mode}: ${sourceDescription} (schema ${mapping.schema}) -> DynamoDB ${targetDescription} ` +
      `tables ${config.dynamodb.tables.users}, ${config.dynamodb.tables.audioFiles}`,
  );

  // One retry policy, the writer's: the SDK itself does not retry, so every retry is counted and backed off with jitter.
  const client = createDynamoDbClient({ ...config.dynamodb, maxAttempts: 1 });
  const scanClient = createDynamoDbClient({ ...config.dynamodb, maxAttempts: 1, timeoutMs: tuning.verifyTimeoutMs });
  const writer = new DynamoDbMigrationWriter(createDocumentClient(client), {
    retry: { maxAttempts: tuning.maxAttempts },
    scanDocuments: createDocumentClient(scanClient),
    onRetry: ({ request, cause, error, attempt, delayMs }) => {
      // Unprocessed items are DynamoDB's normal way of pacing a batch: only a long run of them is worth a line.
      if (error !== undefined || attempt >= 3) {
        log.warn(`DynamoDB ${request}: ${error ?? cause}; retry ${attempt} of ${tuning.maxAttempts - 1} in ${delayMs} ms`);
      }
    },
  });
  const source = new PostgresSource(databaseUrl, mapping);
  const abort = new AbortController();
  const onSignal = (signal: string): void => {
    if (abort.signal.aborted) {
      line(`${signal} again: exiting now; rerun with --resume`);
      process.exit(EXIT_CODES.interrupted);
    }
    log.warn(`${signal}: finishing the batches in flight and saving the checkpoint (again to exit at once)`);
    abort.abort();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  const migrator = new Migrator(
    {
      databaseUrl,
      sourceDescription,
      mapping,
      tables: { users: config.dynamodb.tables.users, audioFiles: config.dynamodb.tables.audioFiles },
      targetDescription,
      mode,
      resume: values.resume,
      allowSkips: values['allow-skips'],
      ...numbers,
      checkpointPath: resolve(values.checkpoint),
      signal: abort.signal,
    },
    { source, writer, log, progress },
  );
  let report: MigrationReport;
  try {
    report = await migrator.run();
  } finally {
    await source.close().catch(() => undefined);
    client.destroy();
    scanClient.destroy();
  }
  const reportPath = resolve(values.report);
  mkdirSync(dirname(reportPath), { recursive: true });
  writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${summary(report)}\nreport      ${reportPath}\n`);
  const { status, exit_code: exitCode, message } = report.outcome;
  process.stdout.write(`${status === 'ok' ? 'ok' : status}: ${message} (exit ${exitCode})\n`);
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    line(`migrate-postgres failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(EXIT_CODES.failed);
  },
);
