import { CheckpointError, CheckpointStore, JobIdentity, MigrationState, newState, sameJob } from './checkpoint';
import { audioFilePlanner } from './audio-file-planner';
import { BATCH_WRITE_MAX_ITEMS, DynamoDbMigrationWriter, MigrationWriteError } from './dynamodb-migration.writer';
import { PostgresSource, TableInspection } from './postgres-source';
import { ProgressSink, silentProgress } from './progress';
import type { MigrationReport, OutcomeStatus } from './report';
import { buildReport } from './report-builder';
import { MigrationInterruptedError, runTable, TablePlanner, TableTiming } from './scheduler';
import { MigrationLog, MigrationSettings, nestLog } from './settings';
import { SOURCE_TABLES, SourceTable } from './source-schema';
import { userPlanner } from './user-planner';
import { Verification, verifyMigration } from './verifier';

interface MigrationDependencies {
  source: PostgresSource;
  writer: DynamoDbMigrationWriter;
  log?: MigrationLog;
  progress?: ProgressSink;
}

class MigrationRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationRefusedError';
  }
}

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
  private readonly timings: Record<SourceTable, TableTiming> = {
    users: { seconds: 0, rows: 0, items: 0 },
    audio_files: { seconds: 0, rows: 0, items: 0 },
  };
  /** Users not migrated, so that a dry run reports their files as `owner_skipped`. */
  private readonly skippedUserIds = new Set<string>();
  private verification: Verification | undefined;
  /** Why the verification could not finish (DynamoDB kept failing), when it could not. */
  private verificationFailure: string | undefined;
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
    let outcome: { status: OutcomeStatus; message: string };
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
        await this.migrate();
      }
      if (!this.dryRun) await this.verify();
      outcome = this.conclusion();
    } catch (error) {
      let status: OutcomeStatus = 'failed';
      if (error instanceof MigrationRefusedError || error instanceof CheckpointError) status = 'refused';
      else if (error instanceof MigrationInterruptedError) status = 'interrupted';
      const message = (error as Error).message;
      outcome = { status, message: status === 'failed' ? `${message}; the checkpoint holds the progress: run again with --resume` : message };
    }
    return buildReport({
      settings: this.settings,
      state: this.state,
      resumed: this.resumed,
      startedAt: this.startedAt,
      inspections: this.inspections,
      sourceRows: this.sourceRows,
      timings: this.timings,
      writerStats: this.deps.writer.stats,
      verification: this.verification,
      outcome,
    });
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

  /** Users first: a file is written only once its owner is in DynamoDB. */
  private async migrate(): Promise<void> {
    const { source, writer } = this.deps;
    const common = { source, writer, dryRun: this.dryRun, batchSize: this.settings.batchSize, skippedUserIds: this.skippedUserIds };
    await this.runTable('users', await userPlanner({ ...common, table: this.settings.tables.users }));
    await this.runTable('audio_files', await audioFilePlanner({ ...common, tables: this.settings.tables }));
  }

  private runTable(table: SourceTable, planner: TablePlanner): Promise<void> {
    return runTable({
      table,
      state: this.state,
      source: this.deps.source,
      settings: this.settings,
      dryRun: this.dryRun,
      sourceRows: this.sourceRows[table] ?? 0,
      checkpoints: this.checkpoints,
      log: this.log,
      progress: this.progress,
      timing: this.timings[table],
      ...planner,
    });
  }

  /** A verification DynamoDB keeps failing ends as `unverified`: the rows written stay written. */
  private async verify(): Promise<void> {
    this.log.info('verifying: counts per table and a sampled field-by-field comparison');
    try {
      this.verification = await this.runVerification();
    } catch (error) {
      if (!(error instanceof MigrationWriteError)) throw error;
      this.verificationFailure = error.message;
      this.log.warn(`verification could not finish: ${error.message}`);
    }
  }

  private runVerification(): Promise<Verification> {
    return verifyMigration({
      source: this.deps.source,
      writer: this.deps.writer,
      tables: this.settings.tables,
      sample: this.settings.verifySample,
      segments: Math.min(8, Math.max(1, this.settings.concurrency)),
      skipped: this.state.skipped,
      skippedKnown: this.settings.mode !== 'verify-only' || this.resumed,
    });
  }

  private conclusion(): { status: OutcomeStatus; message: string } {
    const skipped = this.state.skipped.length;
    if (this.verification && !this.verification.ok) {
      return { status: 'verification-failed', message: `verification failed: ${this.verification.problems.join('; ')}` };
    }
    if (this.dryRun && this.refusals.length > 0) {
      return { status: 'refused', message: `dry run complete; a real run would refuse: ${this.refusals.join('; ')}` };
    }
    if (this.verificationFailure !== undefined) {
      const done =
        this.settings.mode === 'verify-only' ? 'nothing was written' : `migration complete (${skipped} row(s) skipped, listed in the report)`;
      return {
        status: 'unverified',
        message: `${done}; the verification could not finish (${this.verificationFailure}): run again with --verify-only`,
      };
    }
    if (this.settings.mode === 'verify-only') return { status: 'ok', message: 'verification passed' };
    const done = this.dryRun ? 'dry run complete: nothing was written' : 'migration complete and verified';
    if (skipped > 0) {
      return {
        status: this.settings.allowSkips ? 'ok' : 'skipped-rows',
        message:
          `${done}; ${skipped} row(s) ${this.dryRun ? 'would be' : 'were'} skipped (listed in the report)` +
          (this.settings.allowSkips ? ', accepted with --allow-skips' : '; pass --allow-skips to accept them'),
      };
    }
    return { status: 'ok', message: done };
  }
}
