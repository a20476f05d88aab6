import { Logger } from '@nestjs/common';
import type { AudioFile } from '../audio-files/audio-file';
import type { User } from '../users/user';
import {
  addWarnings,
  CheckpointError,
  CheckpointStore,
  JobIdentity,
  MigrationState,
  newState,
  sameJob,
  TableProgress,
} from './checkpoint';
import { BATCH_WRITE_MAX_ITEMS, DynamoDbMigrationWriter, Item } from './dynamodb-migration.writer';
import { audioFileItems, storedDifferences, userItems } from './items';
import { PostgresSource, SourceRow, TableInspection } from './postgres-source';
import { ProgressSink, silentProgress } from './progress';
import {
  AudioFileRow,
  canonicalUuid,
  checkAudioFileRow,
  checkUserRow,
  keyText,
  normalisedEmail,
  RowWarning,
  SkippedRow,
  UserRow,
} from './row-rules';
import { PRIMARY_KEY, SOURCE_TABLES, SourceMapping, SourceTable } from './source-schema';
import { Verification, verifyMigration } from './verifier';

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

export interface MigrationDependencies {
  source: PostgresSource;
  writer: DynamoDbMigrationWriter;
  log?: MigrationLog;
  progress?: ProgressSink;
}

export type OutcomeStatus = 'ok' | 'skipped-rows' | 'verification-failed' | 'refused' | 'failed' | 'interrupted';

export const EXIT_CODES: Record<OutcomeStatus, number> = {
  ok: 0,
  failed: 1,
  refused: 2,
  'skipped-rows': 3,
  'verification-failed': 4,
  interrupted: 130,
};

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

export class MigrationRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationRefusedError';
  }
}

class MigrationInterruptedError extends Error {
  constructor() {
    super('interrupted: the batches in flight were finished and the checkpoint saved; run again with --resume');
    this.name = 'MigrationInterruptedError';
  }
}

interface UnitResult {
  lastKey: string | number;
  rows: number;
  written: number;
  unchanged: number;
  itemsWritten: number;
  skipped: SkippedRow[];
  warnings: RowWarning[];
}

/**
 * Finishes units of work in any order but commits them in the order they were started, so the
 * checkpoint only ever names a key whose batch and all batches before it are written.
 */
export class OrderedCommits<T> {
  private started = 0;
  private committed = 0;
  private readonly finished = new Map<number, T>();

  constructor(private readonly commit: (result: T) => void) {}

  begin(): number {
    return this.started++;
  }

  complete(sequence: number, result: T): void {
    this.finished.set(sequence, result);
    while (this.finished.has(this.committed)) {
      const next = this.finished.get(this.committed) as T;
      this.finished.delete(this.committed);
      this.committed++;
      this.commit(next);
    }
  }
}

/** Remembers a bounded number of ids (oldest forgotten first), so memory stays flat on any table. */
class BoundedSet {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    if (this.ids.has(id)) return;
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
  }
}

const OWNER_CACHE_SIZE = 100_000;
/** BatchWriteItems per unit of work: 4 × 12 rows × 2 keys = 96 keys, one BatchGetItem (100 at most). */
const WRITES_PER_UNIT = 4;

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

const LOGICAL_KEY_NAME = { users: 'user_id', audio_files: 'file_id' } as const;

/**
 * PostgreSQL → DynamoDB: validates every row, writes what the service would write (records and
 * claims) in concurrent `BatchWriteItem`s, never overwrites an item that differs, checkpoints
 * progress, and verifies the result. See docs/migration.md.
 */
export class Migrator {
  private readonly log: MigrationLog;
  private readonly progress: ProgressSink;
  private readonly checkpoints: CheckpointStore;
  private readonly startedAt = new Date();
  private state: MigrationState;
  private resumed = false;
  private readonly inspections = new Map<SourceTable, TableInspection>();
  private readonly sourceRows: Partial<Record<SourceTable, number>> = {};
  private readonly timings: Record<SourceTable, { seconds: number; rows: number }> = {
    users: { seconds: 0, rows: 0 },
    audio_files: { seconds: 0, rows: 0 },
  };
  /** Dry run only: users that would be skipped, so their files are reported as `owner_skipped`. */
  private readonly skippedUserIds = new Set<string>();
  private readonly knownOwners = new BoundedSet(OWNER_CACHE_SIZE);
  private verification: Verification | undefined;
  private refusals: string[] = [];

  constructor(
    private readonly settings: MigrationSettings,
    private readonly deps: MigrationDependencies,
  ) {
    this.log = deps.log ?? nestLog();
    this.progress = deps.progress ?? silentProgress;
    this.checkpoints = new CheckpointStore(settings.checkpointPath);
    this.state = newState(this.job(), this.startedAt);
  }

  private job(): JobIdentity {
    return {
      source: this.settings.sourceDescription,
      mapping: this.settings.mapping,
      target: { dynamodb: this.settings.targetDescription, users: this.settings.tables.users, audio_files: this.settings.tables.audioFiles },
    };
  }

  private get dryRun(): boolean {
    return this.settings.mode === 'dry-run';
  }

  /** Runs the whole job; always answers with a report (its `outcome` says how it ended). */
  async run(): Promise<MigrationReport> {
    let status: OutcomeStatus = 'ok';
    let message = '';
    try {
      this.validateSettings();
      await this.inspectSource();
      if (this.settings.mode === 'verify-only') {
        await this.loadStateForVerification();
      } else {
        await this.prepareState();
        for (const table of SOURCE_TABLES) {
          this.sourceRows[table] = await this.deps.source.count(table);
        }
        await this.migrateUsers();
        await this.migrateAudioFiles();
      }
      if (!this.dryRun) {
        this.log.info('verifying: counts per table and a sampled field-by-field comparison');
        this.verification = await verifyMigration({
          source: this.deps.source,
          writer: this.deps.writer,
          tables: this.settings.tables,
          sample: this.settings.verifySample,
          segments: Math.min(8, Math.max(1, this.settings.concurrency)),
          skipped: this.state.skipped,
          skippedKnown: this.settings.mode !== 'verify-only' || this.resumed,
        });
      }
      ({ status, message } = this.conclusion());
    } catch (error) {
      if (error instanceof MigrationRefusedError || error instanceof CheckpointError) {
        status = 'refused';
      } else if (error instanceof MigrationInterruptedError) {
        status = 'interrupted';
      } else {
        status = 'failed';
      }
      message = (error as Error).message;
      if (status === 'failed') message = `${message}; the checkpoint holds the progress: run again with --resume`;
    }
    return this.report(status, message);
  }

  private validateSettings(): void {
    const { batchSize, concurrency, pageSize, verifySample, mode, resume } = this.settings;
    const problems: string[] = [];
    if (!Number.isInteger(batchSize) || batchSize < 2 || batchSize > BATCH_WRITE_MAX_ITEMS) {
      problems.push(`--batch-size must be an integer from 2 to ${BATCH_WRITE_MAX_ITEMS} (items per BatchWriteItem)`);
    }
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) problems.push('--concurrency must be an integer from 1 to 64');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100_000) problems.push('page size must be an integer from 1 to 100000');
    if (!Number.isInteger(verifySample) || verifySample < 0) problems.push('--verify-sample must be a whole number');
    if (resume && mode !== 'run') problems.push('--resume cannot be combined with --dry-run or --verify-only');
    if (problems.length > 0) throw new MigrationRefusedError(problems.join('; '));
  }

  private async inspectSource(): Promise<void> {
    const problems: string[] = [];
    for (const table of SOURCE_TABLES) {
      const inspection = await this.deps.source.inspect(table);
      this.inspections.set(table, inspection);
      const name = `${this.settings.mapping.schema}.${inspection.physicalTable}`;
      if (!inspection.exists) {
        problems.push(`table ${name} does not exist (or has no columns this login can see)`);
        continue;
      }
      if (inspection.missing.length > 0) problems.push(`${name} lacks column(s) ${inspection.missing.join(', ')} (map them with --columns)`);
      if (inspection.extra.length > 0) {
        const listed = inspection.extra.map((column) => `${table}.${column}`).join(',');
        this.refusals.push(
          `${name} has column(s) the service has no place for: ${inspection.extra.join(', ')}; their data would not be migrated. ` +
            `Map them with --columns, or accept leaving them behind with --ignore-columns ${listed}`,
        );
      }
      for (const column of inspection.naiveTimeColumns) {
        this.log.warn(`${name}.${column} is "timestamp without time zone": its values are read as UTC`);
      }
      if (!inspection.keyIsUnique) {
        this.log.warn(`${name} has no unique index on its key column: duplicate keys are looked for and skipped; reading may be slow`);
      }
    }
    if (problems.length > 0) throw new MigrationRefusedError(problems.join('; '));
    if (this.refusals.length > 0 && !this.dryRun) throw new MigrationRefusedError(this.refusals.join('; '));
    for (const refusal of this.refusals) this.log.warn(`a real run would refuse: ${refusal}`);
  }

  private async prepareState(): Promise<void> {
    if (this.dryRun) return;
    const saved = this.checkpoints.exists() ? await this.checkpoints.load() : undefined;
    if (this.settings.resume) {
      if (!saved) {
        this.log.warn(`--resume: no checkpoint at ${this.checkpoints.path}; starting from the beginning`);
      } else if (!sameJob(saved.job, this.job())) {
        throw new CheckpointError(
          `--resume: checkpoint ${this.checkpoints.path} belongs to another job (source, column mapping or target differ); ` +
            'remove it or use --checkpoint to start a separate job',
        );
      } else {
        this.state = saved;
        this.resumed = true;
        const { users, audio_files: files } = saved.tables;
        this.log.info(
          `resuming from ${this.checkpoints.path}: users ${users.done ? 'done' : `after ${users.lastKey ?? '(start)'}`}, ` +
            `audio_files ${files.done ? 'done' : `after ${files.lastKey ?? '(start)'}`}`,
        );
      }
    } else if (saved) {
      this.log.info(`a checkpoint exists at ${this.checkpoints.path}; starting over without --resume (rows already written are left as they are)`);
    }
    await this.checkpoints.save(this.state);
  }

  private async loadStateForVerification(): Promise<void> {
    const saved = this.checkpoints.exists() ? await this.checkpoints.load() : undefined;
    if (saved && sameJob(saved.job, this.job())) {
      this.state = saved;
      this.resumed = true;
      this.log.info(`skipped rows taken from ${this.checkpoints.path}`);
    } else {
      this.log.warn(`no checkpoint of this job at ${this.checkpoints.path}: every PostgreSQL row is expected in DynamoDB`);
    }
  }

  // ---- users ----------------------------------------------------------------------------------

  private async migrateUsers(): Promise<void> {
    const source = this.deps.source;
    const duplicateKeys = await source.duplicateKeys('users');
    const emailGroups = new Map<string, string[]>();
    for (const candidate of await source.emailDuplicateCandidates()) {
      const email = normalisedEmail(candidate.email);
      if (email) emailGroups.set(email, [...(emailGroups.get(email) ?? []), candidate.key]);
    }
    const emailConflicts = new Map<string, string[]>();
    for (const keys of emailGroups.values()) {
      if (keys.length < 2) continue;
      for (const key of keys) emailConflicts.set(key, keys.filter((other) => other !== key));
    }
    const table = this.settings.tables.users;
    await this.runTable('users', duplicateKeys, async (rows) => {
      const result = this.newUnit(rows, 'users');
      const candidates: Array<{ key: string; user: User }> = [];
      for (const row of rows) {
        const key = keyText(row.user_id);
        const skip = (reason: SkippedRow['reason'], message: string, related?: string[]): void => {
          result.skipped.push({ table: 'users', key, reason, message, ...(related ? { related } : {}) });
          const id = canonicalUuid(row.user_id);
          if (id) this.skippedUserIds.add(id);
        };
        const duplicates = duplicateKeys.get(key.toLowerCase());
        if (duplicates) {
          skip('duplicate_primary_key', `user_id occurs ${duplicates} times (compared lower-cased)`);
          continue;
        }
        const checked = checkUserRow(row as unknown as UserRow);
        if (!checked.ok) {
          skip(checked.reason, checked.message);
          continue;
        }
        const others = emailConflicts.get(key);
        if (others) {
          skip('email_duplicate', `email equals another row's once trimmed and lower-cased (${checked.value.email}); every row of the group is skipped`, others);
          continue;
        }
        candidates.push({ key, user: checked.value });
      }
      const planned = candidates.map((candidate) => ({ ...candidate, items: userItems(candidate.user) }));
      const found = await this.deps.writer.getAll([
        { table, keyName: 'user_id', keys: planned.flatMap(({ items }) => [items.record.user_id, items.claim.user_id] as string[]) },
      ]);
      const existing = found.get(table) as Map<string, Item>;
      const writes: Item[] = [];
      for (const { key, user, items } of planned) {
        const claim = existing.get(items.claim.user_id as string);
        const record = existing.get(user.id);
        if (claim && claim.claimed_by !== user.id) {
          result.skipped.push({
            table: 'users',
            key,
            reason: 'email_claimed_by_other_user',
            message: `DynamoDB already has ${user.email} claimed by another account`,
            related: [String(claim.claimed_by)],
          });
          this.skippedUserIds.add(user.id);
          continue;
        }
        const differences = storedDifferences(items, record, claim, 'user');
        if (differences.length > 0) {
          result.skipped.push({
            table: 'users',
            key,
            reason: 'exists_with_different_data',
            message: `DynamoDB already has this account with different ${differences.join(', ')}; it is left as it is`,
          });
          this.skippedUserIds.add(user.id);
          continue;
        }
        const missing = [record ? undefined : items.record, claim ? undefined : items.claim].filter((item): item is Item => item !== undefined);
        if (missing.length === 0) result.unchanged++;
        else result.written++;
        writes.push(...missing);
      }
      if (!this.dryRun && writes.length > 0) await this.deps.writer.putAll(table, writes, this.settings.batchSize);
      result.itemsWritten = writes.length;
      return result;
    });
  }

  // ---- audio files ----------------------------------------------------------------------------

  private async migrateAudioFiles(): Promise<void> {
    const source = this.deps.source;
    const duplicateKeys = await source.duplicateKeys('audio_files');
    const s3Groups = new Map<string, string[]>();
    for (const { key, s3_key: s3Key } of await source.duplicateS3Keys()) s3Groups.set(s3Key, [...(s3Groups.get(s3Key) ?? []), key]);
    const s3Conflicts = new Map<string, string[]>();
    for (const keys of s3Groups.values()) for (const key of keys) s3Conflicts.set(key, keys.filter((other) => other !== key));
    const { users: usersTable, audioFiles: table } = this.settings.tables;

    await this.runTable('audio_files', duplicateKeys, async (rows) => {
      const result = this.newUnit(rows, 'audio_files');
      const candidates: Array<{ key: string; file: AudioFile; rawOwner: string }> = [];
      for (const row of rows) {
        const key = keyText(row.file_id);
        const duplicates = duplicateKeys.get(key.toLowerCase());
        if (duplicates) {
          result.skipped.push({ table: 'audio_files', key, reason: 'duplicate_primary_key', message: `file_id occurs ${duplicates} times (compared lower-cased)` });
          continue;
        }
        const checked = checkAudioFileRow(row as unknown as AudioFileRow);
        if (!checked.ok) {
          result.skipped.push({ table: 'audio_files', key, reason: checked.reason, message: checked.message });
          continue;
        }
        const others = s3Conflicts.get(key);
        if (others) {
          result.skipped.push({
            table: 'audio_files',
            key,
            reason: 's3_key_duplicate',
            message: `s3_key ${checked.value.s3Key} is shared with other rows; every row of the group is skipped`,
            related: others,
          });
          continue;
        }
        for (const note of checked.warnings) result.warnings.push({ table: 'audio_files', key, ...note });
        candidates.push({ key, file: checked.value, rawOwner: String(row.user_id) });
      }

      const owners = [...new Set(candidates.map(({ file }) => file.userId))].filter((id) => !this.knownOwners.has(id));
      const planned = candidates.map((candidate) => ({ ...candidate, items: audioFileItems(candidate.file) }));
      const found = await this.deps.writer.getAll([
        { table, keyName: 'file_id', keys: planned.flatMap(({ items }) => [items.record.file_id, items.claim.file_id] as string[]) },
        { table: usersTable, keyName: 'user_id', keys: owners },
      ]);
      const existing = found.get(table) as Map<string, Item>;
      const ownerItems = found.get(usersTable) as Map<string, Item>;
      const ownerProblem = new Map<string, 'owner_missing' | 'owner_skipped'>();
      const absent = owners.filter((id) => typeof ownerItems.get(id)?.email !== 'string');
      for (const id of owners) if (!absent.includes(id)) this.knownOwners.add(id);
      if (absent.length > 0) {
        const raw = candidates.filter(({ file }) => absent.includes(file.userId)).map(({ rawOwner }) => rawOwner);
        const inPostgres = await source.existingUserIds(raw);
        for (const id of absent) {
          if (!inPostgres.has(id)) ownerProblem.set(id, 'owner_missing');
          // In a dry run nothing was written: a valid user not skipped above would be there.
          else if (this.dryRun && !this.skippedUserIds.has(id)) this.knownOwners.add(id);
          else ownerProblem.set(id, 'owner_skipped');
        }
      }

      const writes: Item[] = [];
      for (const { key, file, items } of planned) {
        const problem = ownerProblem.get(file.userId);
        if (problem) {
          result.skipped.push({
            table: 'audio_files',
            key,
            reason: problem,
            message:
              problem === 'owner_missing'
                ? `user ${file.userId} exists neither in PostgreSQL nor in DynamoDB`
                : `user ${file.userId} was not migrated (see its own entry)`,
            related: [file.userId],
          });
          continue;
        }
        const claim = existing.get(items.claim.file_id as string);
        const record = existing.get(file.id);
        if (claim && claim.claimed_by !== file.id) {
          result.skipped.push({
            table: 'audio_files',
            key,
            reason: 's3_key_claimed_by_other_file',
            message: `DynamoDB already has s3_key ${file.s3Key} registered to another file`,
            related: [String(claim.claimed_by)],
          });
          continue;
        }
        const differences = storedDifferences(items, record, claim, 'audio_file');
        if (differences.length > 0) {
          result.skipped.push({
            table: 'audio_files',
            key,
            reason: 'exists_with_different_data',
            message: `DynamoDB already has this file with different ${differences.join(', ')}; it is left as it is`,
          });
          continue;
        }
        const missing = [record ? undefined : items.record, claim ? undefined : items.claim].filter((item): item is Item => item !== undefined);
        if (missing.length === 0) result.unchanged++;
        else result.written++;
        writes.push(...missing);
      }
      if (!this.dryRun && writes.length > 0) await this.deps.writer.putAll(table, writes, this.settings.batchSize);
      result.itemsWritten = writes.length;
      return result;
    });
  }

  // ---- the pipeline shared by both tables -----------------------------------------------------

  private newUnit(rows: SourceRow[], table: SourceTable): UnitResult {
    const last = rows[rows.length - 1][LOGICAL_KEY_NAME[table]];
    return {
      lastKey: typeof last === 'number' ? last : keyText(last),
      rows: rows.length,
      written: 0,
      unchanged: 0,
      itemsWritten: 0,
      skipped: [],
      warnings: [],
    };
  }

  private commit(table: SourceTable, result: UnitResult): void {
    const progress = this.state.tables[table];
    progress.lastKey = result.lastKey;
    progress.processed += result.rows;
    progress.written += result.written;
    progress.unchanged += result.unchanged;
    progress.skipped += result.skipped.length;
    progress.itemsWritten += this.dryRun ? 0 : result.itemsWritten;
    this.state.skipped.push(...result.skipped);
    addWarnings(this.state, result.warnings);
    if (!this.dryRun) this.checkpoints.schedule(this.state);
  }

  /** Would-be item count of a dry run, kept apart from `itemsWritten`. */
  private wouldWrite: Record<SourceTable, number> = { users: 0, audio_files: 0 };

  private async runTable(
    table: SourceTable,
    duplicateKeys: Map<string, number>,
    processUnit: (rows: SourceRow[]) => Promise<UnitResult>,
  ): Promise<void> {
    const progress: TableProgress = this.state.tables[table];
    const total = this.sourceRows[table] ?? 0;
    if (progress.done) {
      this.log.info(`${table}: already done in the checkpoint (${progress.processed} rows)`);
      return;
    }
    if (duplicateKeys.size > 0) this.log.warn(`${table}: ${duplicateKeys.size} primary key(s) occur more than once; those rows are skipped`);
    // NULL keys are never reached by `WHERE key > $last`: they are reported once, when the table starts.
    if (progress.lastKey === null && !this.state.skipped.some((entry) => entry.table === table && entry.key === null)) {
      const keyName = PRIMARY_KEY[table];
      for (const row of await this.deps.source.nullKeyRows(table)) {
        const hint = table === 'users' ? `email ${String(row.email)}` : `s3_key ${String(row.s3_key)}`;
        this.state.skipped.push({
          table,
          key: null,
          reason: table === 'users' ? 'invalid_user_id' : 'invalid_file_id',
          message: `${keyName} is NULL (${hint})`,
        });
        progress.skipped++;
        progress.processed++;
      }
    }

    // A unit ("batch" in the checkpoint's sense): the rows of WRITES_PER_UNIT BatchWriteItems (each row
    // is two items), checked with one BatchGetItem of up to 100 keys, written by parallel requests.
    const rowsPerUnit = Math.max(1, Math.floor(this.settings.batchSize / 2)) * WRITES_PER_UNIT;
    const started = Date.now();
    const initial = progress.processed;
    let processedHere = progress.processed;
    let skippedHere = progress.skipped;
    this.progress.start(table, total, progress.processed);
    const commits = new OrderedCommits<UnitResult>((result) => this.commit(table, result));
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;

    const pages = this.deps.source.pages(table, progress.lastKey ?? undefined, this.settings.pageSize);
    try {
      reading: for await (const page of pages) {
        for (const rows of chunks(page, rowsPerUnit)) {
          if (failure !== undefined || this.settings.signal?.aborted) break reading;
          while (inFlight.size >= this.settings.concurrency) await Promise.race(inFlight);
          if (failure !== undefined) break reading;
          const sequence = commits.begin();
          const unit = processUnit(rows).then(
            (result) => {
              processedHere += result.rows;
              skippedHere += result.skipped.length;
              this.wouldWrite[table] += result.itemsWritten;
              commits.complete(sequence, result);
              this.progress.update(table, processedHere, skippedHere);
            },
            (error: unknown) => {
              failure ??= error;
            },
          );
          inFlight.add(unit);
          void unit.finally(() => inFlight.delete(unit));
        }
      }
    } catch (error) {
      failure ??= error;
    } finally {
      await Promise.all(inFlight);
      await pages.return(undefined);
      this.timings[table] = { seconds: (Date.now() - started) / 1000, rows: processedHere - initial };
      if (failure === undefined && !this.settings.signal?.aborted) progress.done = true;
      this.progress.finish(table, processedHere, skippedHere);
      if (!this.dryRun) await this.checkpoints.save(this.state);
    }
    if (failure !== undefined) throw failure;
    if (this.settings.signal?.aborted) throw new MigrationInterruptedError();
    const verb = this.dryRun ? 'would write' : 'wrote';
    this.log.info(
      `${table}: ${progress.processed} rows; ${verb} ${progress.written}, already present ${progress.unchanged}, skipped ${progress.skipped}` +
        ` (${this.timings[table].seconds.toFixed(1)} s)`,
    );
  }

  // ---- outcome and report ---------------------------------------------------------------------

  private conclusion(): { status: OutcomeStatus; message: string } {
    const skipped = this.state.skipped.length;
    if (this.verification && !this.verification.ok) {
      return { status: 'verification-failed', message: `verification failed: ${this.verification.problems.join('; ')}` };
    }
    if (this.dryRun && this.refusals.length > 0) {
      return { status: 'refused', message: `dry run complete; a real run would refuse: ${this.refusals.join('; ')}` };
    }
    if (this.settings.mode === 'verify-only') return { status: 'ok', message: 'verification passed' };
    const done = this.dryRun ? 'dry run complete: nothing was written' : 'migration complete and verified';
    if (skipped > 0) {
      return {
        status: this.settings.allowSkips ? 'ok' : 'skipped-rows',
        message: `${done}; ${skipped} row(s) ${this.dryRun ? 'would be' : 'were'} skipped (listed in the report)` +
          (this.settings.allowSkips ? ', accepted with --allow-skips' : '; pass --allow-skips to accept them'),
      };
    }
    return { status: 'ok', message: done };
  }

  private report(status: OutcomeStatus, message: string): MigrationReport {
    const finished = new Date();
    const tables = Object.fromEntries(
      SOURCE_TABLES.map((table) => {
        const progress = this.state.tables[table];
        const timing = this.timings[table];
        return [
          table,
          {
            source_table: this.settings.mapping[table].table,
            source_rows: this.sourceRows[table] ?? null,
            processed_rows: progress.processed,
            written_rows: progress.written,
            unchanged_rows: progress.unchanged,
            skipped_rows: progress.skipped,
            items_written: this.dryRun ? this.wouldWrite[table] : progress.itemsWritten,
            seconds: Number(timing.seconds.toFixed(3)),
            rows_per_second: timing.seconds > 0 ? Math.round(timing.rows / timing.seconds) : 0,
            complete: progress.done,
          } satisfies TableReport,
        ];
      }),
    ) as Record<SourceTable, TableReport>;
    const schema = Object.fromEntries(
      SOURCE_TABLES.map((table) => {
        const inspection = this.inspections.get(table);
        const notes = [
          ...(inspection?.naiveTimeColumns ?? []).map((column) => `${column} is timestamp without time zone: read as UTC`),
          ...(inspection && inspection.exists && !inspection.keyIsUnique ? ['no unique index on the key column'] : []),
        ];
        return [table, { extra_columns: inspection?.extra ?? [], ignored_columns: inspection?.ignored ?? [], notes }];
      }),
    ) as MigrationReport['schema'];
    const stats = this.deps.writer.stats;
    return {
      tool: 'migrate-postgres',
      report_version: 1,
      mode: this.settings.mode,
      resumed: this.resumed,
      started_at: this.startedAt.toISOString(),
      finished_at: finished.toISOString(),
      duration_seconds: Number(((finished.getTime() - this.startedAt.getTime()) / 1000).toFixed(3)),
      source: {
        database: this.settings.sourceDescription,
        schema: this.settings.mapping.schema,
        tables: { users: this.settings.mapping.users.table, audio_files: this.settings.mapping.audio_files.table },
      },
      target: { dynamodb: this.settings.targetDescription, tables: { users: this.settings.tables.users, audio_files: this.settings.tables.audioFiles } },
      options: {
        batch_size: this.settings.batchSize,
        concurrency: this.settings.concurrency,
        page_size: this.settings.pageSize,
        verify_sample: this.settings.verifySample,
        checkpoint: this.settings.checkpointPath,
        allow_skips: this.settings.allowSkips,
      },
      schema,
      tables,
      skipped: [...this.state.skipped].sort(
        (a, b) => SOURCE_TABLES.indexOf(a.table) - SOURCE_TABLES.indexOf(b.table) || String(a.key).localeCompare(String(b.key)),
      ),
      warnings: this.state.warnings,
      dynamodb: {
        batch_write_requests: stats.batchWriteRequests,
        batch_get_requests: stats.batchGetRequests,
        items_written: stats.itemsWritten,
        retries: { ...stats.retries },
      },
      ...(this.verification ? { verification: this.verification } : {}),
      process: {
        peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
        cpu_seconds: Number(((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(2)),
      },
      outcome: { status, exit_code: EXIT_CODES[status], message },
    };
  }
}
