import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DatabaseHealthRepository, DynamoDbDatabaseHealthRepository } from './database-health.repository';
import { createDocumentClient, createDynamoDbClient } from './dynamodb-client';

/** Shared DynamoDB infrastructure: one client per process, injected into the repositories. */
@Global()
@Module({
  providers: [
    {
      provide: DynamoDBClient,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => createDynamoDbClient(config.dynamodb),
    },
    {
      provide: DynamoDBDocumentClient,
      inject: [DynamoDBClient],
      useFactory: createDocumentClient,
    },
    { provide: DatabaseHealthRepository, useClass: DynamoDbDatabaseHealthRepository },
  ],
  exports: [DynamoDBClient, DynamoDBDocumentClient, DatabaseHealthRepository],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DynamoDBClient) private readonly client: DynamoDBClient) {}

  onApplicationShutdown(): void {
    this.client.destroy();
  }
}
