import { existsSync, readFileSync } from 'node:fs';

/** The two source tables, by their logical name (the name used in reports and checkpoints). */
export const SOURCE_TABLES = ['users', 'audio_files'] as const;
export type SourceTable = (typeof SOURCE_TABLES)[number];

/** Logical columns of each source table, as in the Flask design's PostgreSQL schema. */
export const LOGICAL_COLUMNS = {
  users: ['user_id', 'email', 'password_hash', 'key_salt', 'created_at'],
  audio_files: ['file_id', 'user_id', 's3_key', 'file_size', 'uploaded_at'],
} as const satisfies Record<SourceTable, readonly string[]>;

type UserColumn = (typeof LOGICAL_COLUMNS.users)[number];
type AudioFileColumn = (typeof LOGICAL_COLUMNS.audio_files)[number];

/** The primary key of each table: rows are read, checkpointed and resumed in its order. */
export const PRIMARY_KEY: { users: UserColumn; audio_files: AudioFileColumn } = { users: 'user_id', audio_files: 'file_id' };

interface TableMapping {
  /** Physical table name. */
  table: string;
  /** Logical column → physical column. */
  columns: Record<string, string>;
  /** Physical columns the operator has looked at and accepts not to migrate. */
  ignore: string[];
}

export interface SourceMapping {
  schema: string;
  users: TableMapping;
  audio_files: TableMapping;
}

export function defaultMapping(): SourceMapping {
  const identity = (columns: readonly string[]): Record<string, string> => Object.fromEntries(columns.map((column) => [column, column]));
  return {
    schema: 'public',
    users: { table: 'users', columns: identity(LOGICAL_COLUMNS.users), ignore: [] },
    audio_files: { table: 'audio_files', columns: identity(LOGICAL_COLUMNS.audio_files), ignore: [] },
  };
}

export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new MappingError(`${where} must be a non-empty string`);
  return value;
}

/**
 * Reads a column mapping: a JSON object (inline, or a path to a file) such as
 * `{"schema":"legacy","users":{"table":"accounts","columns":{"user_id":"id"},"ignore":["display_name"]}}`.
 * Anything not given keeps its default name; unknown keys are refused so a typo never goes unnoticed.
 */
export function parseMapping(source: string | undefined): SourceMapping {
  const mapping = defaultMapping();
  if (source === undefined || source.trim() === '') return mapping;
  const text = source.trim().startsWith('{') ? source : existsSync(source) ? readFileSync(source, 'utf8') : undefined;
  if (text === undefined) throw new MappingError(`--columns: ${source} is neither JSON nor an existing file`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new MappingError(`--columns: not valid JSON (${(error as Error).message})`);
  }
  if (!isRecord(raw)) throw new MappingError('--columns: must be a JSON object');
  for (const key of Object.keys(raw)) {
    if (key !== 'schema' && !(SOURCE_TABLES as readonly string[]).includes(key)) {
      throw new MappingError(`--columns: unknown key "${key}" (expected schema, users, audio_files)`);
    }
  }
  if (raw.schema !== undefined) mapping.schema = nonEmptyString(raw.schema, '--columns: schema');
  for (const table of SOURCE_TABLES) {
    const given = raw[table];
    if (given === undefined) continue;
    if (!isRecord(given)) throw new MappingError(`--columns: ${table} must be an object`);
    for (const key of Object.keys(given)) {
      if (!['table', 'columns', 'ignore'].includes(key)) {
        throw new MappingError(`--columns: ${table}: unknown key "${key}" (expected table, columns, ignore)`);
      }
    }
    if (given.table !== undefined) mapping[table].table = nonEmptyString(given.table, `--columns: ${table}.table`);
    if (given.columns !== undefined) {
      if (!isRecord(given.columns)) throw new MappingError(`--columns: ${table}.columns must be an object`);
      for (const [logical, physical] of Object.entries(given.columns)) {
        if (!(LOGICAL_COLUMNS[table] as readonly string[]).includes(logical)) {
          throw new MappingError(`--columns: ${table}.columns: unknown column "${logical}" (expected ${LOGICAL_COLUMNS[table].join(', ')})`);
        }
        mapping[table].columns[logical] = nonEmptyString(physical, `--columns: ${table}.columns.${logical}`);
      }
    }
    if (given.ignore !== undefined) {
      if (!Array.isArray(given.ignore)) throw new MappingError(`--columns: ${table}.ignore must be an array of column names`);
      mapping[table].ignore = given.ignore.map((column, index) => nonEmptyString(column, `--columns: ${table}.ignore[${index}]`));
    }
    const physical = Object.values(mapping[table].columns);
    if (new Set(physical).size !== physical.length) {
      throw new MappingError(`--columns: ${table}: two logical columns map to the same physical column`);
    }
  }
  return mapping;
}

/** `--ignore-columns users.display_name,audio_files.duration`: adds to each table's `ignore` list. */
export function addIgnoredColumns(mapping: SourceMapping, list: string | undefined): SourceMapping {
  if (!list) return mapping;
  for (const entry of list
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const [table, column, ...rest] = entry.split('.');
    if (!(SOURCE_TABLES as readonly string[]).includes(table) || !column || rest.length > 0) {
      throw new MappingError(`--ignore-columns: "${entry}" must be users.<column> or audio_files.<column>`);
    }
    mapping[table as SourceTable].ignore.push(column);
  }
  return mapping;
}
