import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RowWarning, SkippedRow, WarningCode } from './row-rules';
import type { SourceTable } from './source-schema';

const CHECKPOINT_VERSION = 1;

/** What a checkpoint belongs to: resuming against another source, mapping or target is refused. */
export interface JobIdentity {
  source: string;
  mapping: unknown;
  target: { dynamodb: string; users: string; audio_files: string };
}

export interface TableProgress {
  /**
   * The last primary key (as PostgreSQL returned it) such that its batch and every batch before it
   * were written: resuming reads `WHERE key > lastKey`. Null before the first batch.
   */
  lastKey: string | number | null;
  done: boolean;
  /** Rows up to lastKey: processed = written + unchanged + skipped. */
  processed: number;
  written: number;
  unchanged: number;
  skipped: number;
  itemsWritten: number;
}

interface WarningSummary {
  count: number;
  /** The first few, for the report; `count` has them all. */
  examples: RowWarning[];
}

export interface MigrationState {
  version: typeof CHECKPOINT_VERSION;
  job: JobIdentity;
  startedAt: string;
  updatedAt: string;
  tables: Record<SourceTable, TableProgress>;
  /** Every row skipped up to each table's lastKey. */
  skipped: SkippedRow[];
  warnings: Partial<Record<WarningCode, WarningSummary>>;
}

export const WARNING_EXAMPLES = 100;

function emptyProgress(): TableProgress {
  return { lastKey: null, done: false, processed: 0, written: 0, unchanged: 0, skipped: 0, itemsWritten: 0 };
}

export function newState(job: JobIdentity, now: Date): MigrationState {
  return {
    version: CHECKPOINT_VERSION,
    job,
    startedAt: now.toISOString(),
    updatedAt: now.toISOString(),
    tables: { users: emptyProgress(), audio_files: emptyProgress() },
    skipped: [],
    warnings: {},
  };
}

export function addWarnings(state: MigrationState, warnings: RowWarning[]): void {
  for (const warning of warnings) {
    const summary = (state.warnings[warning.code] ??= { count: 0, examples: [] });
    summary.count++;
    if (summary.examples.length < WARNING_EXAMPLES) summary.examples.push(warning);
  }
}

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stable((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function sameJob(a: JobIdentity, b: JobIdentity): boolean {
  return stable(a) === stable(b);
}

/**
 * The checkpoint file: the migration's whole state, rewritten atomically (temporary file, fsync,
 * rename) so a crash at any instant leaves either the previous or the next version, never a torn one.
 */
export class CheckpointStore {
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly path: string,
    private readonly minIntervalMs = 200,
  ) {}

  exists(): boolean {
    return existsSync(this.path);
  }

  async load(): Promise<MigrationState | undefined> {
    if (!this.exists()) return undefined;
    let state: MigrationState;
    try {
      state = JSON.parse(await readFile(this.path, 'utf8')) as MigrationState;
    } catch (error) {
      throw new CheckpointError(`checkpoint ${this.path} is not readable JSON: ${(error as Error).message}`);
    }
    if (state?.version !== CHECKPOINT_VERSION || !state.tables?.users || !state.tables?.audio_files || !Array.isArray(state.skipped)) {
      throw new CheckpointError(`checkpoint ${this.path} is not a version ${CHECKPOINT_VERSION} migration checkpoint`);
    }
    return state;
  }

  /** Saves soon (at most every `minIntervalMs`), with the state as it is then. */
  schedule(state: MigrationState): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.save(state).catch(() => undefined);
    }, this.minIntervalMs);
  }

  /** Saves now, after any save in progress; the last call wins. */
  async save(state: MigrationState): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const snapshot = JSON.stringify({ ...state, updatedAt: new Date().toISOString() }, null, 1);
    const write = this.writing.then(async () => {
      await mkdir(dirname(this.path), { recursive: true });
      const temporary = `${this.path}.tmp`;
      const file = await open(temporary, 'w');
      try {
        await file.writeFile(snapshot);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, this.path);
    });
    this.writing = write.catch(() => undefined);
    return write;
  }
}
