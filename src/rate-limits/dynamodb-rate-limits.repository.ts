import { Injectable } from '@nestjs/common';
import { DynamoDbRepository } from '../database/dynamodb.repository';
import { RateLimitsRepository } from './rate-limits.repository';

/** One item per counter and window, deleted by DynamoDB's TTL after the window. */
@Injectable()
export class DynamoDbRateLimitsRepository extends DynamoDbRepository implements RateLimitsRepository {
  protected readonly table = 'rateLimits';

  /** `ADD` under the condition `hits < limit`: DynamoDB serialises writes to one item, so no two callers share a unit. */
  async reserve(key: string, limit: number, expiresAt: Date): Promise<number | undefined> {
    const reserved = await this.unlessConditionFails(
      this.updateItem({
        Key: { limit_key: key },
        UpdateExpression: 'ADD hits :one SET expires_at = if_not_exists(expires_at, :expires)',
        ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
        ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expires': Math.ceil(expiresAt.getTime() / 1000) },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return reserved && Number(reserved.Attributes?.hits);
  }

  async release(key: string): Promise<void> {
    await this.updateIf({
      Key: { limit_key: key },
      UpdateExpression: 'ADD hits :minus_one',
      ConditionExpression: 'hits > :zero',
      ExpressionAttributeValues: { ':minus_one': -1, ':zero': 0 },
    });
  }
}
