import { Pool, types as pgTypes } from 'pg';
import { coarseEmailKeySql } from './row-rules';
import { LOGICAL_COLUMNS, PRIMARY_KEY, SourceMapping, SourceTable } from './source-schema';

const TIMESTAMP_WITHOUT_TIME_ZONE_OID = 1114;

/** `timestamp without time zone` values are read as UTC, never in this process's local zone. */
function parseNaiveTimestampAsUtc(text: string): Date {
  const match = /^(\d{4,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) return new Date(Number.NaN); // infinity, BC dates: refused by the row rules
  const [, year, month, day, hour, minute, second, fraction = '0'] = match;
  return new Date(
    Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), Number(fraction.padEnd(3, '0').slice(0, 3))),
  );
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

interface ColumnInfo {
  name: string;
  dataType: string;
}

export interface TableInspection {
  table: SourceTable;
  physicalTable: string;
  exists: boolean;
  columns: ColumnInfo[];
  /** Mapped logical columns whose physical column does not exist. */
  missing: string[];
  /** Physical columns that are neither mapped nor ignored: their data would not be migrated. */
  extra: string[];
  /** Physical columns the operator chose to leave behind. */
  ignored: string[];
  /** Whether a unique index covers exactly the primary-key column. */
  keyIsUnique: boolean;
  /** Logical time column read as UTC because its type has no time zone. */
  naiveTimeColumns: string[];
}

/** Connection string without its password, for logs, reports and checkpoints. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    parsed.search = '';
    return parsed.toString();
  } catch {
    return '<unparseable database url>';
  }
}

export type SourceRow = Record<string, unknown>;

/**
 * Reads the source tables. Rows come in primary-key order, one bounded page at a time (keyset
 * pagination: `WHERE key > $last ORDER BY key LIMIT n`), so memory does not grow with the table, no
 * transaction or snapshot stays open on the source, and resuming is a `WHERE key > $checkpoint`.
 */
export class PostgresSource {
  private readonly pool: Pool;

  constructor(
    databaseUrl: string,
    private readonly mapping: SourceMapping,
  ) {
    this.pool = new Pool({
      connectionString: databaseUrl,
      max: 4,
      application_name: 'panzoto-migrate-postgres',
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary'): ((text: string) => unknown) =>
          oid === TIMESTAMP_WITHOUT_TIME_ZONE_OID && format !== 'binary'
            ? parseNaiveTimestampAsUtc
            : (pgTypes.getTypeParser(oid, format ?? 'text') as (text: string) => unknown)) as typeof pgTypes.getTypeParser,
      },
    });
    // An idle client losing its connection must not crash the process; the next query reports it.
    this.pool.on('error', () => undefined);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private tableSql(table: SourceTable): string {
    return `${quoteIdentifier(this.mapping.schema)}.${quoteIdentifier(this.mapping[table].table)}`;
  }

  column(table: SourceTable, logical: string): string {
    return quoteIdentifier(this.mapping[table].columns[logical]);
  }

  private selectList(table: SourceTable): string {
    return LOGICAL_COLUMNS[table].map((logical) => `${this.column(table, logical)} AS ${quoteIdentifier(logical)}`).join(', ');
  }

  async inspect(table: SourceTable): Promise<TableInspection> {
    const { table: physicalTable, columns: mapped, ignore } = this.mapping[table];
    const { rows } = await this.pool.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns
        WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
      [this.mapping.schema, physicalTable],
    );
    const columns = rows.map((row) => ({ name: row.column_name, dataType: row.data_type }));
    const present = new Set(columns.map((column) => column.name));
    const mappedPhysical = new Set(Object.values(mapped));
    const keyColumn = mapped[PRIMARY_KEY[table]];
    let keyIsUnique = false;
    if (rows.length > 0) {
      const unique = await this.pool.query<{ unique: boolean }>(
        `SELECT EXISTS (
           SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE i.indrelid = format('%I.%I', $1::text, $2::text)::regclass
              AND i.indisunique AND i.indnkeyatts = 1 AND i.indpred IS NULL AND a.attname = $3
         ) AS unique`,
        [this.mapping.schema, physicalTable, keyColumn],
      );
      keyIsUnique = unique.rows[0]?.unique === true;
    }
    const timeColumn = table === 'users' ? 'created_at' : 'uploaded_at';
    return {
      table,
      physicalTable,
      exists: rows.length > 0,
      columns,
      missing: Object.entries(mapped)
        .filter(([, physical]) => !present.has(physical))
        .map(([logical, physical]) => (logical === physical ? logical : `${logical} (as ${physical})`)),
      extra: columns.map((column) => column.name).filter((name) => !mappedPhysical.has(name) && !ignore.includes(name)),
      ignored: ignore.filter((name) => present.has(name)),
      keyIsUnique,
      naiveTimeColumns: columns.some((column) => column.name === mapped[timeColumn] && column.dataType === 'timestamp without time zone')
        ? [timeColumn]
        : [],
    };
  }

  async count(table: SourceTable): Promise<number> {
    const { rows } = await this.pool.query<{ count: string }>(`SELECT count(*) AS count FROM ${this.tableSql(table)}`);
    return Number(rows[0].count);
  }

  /** One page of rows after `afterKey` (exclusive) in primary-key order, with logical column names. */
  async page(table: SourceTable, afterKey: unknown, limit: number): Promise<SourceRow[]> {
    const key = this.column(table, PRIMARY_KEY[table]);
    // NULL keys sort last and `>` never matches them: they are left out here and read by `nullKeyRows`.
    const where = afterKey === undefined || afterKey === null ? `WHERE ${key} IS NOT NULL` : `WHERE ${key} > $2`;
    const { rows } = await this.pool.query<SourceRow>(
      `SELECT ${this.selectList(table)} FROM ${this.tableSql(table)} ${where} ORDER BY ${key} LIMIT $1`,
      afterKey === undefined || afterKey === null ? [limit] : [limit, afterKey],
    );
    return rows;
  }

  /** Pages from `afterKey` to the end; the next page is fetched while the caller works on this one. */
  async *pages(table: SourceTable, afterKey: unknown, pageSize: number): AsyncGenerator<SourceRow[]> {
    let next: Promise<SourceRow[]> | undefined = this.page(table, afterKey, pageSize);
    while (next) {
      const rows: SourceRow[] = await next;
      next = rows.length === pageSize ? this.page(table, rows[rows.length - 1][PRIMARY_KEY[table]], pageSize) : undefined;
      // A prefetch that fails while the caller is still busy is reported when it is awaited.
      next?.catch(() => undefined);
      if (rows.length > 0) yield rows;
    }
  }

  /** Rows whose primary key is NULL: keyset pagination never reaches them, so they are read apart (to be reported). */
  async nullKeyRows(table: SourceTable): Promise<SourceRow[]> {
    const { rows } = await this.pool.query<SourceRow>(
      `SELECT ${this.selectList(table)} FROM ${this.tableSql(table)} WHERE ${this.column(table, PRIMARY_KEY[table])} IS NULL`,
    );
    return rows;
  }

  /** Primary keys that occur more than once once lower-cased (no unique index, or text UUIDs in two cases). */
  async duplicateKeys(table: SourceTable): Promise<Map<string, number>> {
    const key = this.column(table, PRIMARY_KEY[table]);
    const { rows } = await this.pool.query<{ key: string; count: string }>(
      `SELECT lower(${key}::text) AS key, count(*) AS count FROM ${this.tableSql(table)}
        WHERE ${key} IS NOT NULL GROUP BY 1 HAVING count(*) > 1`,
    );
    return new Map(rows.map((row) => [row.key, Number(row.count)]));
  }

  /**
   * Users whose email might equal another's once normalised: rows sharing a coarse key (see
   * `coarseEmailKey`). Only these candidates are read; the caller groups them exactly.
   */
  async emailDuplicateCandidates(): Promise<Array<{ key: string; email: string }>> {
    const coarse = coarseEmailKeySql(this.column('users', 'email'));
    const { rows } = await this.pool.query<{ key: string; email: string }>(
      `SELECT ${this.column('users', 'user_id')}::text AS key, ${this.column('users', 'email')}::text AS email
         FROM ${this.tableSql('users')}
        WHERE ${coarse} IN (SELECT ${coarse} FROM ${this.tableSql('users')} GROUP BY 1 HAVING count(*) > 1)`,
    );
    return rows;
  }

  /** Audio-file rows whose s3_key (exact, case-sensitive like S3) is shared with another row, whole. */
  async sharedS3KeyRows(): Promise<SourceRow[]> {
    const s3Key = this.column('audio_files', 's3_key');
    const { rows } = await this.pool.query<SourceRow>(
      `SELECT ${this.selectList('audio_files')}
         FROM ${this.tableSql('audio_files')}
        WHERE ${s3Key} IN (SELECT ${s3Key} FROM ${this.tableSql('audio_files')} WHERE ${s3Key} IS NOT NULL GROUP BY 1 HAVING count(*) > 1)`,
    );
    return rows;
  }

  /** Which of these user ids (as written in audio_files) exist in the users table; answered lower-cased. */
  async existingUserIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const candidates = [...new Set(ids.flatMap((id) => [id, id.toLowerCase()]))];
    const key = this.column('users', 'user_id');
    const { rows } = await this.pool.query<{ id: string }>(`SELECT ${key}::text AS id FROM ${this.tableSql('users')} WHERE ${key} = ANY($1)`, [
      candidates,
    ]);
    return new Set(rows.map((row) => row.id.toLowerCase()));
  }

  /** About `size` rows picked at random (all of them when the table is that small). */
  async sample(table: SourceTable, size: number, tableRows: number): Promise<SourceRow[]> {
    if (size <= 0 || tableRows === 0) return [];
    if (tableRows <= size) {
      return this.pool.query<SourceRow>(`SELECT ${this.selectList(table)} FROM ${this.tableSql(table)}`).then((result) => result.rows);
    }
    // Bernoulli sampling reads every page once but sorts nothing; 1.5x covers its variance, LIMIT trims.
    const percent = Math.min(100, ((size * 1.5) / tableRows) * 100);
    const { rows } = await this.pool.query<SourceRow>(
      `SELECT ${this.selectList(table)} FROM ${this.tableSql(table)} TABLESAMPLE BERNOULLI ($1) LIMIT $2`,
      [percent, size],
    );
    return rows;
  }
}
