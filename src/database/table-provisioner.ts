import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  TableDescription,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { createIdempotently } from '../common/util/create-idempotently';
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

async function timeToLiveEnabled(client: DynamoDBClient, tableName: string, attribute: string): Promise<boolean> {
  const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = TimeToLiveDescription?.TimeToLiveStatus;
  return (status === 'ENABLED' || status === 'ENABLING') && TimeToLiveDescription?.AttributeName === attribute;
}

/** Turns TTL on when it is off; true when it changed anything. */
async function enableTimeToLive(client: DynamoDBClient, tableName: string, attribute: string): Promise<boolean> {
  if (await timeToLiveEnabled(client, tableName, attribute)) return false;
  await createIdempotently(
    () => client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: attribute, Enabled: true } })),
    () => timeToLiveEnabled(client, tableName, attribute),
  );
  return true;
}

async function hasIndex(client: DynamoDBClient, tableName: string, indexName: string | undefined): Promise<boolean> {
  const table = await describe(client, tableName);
  return (table?.GlobalSecondaryIndexes ?? []).some((index) => index.IndexName === indexName);
}

/**
 * Creates every missing table and global secondary index; never deletes or rewrites anything, so it
 * is safe to run against a table that already holds data. Idempotent under retries and concurrent
 * runs: a table or index that turns out to exist already ("preexisting table", a CreateTable that a
 * retry repeated) counts as existing, and is waited for until ACTIVE. Returns what it did.
 */
export async function provisionTables(client: DynamoDBClient, definitions: TableDefinition[]): Promise<ProvisioningAction[]> {
  const actions: ProvisioningAction[] = [];
  for (const { create, timeToLiveAttribute } of definitions) {
    if (!(await describe(client, create.TableName))) {
      const created = await createIdempotently(
        () => client.send(new CreateTableCommand(create)),
        async () => (await describe(client, create.TableName)) !== undefined,
      );
      await waitUntilActive(client, create.TableName);
      if (created === 'created') {
        actions.push({ table: create.TableName, action: 'created-table' });
        if (timeToLiveAttribute) await enableTimeToLive(client, create.TableName, timeToLiveAttribute);
        continue;
      }
    }
    // Another run may still be creating or updating it.
    await waitUntilActive(client, create.TableName);
    const existing = (await describe(client, create.TableName)) as TableDescription;
    const ttlEnabled = timeToLiveAttribute ? await enableTimeToLive(client, create.TableName, timeToLiveAttribute) : false;
    if (ttlEnabled) actions.push({ table: create.TableName, action: 'enabled-ttl' });
    const present = new Set((existing.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    const missing = (create.GlobalSecondaryIndexes ?? []).filter((index) => !present.has(index.IndexName));
    for (const index of missing) {
      const attributes = new Set(index.KeySchema?.map((key) => key.AttributeName));
      await createIdempotently(
        () =>
          client.send(
            new UpdateTableCommand({
              TableName: create.TableName,
              AttributeDefinitions: create.AttributeDefinitions?.filter((a) => attributes.has(a.AttributeName)),
              GlobalSecondaryIndexUpdates: [{ Create: index }],
            }),
          ),
        () => hasIndex(client, create.TableName, index.IndexName),
      );
      await waitUntilActive(client, create.TableName);
      actions.push({ table: create.TableName, action: 'created-index', index: index.IndexName });
    }
    if (missing.length === 0 && !ttlEnabled) actions.push({ table: create.TableName, action: 'unchanged' });
  }
  return actions;
}
