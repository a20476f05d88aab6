import { isEmail } from 'class-validator';
import { AudioFile, MAX_FILE_SIZE, S3_KEY_PATTERN } from '../../src/audio-files/audio-file';
import { KEY_SALT_BYTES } from '../../src/crypto/user-key';
import { EMAIL_MAX_LENGTH, normaliseEmail } from '../../src/users/email';
import { FIRST_KEY_ID, initialKeyring, User } from '../../src/users/user';
import type { SourceTable } from './source-schema';

/**
 * Why a source row was not migrated. Every skipped row is listed in the report with one of these;
 * docs/migration.md explains each.
 */
type SkipReason =
  // either table
  | 'duplicate_primary_key'
  | 'exists_with_different_data'
  // users
  | 'invalid_user_id'
  | 'invalid_email'
  | 'email_duplicate'
  | 'email_claimed_by_other_user'
  | 'invalid_password_hash'
  | 'invalid_key_salt'
  | 'invalid_created_at'
  // audio_files
  | 'invalid_file_id'
  | 'invalid_owner_id'
  | 'owner_missing'
  | 'owner_skipped'
  | 'invalid_s3_key'
  | 's3_key_duplicate'
  | 's3_key_claimed_by_other_file'
  | 'negative_file_size'
  | 'invalid_file_size'
  | 'invalid_uploaded_at';

export interface SkippedRow {
  table: SourceTable;
  /** The row's primary key as PostgreSQL returned it (null when the key itself is NULL). */
  key: string | null;
  reason: SkipReason;
  message: string;
  /** Other rows or items involved (the other user_ids of an email group, the claim's owner…). */
  related?: string[];
}

export type WarningCode = 's3_key_outside_api_pattern' | 's3_key_shared' | 'key_salt_16_bytes' | 'key_salt_missing';

/** A row that was migrated, with something the operator should know about it. */
export interface RowWarning {
  table: SourceTable;
  key: string;
  code: WarningCode;
  message: string;
}

/** A warning about a row, before the caller names the row. */
type RowNote = Pick<RowWarning, 'code' | 'message'>;

type Checked<T> = { ok: true; value: T; warnings: RowNote[] } | { ok: false; reason: SkipReason; message: string };

/** A row whose primary key (`keyName`) occurs more than once, compared lower-cased, is skipped before its own checks. */
export function checkUniqueRow<T>(key: string, keyName: string, duplicateKeys: Map<string, number>, check: () => Checked<T>): Checked<T> {
  const duplicates = duplicateKeys.get(key.toLowerCase());
  if (duplicates) return { ok: false, reason: 'duplicate_primary_key', message: `${keyName} occurs ${duplicates} times (compared lower-cased)` };
  return check();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * An Argon2 PHC string as argon2-cffi and node-argon2 write them:
 * `$argon2id$v=19$m=65536,t=3,p=4$<salt b64>$<hash b64>` (argon2i and argon2d too; `v=` optional).
 * m, t and p each once, in any order: node-argon2 0.45 writes `m=…,p=…,t=…`.
 */
const ARGON2_PHC =
  /^\$argon2(?:id|i|d)\$(?:v=\d+\$)?(?=[^$]*\bm=)(?=[^$]*\bt=)(?=[^$]*\bp=)(?!(?:[^$]*\b([mtp])=){1}[^$]*\b\1=)[mtp]=\d+(?:,[mtp]=\d+){2}(?:,[a-z]+=[A-Za-z0-9+/]+)*\$[A-Za-z0-9+/]{8,}={0,2}\$[A-Za-z0-9+/]{16,}={0,2}$/;
/** Key salt lengths of the old system: 32 bytes, and 16 in some older accounts (copied as they are). */
const KEY_SALT_LENGTHS = [KEY_SALT_BYTES, 16];
/** The first instant accepted for created_at / uploaded_at (the epoch) and the last (end of year 9999). */
const EARLIEST_MS = 0;
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const S3_KEY_MAX_BYTES = 1024;

/** The primary key as text, as it is shown in reports and stored in checkpoints. */
export function keyText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A canonical (lower-case) UUID, or undefined. */
export function canonicalUuid(value: unknown): string | undefined {
  return typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : undefined;
}

/** The service's own normalisation (users/email.ts), applied to whatever the column held; undefined when it refuses it. */
export function normalisedEmail(value: unknown): string | undefined {
  const normalised = typeof value === 'string' ? normaliseEmail(value) : undefined;
  return normalised?.ok ? normalised.email : undefined;
}

/**
 * A deliberately coarser key than `normalisedEmail`: two emails equal after normalisation always
 * have the same coarse key. PostgreSQL computes it (`coarseEmailKeySql`) to find candidate
 * duplicates without reading every email into memory; the exact grouping then happens here with the
 * service's normalisation. Coarse: only printable ASCII is kept, ASCII-lower-cased, and "i"/"k" are
 * dropped, because JavaScript lower-cases U+0130 to "i̇" and U+212A (Kelvin) to "k".
 */
export function coarseEmailKey(email: string): string {
  return email
    .replace(/[^!-~]/g, '')
    .replace(/[A-Z]/g, (letter) => letter.toLowerCase())
    .replace(/[ik]/g, '');
}

export function coarseEmailKeySql(column: string): string {
  return `translate(translate(regexp_replace(${column}::text, '[^!-~]', '', 'g'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), 'ik', '')`;
}

function checkTime(
  value: unknown,
  column: string,
  reason: SkipReason,
): { ok: true; date: Date } | { ok: false; reason: SkipReason; message: string } {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    return { ok: false, reason, message: `${column} is ${value === null || value === undefined ? 'null' : 'not a valid timestamp'}` };
  }
  const ms = value.getTime();
  if (ms < EARLIEST_MS || ms > LATEST_MS) {
    return { ok: false, reason, message: `${column} ${value.toISOString()} is outside 1970-01-01..9999-12-31` };
  }
  return { ok: true, date: value };
}

/**
 * bytea (a Buffer) of 32 or 16 bytes, or text of as many bytes in hex (optionally PostgreSQL's `\x`
 * form), as lower-case hex: the bytes exactly as stored.
 */
export function keySaltHex(value: unknown): string | undefined {
  if (Buffer.isBuffer(value)) return KEY_SALT_LENGTHS.includes(value.length) ? value.toString('hex') : undefined;
  if (typeof value === 'string') {
    const hex = value.startsWith('\\x') ? value.slice(2) : value;
    return /^[0-9a-fA-F]*$/.test(hex) && KEY_SALT_LENGTHS.includes(hex.length / 2) ? hex.toLowerCase() : undefined;
  }
  return undefined;
}

function describeSalt(value: unknown): string {
  if (Buffer.isBuffer(value)) return `key_salt is ${value.length} bytes, not ${KEY_SALT_LENGTHS.join(' or ')}`;
  return `key_salt is a ${typeof value} that is not ${KEY_SALT_LENGTHS.join(' or ')} bytes of hex`;
}

/**
 * The key salt to store, with a warning when it is unusual: 16 bytes are copied exactly (Argon2id
 * takes them as they are); NULL is stored as no salt, and the service gives the account a fresh one
 * at its first login (a NULL salt protected nothing, and no key was ever wrapped under it).
 */
function checkKeySalt(value: unknown): { ok: true; keySalt: string; warnings: RowNote[] } | { ok: false; reason: SkipReason; message: string } {
  if (value === null || value === undefined) {
    return {
      ok: true,
      keySalt: '',
      warnings: [{ code: 'key_salt_missing', message: 'key_salt is null: migrated without one; the first login gives the account a fresh key salt' }],
    };
  }
  const keySalt = keySaltHex(value);
  if (!keySalt) return { ok: false, reason: 'invalid_key_salt', message: describeSalt(value) };
  const warnings: RowNote[] =
    keySalt.length === KEY_SALT_BYTES * 2
      ? []
      : [{ code: 'key_salt_16_bytes', message: 'key_salt is 16 bytes: copied exactly; the service derives keys with it as it is' }];
  return { ok: true, keySalt, warnings };
}

export interface UserRow {
  user_id: unknown;
  email: unknown;
  password_hash: unknown;
  key_salt: unknown;
  created_at: unknown;
}

/** Validates one `users` row and converts it to the service's `User` (no user key: it is made at first login). */
export function checkUserRow(row: UserRow): Checked<User> {
  const id = canonicalUuid(row.user_id);
  if (!id) return { ok: false, reason: 'invalid_user_id', message: 'user_id is not a UUID' };
  const email = normalisedEmail(row.email);
  if (email === undefined || email === '') {
    const message =
      row.email === null || row.email === undefined
        ? 'email is null'
        : email === ''
          ? 'email is empty'
          : 'email has spaces, control or invisible characters';
    return { ok: false, reason: 'invalid_email', message };
  }
  if (email.length > EMAIL_MAX_LENGTH) {
    return { ok: false, reason: 'invalid_email', message: `email is longer than ${EMAIL_MAX_LENGTH} characters` };
  }
  if (!isEmail(email, {})) {
    return { ok: false, reason: 'invalid_email', message: 'email is not an address the service accepts at login' };
  }
  if (typeof row.password_hash !== 'string' || !ARGON2_PHC.test(row.password_hash)) {
    return {
      ok: false,
      reason: 'invalid_password_hash',
      message: row.password_hash === null || row.password_hash === undefined ? 'password_hash is null' : 'password_hash is not an Argon2 PHC string',
    };
  }
  const salt = checkKeySalt(row.key_salt);
  if (!salt.ok) return salt;
  const created = checkTime(row.created_at, 'created_at', 'invalid_created_at');
  if (!created.ok) return created;
  return {
    ok: true,
    value: { id, email, passwordHash: row.password_hash, keySalt: salt.keySalt, createdAt: created.date, ...initialKeyring() },
    warnings: salt.warnings,
  };
}

export interface AudioFileRow {
  file_id: unknown;
  user_id: unknown;
  s3_key: unknown;
  file_size: unknown;
  uploaded_at: unknown;
}

function fileSize(value: unknown): { ok: true; size: number | null } | { ok: false; reason: SkipReason; message: string } {
  if (value === null || value === undefined) return { ok: true, size: null };
  // int4 arrives as a number, int8 and numeric as text.
  const text = typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string' ? String(value).trim() : '';
  const match = /^(-?)(\d+)(?:\.0*)?$/.exec(text);
  if (!match) return { ok: false, reason: 'invalid_file_size', message: 'file_size is not a whole number of bytes' };
  const size = Number(match[2]);
  if (match[1] === '-' && size !== 0) return { ok: false, reason: 'negative_file_size', message: `file_size ${text} is negative` };
  if (!Number.isSafeInteger(size) || size > MAX_FILE_SIZE) {
    return { ok: false, reason: 'invalid_file_size', message: `file_size ${text} is larger than S3's 5 TiB maximum` };
  }
  return { ok: true, size };
}

/** Validates one `audio_files` row and converts it to the service's `AudioFile`. */
export function checkAudioFileRow(row: AudioFileRow): Checked<AudioFile> {
  const id = canonicalUuid(row.file_id);
  if (!id) return { ok: false, reason: 'invalid_file_id', message: 'file_id is not a UUID' };
  const userId = canonicalUuid(row.user_id);
  if (!userId) {
    return {
      ok: false,
      reason: 'invalid_owner_id',
      message: row.user_id === null || row.user_id === undefined ? 'user_id is null' : 'user_id is not a UUID',
    };
  }
  if (typeof row.s3_key !== 'string' || row.s3_key.length === 0) {
    return { ok: false, reason: 'invalid_s3_key', message: typeof row.s3_key === 'string' ? 's3_key is empty' : 's3_key is null' };
  }
  if (Buffer.byteLength(row.s3_key, 'utf8') > S3_KEY_MAX_BYTES) {
    return { ok: false, reason: 'invalid_s3_key', message: `s3_key is longer than S3's ${S3_KEY_MAX_BYTES} bytes` };
  }
  const size = fileSize(row.file_size);
  if (!size.ok) return size;
  const uploaded = checkTime(row.uploaded_at, 'uploaded_at', 'invalid_uploaded_at');
  if (!uploaded.ok) return uploaded;
  const warnings: RowNote[] = S3_KEY_PATTERN.test(row.s3_key)
    ? []
    : [
        {
          code: 's3_key_outside_api_pattern',
          message: 'migrated; listed and decryptable by file_id, but the API refuses this s3_key as input (decrypt-audio by s3_key)',
        },
      ];
  return { ok: true, value: { id, userId, s3Key: row.s3_key, fileSize: size.size, uploadedAt: uploaded.date, keyId: FIRST_KEY_ID }, warnings };
}
