import type { AppConfig } from '../config/app-config';
import { createDynamoDbClient } from './dynamodb-client';
import { tableDefinitions } from './table-definitions';
import { ProvisioningAction, provisionTables } from './table-provisioner';

/** Creates whatever the configured tables lack (see `provisionTables`). */
export async function provisionServiceTables(config: AppConfig): Promise<ProvisioningAction[]> {
  const client = createDynamoDbClient(config.dynamodb);
  try {
    return await provisionTables(client, tableDefinitions(config.dynamodb.tables));
  } finally {
    client.destroy();
  }
}
