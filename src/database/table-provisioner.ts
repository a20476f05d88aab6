import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  TableDescription,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { TableDefinition } from './table-definitions';

export interface ProvisioningAction {
  table: string;
  action: 'created-table' | 'created-index' | 'enabled-ttl' | 'unchanged';
  index?: string;
}

const WAIT_SECONDS = 300;

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  await waitUntilTableExists({ client, maxWaitTime: WAIT_SECONDS, minDelay: 1, maxDelay: 5 }, { TableName: tableName });
  for (let attempt = 0; attempt < WAIT_SECONDS; attempt++) {
    const table = await describe(client, tableName);
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (table?.TableStatus === 'ACTIVE' && indexesActive) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`Table ${tableName} did not become ACTIVE within ${WAIT_SECONDS} s`);
}

/** Turns TTL on when it is off; true when it changed anything. */
async function enableTimeToLive(client: DynamoDBClient, tableName: string, attribute: string): Promise<boolean> {
  const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = TimeToLiveDescription?.TimeToLiveStatus;
  if ((status === 'ENABLED' || status === 'ENABLING') && TimeToLiveDescription?.AttributeName === attribute) return false;
  await client.send(
    new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: attribute, Enabled: true } }),
  );
  return true;
}

/**
 * Creates every missing table and global secondary index; never deletes or rewrites anything, so it
 * is safe to run against a table that already holds data. Returns what it did.
 */
export async function provisionTables(
  client: DynamoDBClient,
  definitions: TableDefinition[],
): Promise<ProvisioningAction[]> {
  const actions: ProvisioningAction[] = [];
  for (const { create, timeToLiveAttribute } of definitions) {
    const existing = await describe(client, create.TableName);
    if (!existing) {
      await client.send(new CreateTableCommand(create)).catch((error: unknown) => {
        // The SDK retried a CreateTable whose first attempt timed out but went through: it exists now.
        if (!(error instanceof ResourceInUseException)) throw error;
      });
      await waitUntilActive(client, create.TableName);
      actions.push({ table: create.TableName, action: 'created-table' });
      if (timeToLiveAttribute) await enableTimeToLive(client, create.TableName, timeToLiveAttribute);
      continue;
    }
    const ttlEnabled = timeToLiveAttribute ? await enableTimeToLive(client, create.TableName, timeToLiveAttribute) : false;
    if (ttlEnabled) actions.push({ table: create.TableName, action: 'enabled-ttl' });
    const present = new Set((existing.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    const missing = (create.GlobalSecondaryIndexes ?? []).filter((index) => !present.has(index.IndexName));
    for (const index of missing) {
      const attributes = new Set(index.KeySchema?.map((key) => key.AttributeName));
      await client.send(
        new UpdateTableCommand({
          TableName: create.TableName,
          AttributeDefinitions: create.AttributeDefinitions?.filter((a) => attributes.has(a.AttributeName)),
          GlobalSecondaryIndexUpdates: [{ Create: index }],
        }),
      );
      await waitUntilActive(client, create.TableName);
      actions.push({ table: create.TableName, action: 'created-index', index: index.IndexName });
    }
    if (missing.length === 0 && !ttlEnabled) actions.push({ table: create.TableName, action: 'unchanged' });
  }
  return actions;
}
