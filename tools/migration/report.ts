import type { MigrationState } from './checkpoint';
import type { SkippedRow } from './row-rules';
import type { MigrationMode } from './settings';
import type { SourceTable } from './source-schema';
import type { Verification } from './verifier';

export type OutcomeStatus = 'ok' | 'skipped-rows' | 'unverified' | 'verification-failed' | 'refused' | 'failed' | 'interrupted';

export const EXIT_CODES: Record<OutcomeStatus, number> = {
  ok: 0,
  failed: 1,
  refused: 2,
  'skipped-rows': 3,
  'verification-failed': 4,
  unverified: 5,
  interrupted: 130,
};

/** What each exit code means: printed by --help, repeated in docs/migration.md. */
export const EXIT_CODE_HELP = `Exit codes. The migration is complete (every row written or reported):
    0  done and verified (skipped rows, if any, accepted with --allow-skips)
    3  done and verified, with skipped rows listed in the report (accept them with --allow-skips)
    5  done, but the verification could not finish (DynamoDB kept failing): run --verify-only later
  It failed (run again as the message says):
    1  failed on a DynamoDB or PostgreSQL error: run again with --resume
    2  refused (bad options, schema or checkpoint): nothing was written
    4  verification found records missing or different in DynamoDB
  130  interrupted (SIGINT/SIGTERM): run again with --resume`;

export interface TableReport {
  source_table: string;
  source_rows: number | null;
  processed_rows: number;
  written_rows: number;
  unchanged_rows: number;
  skipped_rows: number;
  items_written: number;
  /** This process's time on the table and its rate (a resumed run counts only its own rows). */
  seconds: number;
  rows_per_second: number;
  complete: boolean;
}

export interface MigrationReport {
  tool: 'migrate-postgres';
  report_version: 1;
  mode: MigrationMode;
  resumed: boolean;
  started_at: string;
  finished_at: string;
  duration_seconds: number;
  source: { database: string; schema: string; tables: Record<SourceTable, string> };
  target: { dynamodb: string; tables: { users: string; audio_files: string } };
  options: { batch_size: number; concurrency: number; page_size: number; verify_sample: number; checkpoint: string; allow_skips: boolean };
  /** Schema findings: columns that are not migrated, time columns read as UTC, missing unique indexes. */
  schema: Record<SourceTable, { extra_columns: string[]; ignored_columns: string[]; notes: string[] }>;
  tables: Record<SourceTable, TableReport>;
  skipped: SkippedRow[];
  warnings: MigrationState['warnings'];
  dynamodb: { batch_write_requests: number; batch_get_requests: number; items_written: number; retries: Record<string, number> };
  verification?: Verification;
  process: { peak_rss_bytes: number; cpu_seconds: number };
  outcome: { status: OutcomeStatus; exit_code: number; message: string };
}
