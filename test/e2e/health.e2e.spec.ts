import { startTestApp, TestApp } from '../support/test-app';

describe('health (HTTP, DynamoDB Local)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers liveness with the seed body and a request id', async () => {
    const response = await t.http.get('/api/health').expect(200);
    expect(response.body).toEqual({ status: 'healthy', service: 'panzoto-backend', database: 'dynamodb' });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('echoes a well-formed X-Request-Id and replaces a hostile one', async () => {
    const kept = await t.http.get('/api/health').set('X-Request-Id', 'client-abc.123').expect(200);
    expect(kept.headers['x-request-id']).toBe('client-abc.123');
    const replaced = await t.http.get('/api/health').set('X-Request-Id', 'bad id with spaces').expect(200);
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is ready when every table answers', async () => {
    const response = await t.http.get('/api/health/ready').expect(200);
    expect(response.body.status).toBe('ready');
    expect(response.body.checks).toEqual([
      { kind: 'dynamodb-table', name: t.config.dynamodb.tables.users, ok: true },
      { kind: 'dynamodb-table', name: t.config.dynamodb.tables.audioFiles, ok: true },
      { kind: 'dynamodb-table', name: t.config.dynamodb.tables.decryptJobs, ok: true },
      { kind: 'dynamodb-table', name: t.config.dynamodb.tables.sessions, ok: true },
      { kind: 'dynamodb-table', name: t.config.dynamodb.tables.rateLimits, ok: true },
      { kind: 'dynamodb-table', name: t.config.dynamodb.tables.accountTokens, ok: true },
      { kind: 's3-bucket', name: t.config.storage.bucket, ok: true },
    ]);
  });

  it('puts the request id in error bodies too', async () => {
    const response = await t.http.get('/api/no-such-route').expect(404);
    expect(response.body).toMatchObject({ code: 'ROUTE_NOT_FOUND', request_id: response.headers['x-request-id'] });
  });
});

describe('readiness without DynamoDB tables', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({}, { provisionTables: false });
  });
  afterAll(() => t.close());

  it('answers 503 on readiness and on data endpoints, while liveness stays 200', async () => {
    const ready = await t.http.get('/api/health/ready').expect(503);
    expect(ready.body.status).toBe('unavailable');
    expect(ready.body.checks).toContainEqual(
      expect.objectContaining({ name: t.config.dynamodb.tables.users, ok: false, error: 'ResourceNotFoundException' }),
    );
    await t.http.get('/api/health').expect(200);
    const login = await t.http.post('/api/login').send({ email: 'a@example.com', password: 'whatever-password' }).expect(503);
    expect(login.body.code).toBe('SERVICE_UNAVAILABLE');
    expect(login.headers['retry-after']).toBeDefined();
  });
});
