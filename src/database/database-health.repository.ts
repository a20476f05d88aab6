import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { tableDefinitions } from './table-definitions';

export interface DatabaseCheck {
  table: string;
  ok: boolean;
  error?: string;
}

export abstract class DatabaseHealthRepository {
  /** Reaches every table the service uses; never throws. */
  abstract check(): Promise<DatabaseCheck[]>;
}

const PROBE_KEY_VALUE = '__readiness_probe__';

@Injectable()
export class DynamoDbDatabaseHealthRepository extends DatabaseHealthRepository {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly config: AppConfig,
  ) {
    super();
  }

  /** A GetItem of a key that never exists: cheap, data-plane, and proves table, network and permissions. */
  async check(): Promise<DatabaseCheck[]> {
    return Promise.all(
      tableDefinitions(this.config.dynamodb.tables).map(async ({ create }) => {
        const partitionKey = create.KeySchema?.[0]?.AttributeName as string;
        try {
          await this.documents.send(
            new GetCommand({ TableName: create.TableName, Key: { [partitionKey]: PROBE_KEY_VALUE } }),
          );
          return { table: create.TableName, ok: true };
        } catch (error) {
          return { table: create.TableName, ok: false, error: (error as Error).name };
        }
      }),
    );
  }
}
