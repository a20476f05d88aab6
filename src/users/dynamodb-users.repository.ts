import type { WrappedUserKey } from '../crypto/user-key';
import { Injectable } from '@nestjs/common';
import { DynamoDbRepository, TransactionItem } from '../database/dynamodb.repository';
import { ACCOUNT_SWEEP_INDEX } from '../database/table-definitions';
import { AccountDeletion, Keyring, User } from './user';
import {
  emailClaimKey,
  fromDeletionItem,
  fromUserItem,
  SWEEP_QUEUE,
  toEmailClaimItem,
  toOlderKeyItem,
  toRecoveryItem,
  toTombstoneItem,
  toUserItem,
} from './user.item';
import { EmailAlreadyRegisteredError, UsersRepository } from './users.repository';

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

@Injectable()
export class DynamoDbUsersRepository extends DynamoDbRepository implements UsersRepository {
  protected readonly table = 'users';

  /**
   * Writes the account and its email claim in one transaction, each conditional on not existing:
   * of any number of concurrent registrations of one email, exactly one succeeds.
   */
  async create(user: User): Promise<void> {
    const claim = toEmailClaimItem(user.email, user.id, user.createdAt);
    const failed = await this.transactWrite([
      { Put: { TableName: this.tableName, Item: toUserItem(user), ConditionExpression: 'attribute_not_exists(user_id)' } },
      { Put: { TableName: this.tableName, Item: claim, ConditionExpression: 'attribute_not_exists(user_id)' } },
    ]);
    if (failed.includes(1)) throw new EmailAlreadyRegisteredError();
    if (failed.length > 0) throw new Error(`User ${user.id} already exists`);
  }

  async findById(userId: string): Promise<User | undefined> {
    return fromUserItem(await this.getItem({ user_id: userId }));
  }

  /** The claim item is read with a strongly consistent GetItem, so a just-registered account is found at once. */
  async findByEmail(email: string): Promise<User | undefined> {
    const owner = (await this.getItem({ user_id: emailClaimKey(email) }))?.claimed_by;
    return typeof owner === 'string' ? this.findById(owner) : undefined;
  }

  async replaceUserKey(userId: string, userKey: WrappedUserKey, expected: WrappedUserKey | undefined, keySalt?: string): Promise<boolean> {
    return this.updateIf({
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
      Key: { user_id: userId },
      UpdateExpression: 'SET email_verified = :yes',
      ConditionExpression: 'email = :email AND attribute_not_exists(deleting_at)',
      ExpressionAttributeValues: { ':yes': true, ':email': email },
    });
  }

  async changeEmail(user: User, newEmail: string): Promise<boolean> {
    const claim = toEmailClaimItem(newEmail, user.id, new Date());
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
    return fromDeletionItem(await this.getItem({ user_id: userId }));
  }

  async release(deletion: AccountDeletion): Promise<boolean> {
    const tombstone = toTombstoneItem(deletion);
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
    const { Items = [] } = await this.query({
      IndexName: ACCOUNT_SWEEP_INDEX,
      KeyConditionExpression: 'sweep_queue = :queue AND sweep_after <= :now',
      ExpressionAttributeValues: { ':queue': SWEEP_QUEUE, ':now': now.getTime() },
      Limit: limit,
    });
    return Items.map(fromDeletionItem).filter((deletion): deletion is AccountDeletion => deletion !== undefined);
  }

  async leaseDeletion(deletion: AccountDeletion, until: Date): Promise<boolean> {
    return this.updateIf({
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
