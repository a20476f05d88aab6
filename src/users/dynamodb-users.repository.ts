import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { KdfParameters, WrappedUserKey } from '../crypto/user-key';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DynamoDbRepository } from '../database/dynamodb.repository';
import { FIRST_KEY_ID, Keyring, OlderUserKey, RecoveryWrap, User } from './user';
import { EmailAlreadyRegisteredError, UsersRepository } from './users.repository';

/** Partition-key prefix of the item that reserves an email for one account (see docs/data-model.md). */
export const EMAIL_CLAIM_PREFIX = 'EMAIL#';

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
    keySalt: item.key_salt as string,
    createdAt: new Date(Number(item.created_at)),
    userKey:
      typeof item.wrapped_user_key === 'string'
        ? { wrapped: item.wrapped_user_key, kdf: item.user_key_kdf as KdfParameters }
        : undefined,
    keyId: typeof item.user_key_id === 'number' ? item.user_key_id : FIRST_KEY_ID,
    olderKeys: ((item.older_user_keys as OlderUserKeyItem[] | undefined) ?? []).map(fromOlderKeyItem),
    recovery: item.recovery ? fromRecoveryItem(item.recovery as RecoveryWrapItem) : undefined,
    lockedKeys: ((item.locked_keys as RecoveryWrapItem[] | undefined) ?? []).map(fromRecoveryItem),
    keyringVersion: typeof item.keyring_version === 'number' ? item.keyring_version : 0,
    emailVerified: item.email_verified === true || undefined,
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
      this.documents.send(
        new GetCommand({ TableName: this.tableName, Key: { user_id: emailClaimKey(email) }, ConsistentRead: true }),
      ),
    );
    const owner = Item?.claimed_by;
    return typeof owner === 'string' ? this.findById(owner) : undefined;
  }

  async replaceUserKey(userId: string, userKey: WrappedUserKey, expected: WrappedUserKey | undefined): Promise<boolean> {
    return this.updateIf({
      TableName: this.tableName,
      Key: { user_id: userId },
      UpdateExpression: 'SET wrapped_user_key = :wrapped, user_key_kdf = :kdf',
      ConditionExpression: expected
        ? 'attribute_exists(email) AND wrapped_user_key = :expected'
        : 'attribute_exists(email) AND attribute_not_exists(wrapped_user_key)',
      ExpressionAttributeValues: {
        ':wrapped': userKey.wrapped,
        ':kdf': userKey.kdf,
        ...(expected ? { ':expected': expected.wrapped } : {}),
      },
    });
  }

  async replacePasswordHash(userId: string, passwordHash: string, expectedHash: string): Promise<boolean> {
    return this.updateIf({
      TableName: this.tableName,
      Key: { user_id: userId },
      UpdateExpression: 'SET password_hash = :hash',
      ConditionExpression: 'password_hash = :expected',
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
          ? 'attribute_exists(email) AND (attribute_not_exists(keyring_version) OR keyring_version = :expected)'
          : 'attribute_exists(email) AND keyring_version = :expected',
      ExpressionAttributeValues: values,
    });
  }

  async markEmailVerified(userId: string, email: string): Promise<boolean> {
    return this.updateIf({
      TableName: this.tableName,
      Key: { user_id: userId },
      UpdateExpression: 'SET email_verified = :yes',
      ConditionExpression: 'email = :email',
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
          ConditionExpression: 'email = :old',
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

  async delete(user: User): Promise<boolean> {
    const failed = await this.transactWrite([
      { Delete: { TableName: this.tableName, Key: { user_id: user.id }, ConditionExpression: 'attribute_exists(user_id)' } },
      {
        Delete: {
          TableName: this.tableName,
          Key: { user_id: emailClaimKey(user.email) },
          ConditionExpression: 'attribute_not_exists(user_id) OR claimed_by = :owner',
          ExpressionAttributeValues: { ':owner': user.id },
        },
      },
    ]);
    return failed.length === 0;
  }
}
