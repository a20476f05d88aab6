import { addWarnings, CheckpointStore, MigrationState, TableProgress } from './checkpoint';
import type { PostgresSource, SourceRow } from './postgres-source';
import type { ProgressSink } from './progress';
import { keyText, RowWarning, SkippedRow } from './row-rules';
import type { MigrationLog, MigrationSettings } from './settings';
import { PRIMARY_KEY, SourceTable } from './source-schema';

export class MigrationInterruptedError extends Error {
  constructor() {
    super('interrupted: the batches in flight were finished and the checkpoint saved; run again with --resume');
    this.name = 'MigrationInterruptedError';
  }
}

/** What one unit of work did: its rows are committed to the checkpoint together. */
export interface UnitResult {
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
export class BoundedSet {
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

/** BatchWriteItems per unit of work: 4 × 12 rows × 2 keys = 96 keys, one BatchGetItem (100 at most). */
const WRITES_PER_UNIT = 4;

const LOGICAL_KEY_NAME = { users: 'user_id', audio_files: 'file_id' } as const;

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** An empty result for a unit of `rows`, to be filled by the table's planner. */
export function newUnit(rows: SourceRow[], table: SourceTable): UnitResult {
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

interface TableRun {
  table: SourceTable;
  /** The migration's state: this table's progress, the skipped rows and warnings are updated in place. */
  state: MigrationState;
  source: PostgresSource;
  settings: Pick<MigrationSettings, 'batchSize' | 'concurrency' | 'pageSize' | 'signal'>;
  dryRun: boolean;
  sourceRows: number;
  /** Primary keys that occur more than once (their rows are skipped by the planner). */
  duplicateKeys: Map<string, number>;
  checkpoints: CheckpointStore;
  log: MigrationLog;
  progress: ProgressSink;
  processUnit: (rows: SourceRow[]) => Promise<UnitResult>;
  /** Filled in when the table ends, whether it finished, failed or was interrupted. */
  timing: TableTiming;
}

/** What a table's planner gives the scheduler. */
export type TablePlanner = Pick<TableRun, 'duplicateKeys' | 'processUnit'>;

export interface TableTiming {
  seconds: number;
  /** Rows this process handled (a resumed run counts only its own). */
  rows: number;
  /** Items written, or in a dry run the items that would have been. */
  items: number;
}

function commit(run: TableRun, result: UnitResult): void {
  const progress = run.state.tables[run.table];
  progress.lastKey = result.lastKey;
  progress.processed += result.rows;
  progress.written += result.written;
  progress.unchanged += result.unchanged;
  progress.skipped += result.skipped.length;
  progress.itemsWritten += run.dryRun ? 0 : result.itemsWritten;
  run.state.skipped.push(...result.skipped);
  addWarnings(run.state, result.warnings);
  if (!run.dryRun) run.checkpoints.schedule(run.state);
}

/** NULL keys are never reached by `WHERE key > $last`: they are reported once, when the table starts. */
async function reportNullKeys(run: TableRun, progress: TableProgress): Promise<void> {
  const { table, state } = run;
  if (progress.lastKey !== null || state.skipped.some((entry) => entry.table === table && entry.key === null)) return;
  for (const row of await run.source.nullKeyRows(table)) {
    const hint = table === 'users' ? `email ${String(row.email)}` : `s3_key ${String(row.s3_key)}`;
    state.skipped.push({
      table,
      key: null,
      reason: table === 'users' ? 'invalid_user_id' : 'invalid_file_id',
      message: `${PRIMARY_KEY[table]} is NULL (${hint})`,
    });
    progress.skipped++;
    progress.processed++;
  }
}

/**
 * Reads a table page by page from the checkpoint's last key, runs up to `concurrency` units of work
 * at once, commits them in order and saves the checkpoint; throws the first unit's failure after the
 * units in flight have finished, or `MigrationInterruptedError` when the signal aborted the run.
 */
export async function runTable(run: TableRun): Promise<void> {
  const { table, settings } = run;
  const progress: TableProgress = run.state.tables[table];
  if (progress.done) {
    run.log.info(`${table}: already done in the checkpoint (${progress.processed} rows)`);
    return;
  }
  if (run.duplicateKeys.size > 0) run.log.warn(`${table}: ${run.duplicateKeys.size} primary key(s) occur more than once; those rows are skipped`);
  await reportNullKeys(run, progress);

  // A unit ("batch" in the checkpoint's sense): the rows of WRITES_PER_UNIT BatchWriteItems (each row
  // is two items), checked with one BatchGetItem of up to 100 keys, written by parallel requests.
  const rowsPerUnit = Math.max(1, Math.floor(settings.batchSize / 2)) * WRITES_PER_UNIT;
  const started = Date.now();
  const initial = progress.processed;
  let processedHere = progress.processed;
  let skippedHere = progress.skipped;
  let items = 0;
  run.progress.start(table, run.sourceRows, progress.processed);
  const commits = new OrderedCommits<UnitResult>((result) => commit(run, result));
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;

  const pages = run.source.pages(table, progress.lastKey ?? undefined, settings.pageSize);
  try {
    reading: for await (const page of pages) {
      for (const rows of chunks(page, rowsPerUnit)) {
        if (failure !== undefined || settings.signal?.aborted) break reading;
        while (inFlight.size >= settings.concurrency) await Promise.race(inFlight);
        if (failure !== undefined) break reading;
        const sequence = commits.begin();
        const unit = run.processUnit(rows).then(
          (result) => {
            processedHere += result.rows;
            skippedHere += result.skipped.length;
            items += result.itemsWritten;
            commits.complete(sequence, result);
            run.progress.update(table, processedHere, skippedHere);
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
    Object.assign(run.timing, { seconds: (Date.now() - started) / 1000, rows: processedHere - initial, items });
    if (failure === undefined && !settings.signal?.aborted) progress.done = true;
    run.progress.finish(table, processedHere, skippedHere);
    if (!run.dryRun) await run.checkpoints.save(run.state);
  }
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error('a migration unit failed', { cause: failure });
  if (settings.signal?.aborted) throw new MigrationInterruptedError();
  const verb = run.dryRun ? 'would write' : 'wrote';
  run.log.info(
    `${table}: ${progress.processed} rows; ${verb} ${progress.written}, already present ${progress.unchanged}, skipped ${progress.skipped}` +
      ` (${run.timing.seconds.toFixed(1)} s)`,
  );
}
