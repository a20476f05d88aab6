import type { MigrationState } from './checkpoint';
import type { WriterStats } from './dynamodb-migration.writer';
import type { TableInspection } from './postgres-source';
import { EXIT_CODES, MigrationReport, OutcomeStatus, TableReport } from './report';
import type { TableTiming } from './scheduler';
import type { MigrationSettings } from './settings';
import { SOURCE_TABLES, SourceTable } from './source-schema';
import type { Verification } from './verifier';

interface ReportInput {
  settings: MigrationSettings;
  state: MigrationState;
  resumed: boolean;
  startedAt: Date;
  inspections: Map<SourceTable, TableInspection>;
  sourceRows: Partial<Record<SourceTable, number>>;
  timings: Record<SourceTable, TableTiming>;
  writerStats: WriterStats;
  verification: Verification | undefined;
  outcome: { status: OutcomeStatus; message: string };
}

function tableReport(input: ReportInput, table: SourceTable): TableReport {
  const progress = input.state.tables[table];
  const timing = input.timings[table];
  return {
    source_table: input.settings.mapping[table].table,
    source_rows: input.sourceRows[table] ?? null,
    processed_rows: progress.processed,
    written_rows: progress.written,
    unchanged_rows: progress.unchanged,
    skipped_rows: progress.skipped,
    items_written: input.settings.mode === 'dry-run' ? timing.items : progress.itemsWritten,
    seconds: Number(timing.seconds.toFixed(3)),
    rows_per_second: timing.seconds > 0 ? Math.round(timing.rows / timing.seconds) : 0,
    complete: progress.done,
  };
}

function schemaFindings(inspection: TableInspection | undefined): MigrationReport['schema'][SourceTable] {
  const notes = [
    ...(inspection?.naiveTimeColumns ?? []).map((column) => `${column} is timestamp without time zone: read as UTC`),
    ...(inspection && inspection.exists && !inspection.keyIsUnique ? ['no unique index on the key column'] : []),
  ];
  return { extra_columns: inspection?.extra ?? [], ignored_columns: inspection?.ignored ?? [], notes };
}

/** The JSON report of a run (docs/migration.md describes every field). */
export function buildReport(input: ReportInput): MigrationReport {
  const { settings, state, writerStats: stats } = input;
  const finished = new Date();
  const perTable = <T>(make: (table: SourceTable) => T): Record<SourceTable, T> =>
    Object.fromEntries(SOURCE_TABLES.map((table) => [table, make(table)])) as Record<SourceTable, T>;
  return {
    tool: 'migrate-postgres',
    report_version: 1,
    mode: settings.mode,
    resumed: input.resumed,
    started_at: input.startedAt.toISOString(),
    finished_at: finished.toISOString(),
    duration_seconds: Number(((finished.getTime() - input.startedAt.getTime()) / 1000).toFixed(3)),
    source: {
      database: settings.sourceDescription,
      schema: settings.mapping.schema,
      tables: { users: settings.mapping.users.table, audio_files: settings.mapping.audio_files.table },
    },
    target: { dynamodb: settings.targetDescription, tables: { users: settings.tables.users, audio_files: settings.tables.audioFiles } },
    options: {
      batch_size: settings.batchSize,
      concurrency: settings.concurrency,
      page_size: settings.pageSize,
      verify_sample: settings.verifySample,
      checkpoint: settings.checkpointPath,
      allow_skips: settings.allowSkips,
    },
    schema: perTable((table) => schemaFindings(input.inspections.get(table))),
    tables: perTable((table) => tableReport(input, table)),
    skipped: [...state.skipped].sort(
      (a, b) => SOURCE_TABLES.indexOf(a.table) - SOURCE_TABLES.indexOf(b.table) || String(a.key).localeCompare(String(b.key)),
    ),
    warnings: state.warnings,
    dynamodb: {
      batch_write_requests: stats.batchWriteRequests,
      batch_get_requests: stats.batchGetRequests,
      items_written: stats.itemsWritten,
      retries: { ...stats.retries },
    },
    ...(input.verification ? { verification: input.verification } : {}),
    process: {
      peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
      cpu_seconds: Number(((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(2)),
    },
    outcome: { status: input.outcome.status, exit_code: EXIT_CODES[input.outcome.status], message: input.outcome.message },
  };
}
