import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { tableDefinitions } from './table-definitions';

export interface DependencyCheck {
  kind: 'dynamodb-table' | 's3-bucket';
  name: string;
  ok: boolean;
  /** Error name when the dependency could not be reached. */
  error?: string;
}

export abstract class DatabaseHealthRepository {
  /** Reaches every table the service uses; never throws. */
  abstract check(): Promise<DependencyCheck[]>;
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
  async check(): Promise<DependencyCheck[]> {
    return Promise.all(
      tableDefinitions(this.config.dynamodb.tables).map(async ({ create }) => {
        const partitionKey = create.KeySchema?.[0]?.AttributeName as string;
        try {
          await this.documents.send(new GetCommand({ TableName: create.TableName, Key: { [partitionKey]: PROBE_KEY_VALUE } }));
          return { kind: 'dynamodb-table' as const, name: create.TableName, ok: true };
        } catch (error) {
          return { kind: 'dynamodb-table' as const, name: create.TableName, ok: false, error: (error as Error).name };
        }
      }),
    );
  }
}
