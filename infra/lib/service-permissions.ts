import type { TableNames } from '../../src/config/app-config';
import { ACCOUNT_SWEEP_INDEX, AUDIO_FILES_USER_INDEX, DECRYPT_JOBS_USER_INDEX, SESSIONS_USER_INDEX } from '../../src/database/table-definitions';
import { DECRYPTED_PREFIX, RECORDINGS_PREFIX, UPLOADS_PREFIX } from '../../src/storage/object-keys';

export interface TablePermissions {
  /** The repository that is the only code touching this table (plus the readiness probe's GetItem). */
  source: string;
  /** Data-plane actions on the table itself. TransactWriteItems is authorised per item as Put/Update/Delete/ConditionCheckItem. */
  actions: string[];
  /** Indexes the code queries, and nothing else on them. */
  queriedIndexes: string[];
}

/**
 * Exactly what the running service does to DynamoDB, table by table (read from the repositories;
 * test/infra/permissions.spec.ts re-reads them and fails when code and grant drift apart). No Scan,
 * no batch operation, no control-plane action: tables come from the stack, not from the service.
 */
export const TABLE_PERMISSIONS: Record<keyof TableNames, TablePermissions> = {
  users: {
    source: 'src/users/dynamodb-users.repository.ts',
    // ConditionCheckItem: file registration checks, in its transaction, that the account is not being deleted.
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
    queriedIndexes: [ACCOUNT_SWEEP_INDEX],
  },
  audioFiles: {
    source: 'src/audio-files/dynamodb-audio-files.repository.ts',
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
    queriedIndexes: [AUDIO_FILES_USER_INDEX],
  },
  decryptJobs: {
    source: 'src/decrypt/dynamodb-decrypt-jobs.repository.ts',
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
    queriedIndexes: [DECRYPT_JOBS_USER_INDEX],
  },
  sessions: {
    source: 'src/sessions/dynamodb-sessions.repository.ts',
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    queriedIndexes: [SESSIONS_USER_INDEX],
  },
  rateLimits: {
    source: 'src/rate-limits/dynamodb-rate-limits.repository.ts',
    actions: ['dynamodb:UpdateItem'],
    queriedIndexes: [],
  },
  accountTokens: {
    source: 'src/recovery/account-tokens/dynamodb-account-tokens.repository.ts',
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
    queriedIndexes: [],
  },
};

/** The readiness probe (src/database/database-health.repository.ts) reads a missing key of every table. */
export const READINESS_TABLE_ACTION = 'dynamodb:GetItem';

export interface PrefixPermissions {
  prefix: string;
  actions: string[];
  why: string;
}

/**
 * What src/storage/s3-object-storage.ts does, by prefix. CopyObject is authorised as s3:GetObject on
 * the source and s3:PutObject on the target,
 * multipart upload parts as s3:PutObject, DeleteObjects per key as s3:DeleteObject; presigned URLs
 * carry the task role's authority, so the role needs what the URLs allow.
 */
export const OBJECT_PERMISSIONS: PrefixPermissions[] = [
  {
    prefix: UPLOADS_PREFIX,
    actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
    why: 'presigned PUT of pending uploads; copy source at registration; deletion after registration or refusal',
  },
  {
    prefix: RECORDINGS_PREFIX,
    actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
    why: 'copy target at registration (no URL writes here); GET (decrypt); deletion of a file or an account',
  },
  {
    prefix: DECRYPTED_PREFIX,
    actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
    why: 'streaming (multipart) upload of decrypted copies, aborted on failure; presigned GET; deletion',
  },
];

/**
 * Bucket-level: ListObjectsV2 (deleting a prefix), HeadBucket (readiness) and S3's answer to a HEAD of
 * a missing key (404 only with s3:ListBucket; 403 without, which the service would not recognise as
 * "not uploaded yet"). A prefix condition would break the last two, so it is on the bucket alone.
 */
export const BUCKET_ACTIONS = ['s3:ListBucket'];

/** src/mail/nodemailer.mailer.ts sends through SES's SendEmail API (v2), from the stack's identity only. */
export const MAIL_ACTIONS = ['ses:SendEmail'];
