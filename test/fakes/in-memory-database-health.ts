import { DatabaseHealthRepository, DependencyCheck } from '../../src/database/database-health.repository';

/** A DatabaseHealthRepository answering whatever `checks` holds; the DynamoDB one is tested against DynamoDB Local. */
export class InMemoryDatabaseHealth extends DatabaseHealthRepository {
  checks: DependencyCheck[] = [{ kind: 'dynamodb-table', name: 'memory', ok: true }];

  async check(): Promise<DependencyCheck[]> {
    return this.checks;
  }
}
