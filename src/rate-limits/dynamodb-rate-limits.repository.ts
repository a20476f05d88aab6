import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DynamoDbRepository } from '../database/dynamodb.repository';
import { RateLimitsRepository } from './rate-limits.repository';

/** One item per counter and window, deleted by DynamoDB's TTL after the window. */
@Injectable()
export class DynamoDbRateLimitsRepository extends DynamoDbRepository implements RateLimitsRepository {
  private readonly tableName: string;

  constructor(documents: DynamoDBDocumentClient, config: AppConfig) {
    super(documents);
    this.tableName = config.dynamodb.tables.rateLimits;
  }

  /** `ADD` under the condition `hits < limit`: DynamoDB serialises writes to one item, so no two callers share a unit. */
  async reserve(key: string, limit: number, expiresAt: Date): Promise<number | undefined> {
    try {
      const { Attributes } = await this.call(() =>
        this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { limit_key: key },
            UpdateExpression: 'ADD hits :one SET expires_at = if_not_exists(expires_at, :expires)',
            ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
            ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expires': Math.ceil(expiresAt.getTime() / 1000) },
            ReturnValues: 'UPDATED_NEW',
          }),
        ),
      );
      return Number(Attributes?.hits);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async release(key: string): Promise<void> {
    try {
      await this.call(() =>
        this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { limit_key: key },
            UpdateExpression: 'ADD hits :minus_one',
            ConditionExpression: 'hits > :zero',
            ExpressionAttributeValues: { ':minus_one': -1, ':zero': 0 },
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
