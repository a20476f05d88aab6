import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { TableNames } from '../config/app-config';

const USERS_EMAIL_INDEX = 'email-index';
/** Sparse: holds only accounts being deleted, by when their final sweep is due (see docs/data-model.md). */
export const ACCOUNT_SWEEP_INDEX = 'account-sweep-index';
export const AUDIO_FILES_USER_INDEX = 'user-files-index';
export const DECRYPT_JOBS_USER_INDEX = 'user-jobs-index';
export const SESSIONS_USER_INDEX = 'user-sessions-index';
/** Every table with a TTL uses this attribute: epoch seconds after which DynamoDB deletes the item. */
export const TTL_ATTRIBUTE = 'expires_at';

export interface TableDefinition {
  /** Which of the service's tables this is; the physical name comes from configuration. */
  role: keyof TableNames;
  create: CreateTableCommandInput & { TableName: string };
  /** Attribute holding an epoch-seconds expiry that DynamoDB's TTL deletes items by. */
  timeToLiveAttribute?: string;
}

/**
 * The one definition of every table and index. `npm run db:init`, `npm run dev`, the tests and the
 * deployment all create tables from this function; `docs/data-model.md` explains each access pattern.
 */
export function tableDefinitions(names: TableNames): TableDefinition[] {
  return [
    {
      role: 'users',
      create: {
        TableName: names.users,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'user_id', AttributeType: 'S' },
          { AttributeName: 'email', AttributeType: 'S' },
          { AttributeName: 'sweep_queue', AttributeType: 'S' },
          { AttributeName: 'sweep_after', AttributeType: 'N' },
        ],
        KeySchema: [{ AttributeName: 'user_id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: USERS_EMAIL_INDEX,
            KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: ACCOUNT_SWEEP_INDEX,
            KeySchema: [
              { AttributeName: 'sweep_queue', KeyType: 'HASH' },
              { AttributeName: 'sweep_after', KeyType: 'RANGE' },
            ],
            // What the sweep needs, and not the password hash or the wrapped key of an account in mid-deletion.
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['deleting_at', 'email'] },
          },
        ],
      },
    },
    {
      role: 'audioFiles',
      create: {
        TableName: names.audioFiles,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'file_id', AttributeType: 'S' },
          { AttributeName: 'user_id', AttributeType: 'S' },
          { AttributeName: 'uploaded_at', AttributeType: 'N' },
        ],
        KeySchema: [{ AttributeName: 'file_id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: AUDIO_FILES_USER_INDEX,
            KeySchema: [
              { AttributeName: 'user_id', KeyType: 'HASH' },
              { AttributeName: 'uploaded_at', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      },
    },
    {
      role: 'decryptJobs',
      timeToLiveAttribute: TTL_ATTRIBUTE,
      create: {
        TableName: names.decryptJobs,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'job_id', AttributeType: 'S' },
          { AttributeName: 'user_id', AttributeType: 'S' },
          { AttributeName: 'created_at', AttributeType: 'N' },
        ],
        KeySchema: [{ AttributeName: 'job_id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: DECRYPT_JOBS_USER_INDEX,
            KeySchema: [
              { AttributeName: 'user_id', KeyType: 'HASH' },
              { AttributeName: 'created_at', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      },
    },
    {
      role: 'sessions',
      timeToLiveAttribute: TTL_ATTRIBUTE,
      create: {
        TableName: names.sessions,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'session_id', AttributeType: 'S' },
          { AttributeName: 'user_id', AttributeType: 'S' },
          { AttributeName: 'created_at', AttributeType: 'N' },
        ],
        KeySchema: [{ AttributeName: 'session_id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: SESSIONS_USER_INDEX,
            KeySchema: [
              { AttributeName: 'user_id', KeyType: 'HASH' },
              { AttributeName: 'created_at', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      },
    },
    {
      role: 'rateLimits',
      timeToLiveAttribute: TTL_ATTRIBUTE,
      create: {
        TableName: names.rateLimits,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'limit_key', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'limit_key', KeyType: 'HASH' }],
      },
    },
    {
      role: 'accountTokens',
      timeToLiveAttribute: TTL_ATTRIBUTE,
      create: {
        TableName: names.accountTokens,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'token_hash', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'token_hash', KeyType: 'HASH' }],
      },
    },
  ];
}
