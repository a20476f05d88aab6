import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommandInput,
  UpdateCommand,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { KdfParameters, WrappedUserKey } from '../crypto/user-key';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DynamoDbRepository } from '../database/dynamodb.repository';
import { ACCOUNT_SWEEP_INDEX } from '../database/table-definitions';
import { AccountDeletion, FIRST_KEY_ID, Keyring, OlderUserKey, RecoveryWrap, User } from './user';
import { EmailAlreadyRegisteredError, UsersRepository } from './users.repository';

/** Partition-key prefix of the item that reserves an email for one account (see docs/data-model.md). */
export const EMAIL_CLAIM_PREFIX = 'EMAIL#';
/** The one `sweep_queue` value: the partition of `account-sweep-index` that holds every account being deleted. */
const SWEEP_QUEUE = 'deleted-accounts';

type TransactionItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * A transaction item that holds only while the account exists and is not being deleted: a write
 * in the same transaction either commits before the deletion's mark (and is swept) or not at all.
 */
export function activeAccountCheck(tableName: string, userId: string): TransactionItem {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: { user_id: userId },
      ConditionExpression: 'attribute_exists(email) AND attribute_not_exists(deleting_at)',
    },
  };
}

interface UserItem {
  user_id: string;
  email: string;
  password_hash: string;
  key_salt: string;
  created_at: number;
  created_at_iso: string;
  wrapped_user_key?: string;
  user_key_kdf?: KdfParameters;
  /** Absent on accounts from before key ids: their key is key 1. */
  user_key_id?: number;
  older_user_keys?: OlderUserKeyItem[];
  recovery?: RecoveryWrapItem;
  locked_keys?: RecoveryWrapItem[];
  keyring_version?: number;
  email_verified?: boolean;
  /** Epoch ms; set by the deletion's mark, with `sweep_queue` and `sweep_after` (epoch ms). */
  deleting_at?: number;
}

/** What is left of an account between the end of `DELETE /api/user` and its final sweep. */
interface TombstoneItem {
  user_id: string;
  deleting_at: number;
  sweep_queue: string;
  sweep_after: number;
}

interface OlderUserKeyItem {
  key_id: number;
  wrapped: string;
  kdf: KdfParameters;
}

interface RecoveryWrapItem {
  salt: string;
  kdf: KdfParameters;
  keys: { key_id: number; wrapped: string }[];
}

const toOlderKeyItem = (key: OlderUserKey): OlderUserKeyItem => ({ key_id: key.keyId, wrapped: key.wrapped, kdf: key.kdf });
const fromOlderKeyItem = (item: OlderUserKeyItem): OlderUserKey => ({ keyId: Number(item.key_id), wrapped: item.wrapped, kdf: item.kdf });
const toRecoveryItem = (wrap: RecoveryWrap): RecoveryWrapItem => ({
  salt: wrap.salt,
  kdf: wrap.kdf,
  keys: wrap.keys.map((key) => ({ key_id: key.keyId, wrapped: key.wrapped })),
});
const fromRecoveryItem = (item: RecoveryWrapItem): RecoveryWrap => ({
  salt: item.salt,
  kdf: item.kdf,
  keys: item.keys.map((key) => ({ keyId: Number(key.key_id), wrapped: key.wrapped })),
});

interface EmailClaimItem {
  user_id: string;
  claimed_by: string;
  created_at: number;
}

export function toUserItem(user: User): UserItem {
  return {
    user_id: user.id,
    email: user.email,
    password_hash: user.passwordHash,
    key_salt: user.keySalt,
    created_at: user.createdAt.getTime(),
    created_at_iso: user.createdAt.toISOString(),
    wrapped_user_key: user.userKey?.wrapped,
    user_key_kdf: user.userKey?.kdf,
    // An account as registered (or migrated) carries only what differs from the initial keyring.
    user_key_id: user.keyId === FIRST_KEY_ID ? undefined : user.keyId,
    older_user_keys: user.olderKeys.length > 0 ? user.olderKeys.map(toOlderKeyItem) : undefined,
    recovery: user.recovery && toRecoveryItem(user.recovery),
    locked_keys: user.lockedKeys.length > 0 ? user.lockedKeys.map(toRecoveryItem) : undefined,
    keyring_version: user.keyringVersion === 0 ? undefined : user.keyringVersion,
    email_verified: user.emailVerified || undefined,
  };
}

function fromUserItem(item: Record<string, unknown> | undefined): User | undefined {
  if (!item || typeof item.email !== 'string' || typeof item.password_hash !== 'string') return undefined;
  return {
    id: item.user_id as string,
    email: item.email,
    passwordHash: item.password_hash,
    keySalt: typeof item.key_salt === 'string' ? item.key_salt : '',
    createdAt: new Date(Number(item.created_at)),
    userKey: typeof item.wrapped_user_key === 'string' ? { wrapped: item.wrapped_user_key, kdf: item.user_key_kdf as KdfParameters } : undefined,
    keyId: typeof item.user_key_id === 'number' ? item.user_key_id : FIRST_KEY_ID,
    olderKeys: ((item.older_user_keys as OlderUserKeyItem[] | undefined) ?? []).map(fromOlderKeyItem),
    recovery: item.recovery ? fromRecoveryItem(item.recovery as RecoveryWrapItem) : undefined,
    lockedKeys: ((item.locked_keys as RecoveryWrapItem[] | undefined) ?? []).map(fromRecoveryItem),
    keyringVersion: typeof item.keyring_version === 'number' ? item.keyring_version : 0,
    emailVerified: item.email_verified === true || undefined,
    deletingAt: typeof item.deleting_at === 'number' ? new Date(item.deleting_at) : undefined,
  };
}

function fromDeletionItem(item: Record<string, unknown> | undefined): AccountDeletion | undefined {
  if (!item || typeof item.deleting_at !== 'number' || typeof item.sweep_after !== 'number') return undefined;
  return {
    userId: item.user_id as string,
    email: typeof item.email === 'string' ? item.email : undefined,
    startedAt: new Date(item.deleting_at),
    sweepAfter: new Date(item.sweep_after),
  };
}

export function emailClaimKey(email: string): string {
  return `${EMAIL_CLAIM_PREFIX}${email}`;
}

@Injectable()
export class DynamoDbUsersRepository extends DynamoDbRepository implements UsersRepository {
  private readonly tableName: string;

  constructor(documents: DynamoDBDocumentClient, config: AppConfig) {
    super(documents);
    this.tableName = config.dynamodb.tables.users;
  }

  /**
   * Writes the account and its email claim in one transaction, each conditional on not existing:
   * of any number of concurrent registrations of one email, exactly one succeeds.
   */
  async create(user: User): Promise<void> {
    const claim: EmailClaimItem = {
      user_id: emailClaimKey(user.email),
      claimed_by: user.id,
      created_at: user.createdAt.getTime(),
    };
    const failed = await this.transactWrite([
      { Put: { TableName: this.tableName, Item: toUserItem(user), ConditionExpression: 'attribute_not_exists(user_id)' } },
      { Put: { TableName: this.tableName, Item: claim, ConditionExpression: 'attribute_not_exists(user_id)' } },
    ]);
    if (failed.includes(1)) throw new EmailAlreadyRegisteredError();
    if (failed.length > 0) throw new Error(`User ${user.id} already exists`);
  }

  async findById(userId: string): Promise<User | undefined> {
    const { Item } = await this.call(() =>
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: { user_id: userId }, ConsistentRead: true })),
    );
    return fromUserItem(Item);
  }

  /** The claim item is read with a strongly consistent GetItem, so a just-registered account is found at once. */
  async findByEmail(email: string): Promise<User | undefined> {
    const { Item } = await this.call(() =>
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: { user_id: emailClaimKey(email) }, ConsistentRead: true })),
    );
    const owner: unknown = Item?.claimed_by;
    return typeof owner === 'string' ? this.findById(owner) : undefined;
  }

  async replaceUserKey(userId: string, userKey: WrappedUserKey, expected: WrappedUserKey | undefined, keySalt?: string): Promise<boolean> {
    return this.updateIf({
      TableName: this.tableName,
      Key: { user_id: userId },
      UpdateExpression: `SET wrapped_user_key = :wrapped, user_key_kdf = :kdf${keySalt ? ', key_salt = :salt' : ''}`,
      ConditionExpression:
        (expected
          ? 'attribute_exists(email) AND wrapped_user_key = :expected'
          : 'attribute_exists(email) AND attribute_not_exists(wrapped_user_key)') + (keySalt ? ' AND attribute_not_exists(key_salt)' : ''),
      ExpressionAttributeValues: {
        ':wrapped': userKey.wrapped,
        ':kdf': userKey.kdf,
        ...(expected ? { ':expected': expected.wrapped } : {}),
        ...(keySalt ? { ':salt': keySalt } : {}),
      },
    });
  }

  async replacePasswordHash(userId: string, passwordHash: string, expectedHash: string): Promise<boolean> {
    return this.updateIf({
      TableName: this.tableName,
      Key: { user_id: userId },
      UpdateExpression: 'SET password_hash = :hash',
      ConditionExpression: 'password_hash = :expected AND attribute_not_exists(deleting_at)',
      ExpressionAttributeValues: { ':hash': passwordHash, ':expected': expectedHash },
    });
  }

  /** Every key attribute in one conditional update: a keyring changed meanwhile is never overwritten. */
  async saveKeyring(userId: string, keyring: Keyring, expectedVersion: number): Promise<boolean> {
    const values: Record<string, unknown> = {
      ':salt': keyring.keySalt,
      ':wrapped': keyring.userKey.wrapped,
      ':kdf': keyring.userKey.kdf,
      ':key_id': keyring.keyId,
      ':older': keyring.olderKeys.map(toOlderKeyItem),
      ':locked': keyring.lockedKeys.map(toRecoveryItem),
      ':version': expectedVersion + 1,
      ':expected': expectedVersion,
    };
    const assignments = [
      'key_salt = :salt',
      'wrapped_user_key = :wrapped',
      'user_key_kdf = :kdf',
      'user_key_id = :key_id',
      'older_user_keys = :older',
      'locked_keys = :locked',
      'keyring_version = :version',
    ];
    if (keyring.passwordHash) {
      assignments.push('password_hash = :hash');
      values[':hash'] = keyring.passwordHash;
    }
    if (keyring.recovery) {
      assignments.push('recovery = :recovery');
      values[':recovery'] = toRecoveryItem(keyring.recovery);
    }
    return this.updateIf({
      TableName: this.tableName,
      Key: { user_id: userId },
      UpdateExpression: `SET ${assignments.join(', ')}${keyring.recovery ? '' : ' REMOVE recovery'}`,
      ConditionExpression:
        expectedVersion === 0
          ? 'attribute_exists(email) AND attribute_not_exists(deleting_at) AND (attribute_not_exists(keyring_version) OR keyring_version = :expected)'
          : 'attribute_exists(email) AND attribute_not_exists(deleting_at) AND keyring_version = :expected',
      ExpressionAttributeValues: values,
    });
  }

  async markEmailVerified(userId: string, email: string): Promise<boolean> {
    return this.updateIf({
      TableName: this.tableName,
      Key: { user_id: userId },
      UpdateExpression: 'SET email_verified = :yes',
      ConditionExpression: 'email = :email AND attribute_not_exists(deleting_at)',
      ExpressionAttributeValues: { ':yes': true, ':email': email },
    });
  }

  async changeEmail(user: User, newEmail: string): Promise<boolean> {
    const claim: EmailClaimItem = { user_id: emailClaimKey(newEmail), claimed_by: user.id, created_at: Date.now() };
    const failed = await this.transactWrite([
      {
        Update: {
          TableName: this.tableName,
          Key: { user_id: user.id },
          UpdateExpression: 'SET email = :new, email_verified = :yes',
          ConditionExpression: 'email = :old AND attribute_not_exists(deleting_at)',
          ExpressionAttributeValues: { ':new': newEmail, ':old': user.email, ':yes': true },
        },
      },
      { Put: { TableName: this.tableName, Item: claim, ConditionExpression: 'attribute_not_exists(user_id)' } },
      {
        Delete: {
          TableName: this.tableName,
          Key: { user_id: emailClaimKey(user.email) },
          ConditionExpression: 'claimed_by = :owner',
          ExpressionAttributeValues: { ':owner': user.id },
        },
      },
    ]);
    if (failed.includes(1)) throw new EmailAlreadyRegisteredError();
    return failed.length === 0;
  }

  /** An update whose condition may fail: false then, and nothing changed. */
  private async updateIf(input: UpdateCommandInput): Promise<boolean> {
    try {
      await this.call(() => this.documents.send(new UpdateCommand(input)));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** A transaction, so that it waits out the registrations whose condition checks hold the item. */
  async markDeleting(userId: string, startedAt: Date, sweepAfter: Date): Promise<AccountDeletion | undefined> {
    const failed = await this.transactWrite([
      {
        Update: {
          TableName: this.tableName,
          Key: { user_id: userId },
          UpdateExpression:
            'SET deleting_at = if_not_exists(deleting_at, :started), sweep_queue = :queue, sweep_after = if_not_exists(sweep_after, :after)',
          ConditionExpression: 'attribute_exists(email)',
          ExpressionAttributeValues: { ':started': startedAt.getTime(), ':queue': SWEEP_QUEUE, ':after': sweepAfter.getTime() },
        },
      },
    ]);
    return failed.length > 0 ? undefined : this.findDeletion(userId);
  }

  async findDeletion(userId: string): Promise<AccountDeletion | undefined> {
    const { Item } = await this.call(() =>
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: { user_id: userId }, ConsistentRead: true })),
    );
    return fromDeletionItem(Item);
  }

  async release(deletion: AccountDeletion): Promise<boolean> {
    const tombstone: TombstoneItem = {
      user_id: deletion.userId,
      deleting_at: deletion.startedAt.getTime(),
      sweep_queue: SWEEP_QUEUE,
      sweep_after: deletion.sweepAfter.getTime(),
    };
    return this.commitReleasingEmail(
      [
        {
          Put: {
            TableName: this.tableName,
            Item: tombstone,
            ConditionExpression: 'attribute_exists(email) AND deleting_at = :started',
            ExpressionAttributeValues: { ':started': tombstone.deleting_at },
          },
        },
      ],
      deletion,
    );
  }

  async dueDeletions(now: Date, limit: number): Promise<AccountDeletion[]> {
    const { Items = [] } = await this.call(() =>
      this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: ACCOUNT_SWEEP_INDEX,
          KeyConditionExpression: 'sweep_queue = :queue AND sweep_after <= :now',
          ExpressionAttributeValues: { ':queue': SWEEP_QUEUE, ':now': now.getTime() },
          Limit: limit,
        }),
      ),
    );
    return Items.map(fromDeletionItem).filter((deletion): deletion is AccountDeletion => deletion !== undefined);
  }

  async leaseDeletion(deletion: AccountDeletion, until: Date): Promise<boolean> {
    return this.updateIf({
      TableName: this.tableName,
      Key: { user_id: deletion.userId },
      UpdateExpression: 'SET sweep_after = :until',
      ConditionExpression: 'sweep_after = :seen',
      ExpressionAttributeValues: { ':until': until.getTime(), ':seen': deletion.sweepAfter.getTime() },
    });
  }

  async removeDeleted(deletion: AccountDeletion): Promise<void> {
    await this.commitReleasingEmail(
      [
        {
          Delete: {
            TableName: this.tableName,
            Key: { user_id: deletion.userId },
            ConditionExpression: 'deleting_at = :started',
            ExpressionAttributeValues: { ':started': deletion.startedAt.getTime() },
          },
        },
      ],
      deletion,
    );
  }

  /**
   * Commits `items` together with deleting the deletion's email claim, if it still has an email. A
   * claim held by another account (a duplicate left by the Flask design) stays. False when the
   * condition of `items[0]` failed.
   */
  private async commitReleasingEmail(items: TransactionItem[], deletion: AccountDeletion): Promise<boolean> {
    const claim: TransactionItem[] = deletion.email
      ? [
          {
            Delete: {
              TableName: this.tableName,
              Key: { user_id: emailClaimKey(deletion.email) },
              ConditionExpression: 'attribute_not_exists(user_id) OR claimed_by = :owner',
              ExpressionAttributeValues: { ':owner': deletion.userId },
            },
          },
        ]
      : [];
    let failed = await this.transactWrite([...items, ...claim]);
    if (failed.length === 1 && failed[0] === items.length) failed = await this.transactWrite(items);
    return !failed.includes(0);
  }
}
