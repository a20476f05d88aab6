import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { AppConfig } from '../../src/config/app-config';
import { createDocumentClient, createDynamoDbClient } from '../../src/database/dynamodb-client';
import { AUDIO_FILES_USER_INDEX, tableDefinitions } from '../../src/database/table-definitions';
import { provisionTables } from '../../src/database/table-provisioner';
import { LocalDynamoDb, startDynamoDbLocal } from '../../tools/local/dynamodb-local';
import { loseFirstAnswers } from '../support/lost-answers';
import { isolatedTables } from '../support/test-app';

describe('provisionTables (DynamoDB Local)', () => {
  let config: AppConfig;
  let client: DynamoDBClient;
  let ownDynamo: LocalDynamoDb;

  // Its own DynamoDB Local: building an index on an existing table can stall for minutes in an
  // emulator busy with every other test file's tables.
  beforeAll(async () => {
    ownDynamo = await startDynamoDbLocal({ port: 0 });
    config = await isolatedTables({ DYNAMODB_ENDPOINT: ownDynamo.endpoint }, false);
    client = createDynamoDbClient(config.dynamodb);
  });
  afterAll(async () => {
    client.destroy();
    await ownDynamo.stop();
  });

  it('creates the tables, then leaves them and their data alone on the next run', async () => {
    const definitions = tableDefinitions(config.dynamodb.tables);
    expect(await provisionTables(client, definitions)).toEqual([
      { table: config.dynamodb.tables.users, action: 'created-table' },
      { table: config.dynamodb.tables.audioFiles, action: 'created-table' },
      { table: config.dynamodb.tables.decryptJobs, action: 'created-table' },
      { table: config.dynamodb.tables.sessions, action: 'created-table' },
      { table: config.dynamodb.tables.rateLimits, action: 'created-table' },
      { table: config.dynamodb.tables.accountTokens, action: 'created-table' },
    ]);
    const documents = createDocumentClient(client);
    await documents.send(new PutCommand({ TableName: config.dynamodb.tables.users, Item: { user_id: 'kept', email: 'k@example.com' } }));
    expect(await provisionTables(client, definitions)).toEqual([
      { table: config.dynamodb.tables.users, action: 'unchanged' },
      { table: config.dynamodb.tables.audioFiles, action: 'unchanged' },
      { table: config.dynamodb.tables.decryptJobs, action: 'unchanged' },
      { table: config.dynamodb.tables.sessions, action: 'unchanged' },
      { table: config.dynamodb.tables.rateLimits, action: 'unchanged' },
      { table: config.dynamodb.tables.accountTokens, action: 'unchanged' },
    ]);
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: config.dynamodb.tables.decryptJobs }));
    expect(TimeToLiveDescription).toMatchObject({ AttributeName: 'expires_at', TimeToLiveStatus: 'ENABLED' });
    const { Item } = await documents.send(new GetCommand({ TableName: config.dynamodb.tables.users, Key: { user_id: 'kept' } }));
    expect(Item).toEqual({ user_id: 'kept', email: 'k@example.com' });
  });

  it('counts a table that a retried CreateTable already made as existing, and finishes its TTL the same way', async () => {
    // The SDK repeats a request whose answer timed out: the repeat finds the table it made itself.
    const faulty = createDynamoDbClient(config.dynamodb);
    const lost = loseFirstAnswers(faulty, ['CreateTableCommand', 'UpdateTimeToLiveCommand']);
    const jobs = tableDefinitions({ ...config.dynamodb.tables, decryptJobs: `retried-jobs-${Date.now()}` })[2];
    try {
      expect(await provisionTables(faulty, [jobs])).toEqual([{ table: jobs.create.TableName, action: 'enabled-ttl' }]);
    } finally {
      faulty.destroy();
    }
    expect(lost).toEqual(['CreateTableCommand', 'UpdateTimeToLiveCommand']);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: jobs.create.TableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: jobs.create.TableName }));
    expect(TimeToLiveDescription).toMatchObject({ AttributeName: 'expires_at', TimeToLiveStatus: 'ENABLED' });
    expect(await provisionTables(client, [jobs])).toEqual([{ table: jobs.create.TableName, action: 'unchanged' }]);
  });

  it('adds an index that an existing table lacks, keeping its items', async () => {
    // Creating an index waits for it to become ACTIVE, which takes a while on a loaded machine.
    const [, audio] = tableDefinitions({
      users: 'unused',
      audioFiles: `legacy-audio-${Date.now()}`,
      decryptJobs: 'unused',
      sessions: 'unused',
      rateLimits: 'unused',
      accountTokens: 'unused',
    });
    const withoutIndex = {
      ...audio,
      create: {
        ...audio.create,
        GlobalSecondaryIndexes: undefined,
        AttributeDefinitions: [{ AttributeName: 'file_id', AttributeType: 'S' as const }],
      },
    };
    await provisionTables(client, [withoutIndex]);
    const documents = createDocumentClient(client);
    await documents.send(new PutCommand({ TableName: audio.create.TableName, Item: { file_id: 'old', user_id: 'u', uploaded_at: 1 } }));

    expect(await provisionTables(client, [audio])).toEqual([
      { table: audio.create.TableName, action: 'created-index', index: AUDIO_FILES_USER_INDEX },
    ]);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: audio.create.TableName }));
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual([AUDIO_FILES_USER_INDEX]);
    const { Item } = await documents.send(new GetCommand({ TableName: audio.create.TableName, Key: { file_id: 'old' } }));
    expect(Item).toBeDefined();
  }, 180_000);
});
