import { InMemoryDatabaseHealth } from '../../test/fakes/in-memory-database-health';
import { InMemoryObjectStorage } from '../../test/fakes/in-memory-object-storage';
import { controllerSpec } from '../../test/support/controller-app';
import { DatabaseHealthRepository } from '../database/database-health.repository';
import { ObjectStorage } from '../storage/object-storage';
import { HealthController } from './health.controller';

describe('HealthController (HTTP pipeline, repositories faked)', () => {
  const database = new InMemoryDatabaseHealth();
  const storage = new InMemoryObjectStorage();
  const table = { kind: 'dynamodb-table' as const, name: 'users', ok: true };
  const app = controllerSpec(HealthController, [
    { provide: DatabaseHealthRepository, useValue: database },
    { provide: ObjectStorage, useValue: storage },
  ]);
  beforeEach(() => {
    database.checks = [table];
  });

  it('answers liveness without a token and without touching a dependency', async () => {
    const check = jest.spyOn(database, 'check');
    await app.http().get('/api/health').expect(200, { status: 'healthy', service: 'panzoto-backend', database: 'dynamodb' });
    expect(check).not.toHaveBeenCalled();
    check.mockRestore();
  });

  it('is ready (200) when every table and the bucket answer, listing each check', async () => {
    await app
      .http()
      .get('/api/health/ready')
      .expect(200, { status: 'ready', checks: [table, { kind: 's3-bucket', name: 'memory', ok: true }] });
  });

  it('is unavailable (503) when one dependency fails, naming it', async () => {
    database.checks = [table, { kind: 'dynamodb-table', name: 'sessions', ok: false, error: 'ResourceNotFoundException' }];
    const response = await app.http().get('/api/health/ready').expect(503);
    expect(response.body).toEqual({ status: 'unavailable', checks: [...database.checks, { kind: 's3-bucket', name: 'memory', ok: true }] });
  });

  it('answers a method the route does not have with 405 and the allowed ones, in the envelope', async () => {
    const response = await app.http().post('/api/health').send({}).expect(405);
    expect(response.body).toEqual({ error: expect.stringContaining('allowed: GET'), code: 'METHOD_NOT_ALLOWED', request_id: expect.any(String) });
  });
});
