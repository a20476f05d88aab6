import { Logger } from '@nestjs/common';
import type { SourceMapping } from './source-schema';

export type MigrationMode = 'run' | 'dry-run' | 'verify-only';

export interface MigrationSettings {
  databaseUrl: string;
  /** The URL without its password, for logs, the report and the checkpoint. */
  sourceDescription: string;
  mapping: SourceMapping;
  tables: { users: string; audioFiles: string };
  /** DynamoDB endpoint or region, for the report and the checkpoint. */
  targetDescription: string;
  mode: MigrationMode;
  resume: boolean;
  allowSkips: boolean;
  /** Items per BatchWriteItem, 2..25; each row is two items (record + claim). */
  batchSize: number;
  /** Batches in flight at once. */
  concurrency: number;
  /** Rows per PostgreSQL page. */
  pageSize: number;
  /** Rows per table compared field by field at the end. */
  verifySample: number;
  checkpointPath: string;
  /** Aborting stops reading, lets the batches in flight finish and saves the checkpoint. */
  signal?: AbortSignal;
}

export interface MigrationLog {
  info(message: string): void;
  warn(message: string): void;
}

export function nestLog(): MigrationLog {
  const logger = new Logger('migrate-postgres');
  return { info: (message) => logger.log(message), warn: (message) => logger.warn(message) };
}
