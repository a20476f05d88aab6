import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../../src/config/app-config';
import { DynamoDbDatabaseHealthRepository } from '../../src/database/database-health.repository';
import { repositoryOnDynamoDbLocal } from '../support/repository-under-test';

describe('DynamoDbDatabaseHealthRepository (DynamoDB Local)', () => {
  const under = repositoryOnDynamoDbLocal(DynamoDbDatabaseHealthRepository);

  it('reaches every table of the service', async () => {
    const checks = await under.repository.check();
    expect(checks.map((check) => check.name).sort()).toEqual(Object.values(under.config.dynamodb.tables).sort());
    expect(checks.every((check) => check.kind === 'dynamodb-table' && check.ok && check.error === undefined)).toBe(true);
  });

  it('names a table it cannot reach, with the error’s name, instead of throwing', async () => {
    const missing = `missing-${randomUUID().slice(0, 8)}`;
    const config = { dynamodb: { ...under.config.dynamodb, tables: { ...under.config.dynamodb.tables, sessions: missing } } } as AppConfig;
    const checks = await new DynamoDbDatabaseHealthRepository(under.documents, config).check();
    expect(checks.find((check) => check.name === missing)).toEqual({
      kind: 'dynamodb-table',
      name: missing,
      ok: false,
      error: 'ResourceNotFoundException',
    });
    expect(checks.filter((check) => !check.ok)).toHaveLength(1);
  });
});
