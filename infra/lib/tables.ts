import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { AttributeDefinition, KeySchemaElement, Projection } from '@aws-sdk/client-dynamodb';
import { Construct } from 'constructs';
import type { TableNames } from '../../src/config/app-config';
import { TableDefinition } from '../../src/database/table-definitions';

function attribute(definitions: AttributeDefinition[] | undefined, name: string | undefined): dynamodb.Attribute {
  const found = definitions?.find((definition) => definition.AttributeName === name);
  if (!found?.AttributeName || !found.AttributeType) throw new Error(`attribute ${name} has no definition`);
  const type = { S: dynamodb.AttributeType.STRING, N: dynamodb.AttributeType.NUMBER, B: dynamodb.AttributeType.BINARY }[found.AttributeType];
  return { name: found.AttributeName, type };
}

function keys(schema: KeySchemaElement[] | undefined, definitions: AttributeDefinition[] | undefined) {
  const hash = schema?.find((key) => key.KeyType === 'HASH');
  const range = schema?.find((key) => key.KeyType === 'RANGE');
  return {
    partitionKey: attribute(definitions, hash?.AttributeName),
    sortKey: range ? attribute(definitions, range.AttributeName) : undefined,
  };
}

function projection(projected: Projection | undefined): Pick<dynamodb.GlobalSecondaryIndexPropsV2, 'projectionType' | 'nonKeyAttributes'> {
  switch (projected?.ProjectionType ?? 'ALL') {
    case 'ALL':
      return { projectionType: dynamodb.ProjectionType.ALL };
    case 'KEYS_ONLY':
      return { projectionType: dynamodb.ProjectionType.KEYS_ONLY };
    default:
      return { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: projected?.NonKeyAttributes };
  }
}

/**
 * One DynamoDB table per entry of `tableDefinitions` (src/database/table-definitions.ts, the service's
 * own source): the same keys, indexes, projections and TTL attribute, plus what production needs and
 * `db:init` does not set: on-demand billing, point-in-time recovery, encryption at rest under the
 * AWS-managed key, deletion protection, and RETAIN so that deleting the stack never deletes data.
 */
export function createTables(scope: Construct, definitions: TableDefinition[]): Record<keyof TableNames, dynamodb.TableV2> {
  const tables = {} as Record<keyof TableNames, dynamodb.TableV2>;
  for (const { role, create, timeToLiveAttribute } of definitions) {
    if ((create.BillingMode ?? 'PAY_PER_REQUEST') !== 'PAY_PER_REQUEST') throw new Error(`${create.TableName}: only on-demand tables are deployed`);
    if (create.LocalSecondaryIndexes?.length) throw new Error(`${create.TableName}: local secondary indexes are not mapped`);
    tables[role] = new dynamodb.TableV2(scope, `${role[0].toUpperCase()}${role.slice(1)}Table`, {
      tableName: create.TableName,
      ...keys(create.KeySchema, create.AttributeDefinitions),
      globalSecondaryIndexes: (create.GlobalSecondaryIndexes ?? []).map((index) => ({
        indexName: index.IndexName as string,
        ...keys(index.KeySchema, create.AttributeDefinitions),
        ...projection(index.Projection),
      })),
      timeToLiveAttribute,
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
  return tables;
}
