import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { MAX_JSON_DEPTH } from '../../src/common/http/json-body';
import { buildOpenApiDocument } from '../../src/openapi';
import { PASSWORD, registerUser, startTestApp, TestApp } from '../support/test-app';

/** The hostile bodies of the report: about 16 KB, nested 2,700 levels deep. */
const LEVELS = 2700;
const DEEP_OBJECT = '{"a":'.repeat(LEVELS) + '1' + '}'.repeat(LEVELS);
const DEEP_ARRAY = '['.repeat(LEVELS) + ']'.repeat(LEVELS);
const DEEP_PASSWORD = `{"email":"a@example.com","password":${DEEP_ARRAY}}`;
const HOSTILE_BODIES = { 'a deep object': DEEP_OBJECT, 'a deep array': DEEP_ARRAY, 'a deep array as the password': DEEP_PASSWORD };

/** Methods whose body Fastify reads; it never reads one on GET or HEAD. */
const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);
const SOME_UUID = '00000000-0000-4000-8000-000000000000';

interface Operation {
  method: string;
  path: string;
  takesBody: boolean;
}

/** Every operation of the OpenAPI document, with its path parameters filled in. */
function operations(t: TestApp): Operation[] {
  const document = buildOpenApiDocument(t.app);
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, operation]) => ({
        method,
        path: path.replace(/\{[^}]+\}/g, SOME_UUID),
        takesBody: Boolean((operation as { requestBody?: unknown }).requestBody),
      })),
  );
}

const withJson = (t: TestApp, { method, path }: Operation, body: string, headers: Record<string, string> = {}) =>
  (t.http as unknown as Record<string, (path: string) => import('supertest').Test>)
    [method](path)
    .set({ 'Content-Type': 'application/json', ...headers })
    .send(body);

describe('request bodies (HTTP, DynamoDB Local)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it.each(Object.entries(HOSTILE_BODIES))('refuses %s with 400 BODY_TOO_DEEP on every endpoint that reads a body', async (_name, body) => {
    expect(Buffer.byteLength(DEEP_OBJECT)).toBeLessThan(t.config.http.bodyLimitBytes);
    for (const operation of operations(t)) {
      const response = await withJson(t, operation, body);
      if (BODY_METHODS.has(operation.method)) {
        expect([operation, response.status, response.body]).toEqual([
          operation,
          400,
          { error: expect.stringContaining(`deeper than ${MAX_JSON_DEPTH}`), code: 'BODY_TOO_DEEP', request_id: response.headers['x-request-id'] },
        ]);
      } else {
        // The body of a GET is never read: the answer is the one without a body.
        const plain = await (t.http as unknown as Record<string, (path: string) => import('supertest').Test>)[operation.method](operation.path);
        expect([operation, response.status]).toEqual([operation, plain.status]);
      }
    }
  });

  it(`accepts ${MAX_JSON_DEPTH} levels and refuses ${MAX_JSON_DEPTH + 1}, counting brackets only outside strings`, async () => {
    const login = (password: string) =>
      t.http.post('/api/login').set('Content-Type', 'application/json').send(`{"email":"nobody@example.com","password":${password}}`);
    const nested = (levels: number) => '['.repeat(levels) + '"x"' + ']'.repeat(levels);
    // The body object is the first level.
    expect((await login(nested(MAX_JSON_DEPTH - 1))).body.code).toBe('VALIDATION_FAILED');
    expect((await login(nested(MAX_JSON_DEPTH))).body.code).toBe('BODY_TOO_DEEP');
    const bracketsInAString = JSON.stringify(`\\"${'['.repeat(200)}`);
    expect((await login(bracketsInAString)).body.code).toBe('INVALID_CREDENTIALS');
  });

  it('costs next to nothing: two connections flooding deep bodies cost no more than trivially bad ones, and health keeps answering', async () => {
    const floodRequests = 40;
    const healthBoundMs = t.config.http.requestTimeoutMs / 10;
    const { hostname, port } = new URL(t.baseUrl);
    const flood = async (body: string): Promise<number[]> => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const statuses: number[] = [];
      for (let index = 0; index < floodRequests; index++) {
        statuses.push(
          await new Promise<number>((resolve, reject) => {
            const call = httpRequest(
              { host: hostname, port, agent, method: 'POST', path: '/api/login', headers: { 'content-type': 'application/json' } },
              (response) => response.resume().on('end', () => resolve(response.statusCode ?? 0)),
            );
            call.on('error', reject);
            call.end(body);
          }),
        );
      }
      agent.destroy();
      return statuses;
    };
    /** Two connections flooding `bodies` while health is polled: CPU per flood request, health latencies, statuses. */
    const measure = async (bodies: [string, string]) => {
      const cpuBefore = process.cpuUsage();
      let flooding = true;
      const floods = Promise.all(bodies.map(flood)).finally(() => (flooding = false));
      const healthLatencies: number[] = [];
      while (flooding) {
        const started = performance.now();
        expect((await fetch(`${t.baseUrl}/api/health`)).status).toBe(200);
        healthLatencies.push(performance.now() - started);
      }
      const statuses = (await floods).flat();
      const cpu = process.cpuUsage(cpuBefore);
      return { cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / statuses.length, healthLatencies, statuses };
    };
    // As large as the hostile bodies, and refused by validation: what any bad request costs.
    const trivial = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(DEEP_OBJECT.length - 60), unknown: 1 });
    const baseline = await measure([trivial, trivial]);
    const hostile = await measure([DEEP_OBJECT, DEEP_PASSWORD]);
    expect(new Set(baseline.statuses)).toEqual(new Set([400]));
    expect(new Set(hostile.statuses)).toEqual(new Set([400]));
    // Processing these deep bodies cost about 8 times a trivial one (measured before the fix); refusing them costs about the same.
    expect(hostile.cpuMsPerRequest).toBeLessThan(2 * baseline.cpuMsPerRequest);
    expect(Math.max(...hostile.healthLatencies)).toBeLessThan(healthBoundMs);
  });

  describe('an empty body sent with Content-Type: application/json', () => {
    it('is no body: endpoints that take none answer as without it, those that need one say it is missing', async () => {
      for (const operation of operations(t)) {
        const user = await registerUser(t.http);
        const response = await withJson(t, operation, '', user.auth);
        const outcome = { status: response.status, code: response.body.code, error: response.body.error };
        if (operation.takesBody) {
          expect([operation, outcome]).toEqual([operation, { status: 400, code: 'VALIDATION_FAILED', error: 'Request body must be a JSON object' }]);
        } else {
          // Success, or 404 for the made-up ids in the path.
          expect([operation, outcome.status < 400 || outcome.code === 'NOT_FOUND']).toEqual([operation, true]);
        }
      }
    });

    it('logs out, ends every session, and ends one session', async () => {
      const user = await registerUser(t.http);
      await withJson(t, { method: 'post', path: '/api/logout', takesBody: false }, '', user.auth).expect(204);
      await t.http.get('/api/user/me').set(user.auth).expect(401);

      const other = await registerUser(t.http);
      const phone = await t.http.post('/api/login').send({ email: other.email, password: PASSWORD }).expect(200);
      const path = `/api/sessions/${phone.body.session_id}`;
      await withJson(t, { method: 'delete', path, takesBody: false }, '', other.auth).expect(204);
      await t.http.get('/api/user/me').set('Authorization', `Bearer ${phone.body.token}`).expect(401);
      await withJson(t, { method: 'post', path: '/api/logout-all', takesBody: false }, '', other.auth).expect(204);
      await t.http.get('/api/user/me').set(other.auth).expect(401);
    });
  });
});
