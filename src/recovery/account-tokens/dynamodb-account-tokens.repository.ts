import { Injectable } from '@nestjs/common';
import { DynamoDbRepository } from '../../database/dynamodb.repository';
import type { AccountToken, AccountTokenPurpose } from './account-token';
import { AccountTokensRepository } from './account-tokens.repository';

interface AccountTokenItem {
  token_hash: string;
  purpose: AccountTokenPurpose;
  user_id: string;
  email: string;
  keyring_version: number;
  /** Epoch seconds: DynamoDB's TTL deletes the item some time after; reads check it themselves. */
  expires_at: number;
}

const toItem = (token: AccountToken): AccountTokenItem => ({
  token_hash: token.hash,
  purpose: token.purpose,
  user_id: token.userId,
  email: token.email,
  keyring_version: token.keyringVersion,
  expires_at: Math.ceil(token.expiresAt.getTime() / 1000),
});

const fromItem = (item: Record<string, unknown>): AccountToken => ({
  hash: item.token_hash as string,
  purpose: item.purpose as AccountTokenPurpose,
  userId: item.user_id as string,
  email: item.email as string,
  keyringVersion: Number(item.keyring_version),
  expiresAt: new Date(Number(item.expires_at) * 1000),
});

@Injectable()
export class DynamoDbAccountTokensRepository extends DynamoDbRepository implements AccountTokensRepository {
  protected readonly table = 'accountTokens';

  async save(token: AccountToken): Promise<void> {
    await this.putItem({ Item: toItem(token), ConditionExpression: 'attribute_not_exists(token_hash)' });
  }

  async find(hash: string, purpose: AccountTokenPurpose): Promise<AccountToken | undefined> {
    const item = await this.getItem({ token_hash: hash });
    const token = item && fromItem(item);
    return token && token.purpose === purpose && token.expiresAt.getTime() > Date.now() ? token : undefined;
  }

  async consume(hash: string, purpose: AccountTokenPurpose): Promise<AccountToken | undefined> {
    const deleted = await this.unlessConditionFails(
      this.deleteItem({
        Key: { token_hash: hash },
        ConditionExpression: 'purpose = :purpose AND expires_at > :now',
        ExpressionAttributeValues: { ':purpose': purpose, ':now': Math.floor(Date.now() / 1000) },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return deleted?.Attributes && fromItem(deleted.Attributes);
  }
}
