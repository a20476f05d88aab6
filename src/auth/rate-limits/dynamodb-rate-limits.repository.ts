import { DeleteCommand, DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { DynamoDbRepository } from '../../database/dynamodb.repository';
import { RateLimitsRepository } from './rate-limits.repository';

/** One item per counter and window, deleted by DynamoDB's TTL after the window. */
@Injectable()
export class DynamoDbRateLimitsRepository extends DynamoDbRepository implements RateLimitsRepository {
  private readonly tableName: string;

  constructor(documents: DynamoDBDocumentClient, config: AppConfig) {
    super(documents);
    this.tableName = config.dynamodb.tables.rateLimits;
  }

  /** An atomic `ADD`: concurrent requests on any instance each get their own count. */
  async increment(key: string, expiresAt: Date): Promise<number> {
    const { Attributes } = await this.call(() =>
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { limit_key: key },
          UpdateExpression: 'ADD hits :one SET expires_at = if_not_exists(expires_at, :expires)',
          ExpressionAttributeValues: { ':one': 1, ':expires': Math.ceil(expiresAt.getTime() / 1000) },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    return Number(Attributes?.hits ?? 0);
  }

  async count(key: string): Promise<number> {
    const { Item } = await this.call(() =>
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: { limit_key: key }, ConsistentRead: true })),
    );
    return Number(Item?.hits ?? 0);
  }

  async reset(key: string): Promise<void> {
    await this.call(() => this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: { limit_key: key } })));
  }
}
