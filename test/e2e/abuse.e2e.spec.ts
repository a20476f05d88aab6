import { randomBytes } from 'node:crypto';
import { awayFromWindowEdge, PASSWORD, registerUser, startAnotherInstance, startTestApp, TestApp } from '../support/test-app';

describe('brute-force protection across instances (HTTP, DynamoDB Local)', () => {
  let t: TestApp;
  let second: Awaited<ReturnType<typeof startAnotherInstance>>;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ACCOUNT_FAILURES: '3', RATE_LIMIT_IP_PER_MINUTE: '100000' });
    second = await startAnotherInstance();
  });
  afterAll(async () => {
    await second.close();
    await t.close();
  });

  beforeEach(() => awayFromWindowEdge(900));

  it('locks an account after its failed logins, counted on every instance, with Retry-After', async () => {
    const user = await registerUser(t.http);
    const attempt = (instance: { http: TestApp['http'] }, password: string) => instance.http.post('/api/login').send({ email: user.email, password });
    await attempt(t, 'wrong-1').expect(401);
    await attempt(second, 'wrong-2').expect(401);
    await attempt(t, 'wrong-3').expect(401);
    for (const instance of [t, second]) {
      const locked = await attempt(instance, PASSWORD).expect(429);
      expect(locked.body).toMatchObject({ code: 'TOO_MANY_REQUESTS', error: expect.stringMatching(/retry in \d+ s/) });
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    }
    // Other accounts are not affected.
    const other = await registerUser(t.http);
    await t.http.post('/api/login').send({ email: other.email, password: PASSWORD }).expect(200);
  });

  it('verifies at most `limit` of N × limit concurrent wrong guesses on two instances; the rest, then the right password, get 429', async () => {
    const user = await registerUser(t.http);
    const instances = [t, second];
    const guesses = await Promise.all(
      Array.from({ length: 6 * 3 }, (_, index) =>
        instances[index % 2].http.post('/api/login').send({ email: user.email, password: `wrong-${index}` }),
      ),
    );
    const statuses = guesses.map((response) => response.status);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(3);
    expect(statuses.filter((status) => status !== 401).every((status) => status === 429)).toBe(true);
    for (const refused of guesses.filter((response) => response.status === 429)) {
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    }
    for (const instance of instances) await instance.http.post('/api/login').send({ email: user.email, password: PASSWORD }).expect(429);
  });

  it('gives unknown emails the same budget under concurrent guesses', async () => {
    const email = `nobody-${randomBytes(4).toString('hex')}@example.com`;
    const instances = [t, second];
    const statuses = (
      await Promise.all(
        Array.from({ length: 6 * 3 }, (_, index) => instances[index % 2].http.post('/api/login').send({ email, password: 'whatever-123' })),
      )
    ).map((response) => response.status);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(3);
    expect(statuses.filter((status) => status !== 401).every((status) => status === 429)).toBe(true);
  });

  it('reports the address and account budgets in RateLimit-Policy and RateLimit, success or not', async () => {
    const user = await registerUser(t.http);
    const ok = await t.http.post('/api/login').send({ email: user.email, password: PASSWORD }).expect(200);
    expect(ok.headers['ratelimit-policy']).toBe('"ip";q=100000;w=60, "account";q=3;w=900');
    // A right password gives its unit back.
    expect(ok.headers.ratelimit).toMatch(/^"ip";r=\d+;t=\d+, "account";r=3;t=\d+$/);
    const wrong = await second.http.post('/api/login').send({ email: user.email, password: 'wrong-1' }).expect(401);
    expect(wrong.headers.ratelimit).toMatch(/"account";r=2;t=\d+$/);
    await t.http.post('/api/login').send({ email: user.email, password: 'wrong-2' }).expect(401);
    await t.http.post('/api/login').send({ email: user.email, password: 'wrong-3' }).expect(401);
    const locked = await t.http.post('/api/login').send({ email: user.email, password: PASSWORD }).expect(429);
    const [, reset] = /"account";r=0;t=(\d+)$/.exec(locked.headers.ratelimit) ?? [];
    expect(Number(reset)).toBe(Number(locked.headers['retry-after']));
  });

  it('treats unknown emails exactly like existing ones', async () => {
    const email = `nobody-${randomBytes(4).toString('hex')}@example.com`;
    for (let index = 0; index < 3; index++) await t.http.post('/api/login').send({ email, password: 'whatever-123' }).expect(401);
    await second.http.post('/api/login').send({ email, password: 'whatever-123' }).expect(429);
  });

  it('locks decryption after wrong passwords', async () => {
    const user = await registerUser(t.http);
    const body = { password: 'wrong-password', file_id: '00000000-0000-4000-8000-000000000000' };
    for (let index = 0; index < 3; index++) await t.http.post('/api/decrypt-audio').set(user.auth).send(body).expect(401);
    await second.http
      .post('/api/decrypt-audio')
      .set(user.auth)
      .send({ ...body, password: PASSWORD })
      .expect(429);
  });
});

describe('the issue’s attack: 60 concurrent wrong guesses at one account on two instances, limit 10', () => {
  let t: TestApp;
  let second: Awaited<ReturnType<typeof startAnotherInstance>>;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ACCOUNT_FAILURES: '10', RATE_LIMIT_IP_PER_MINUTE: '100000' });
    second = await startAnotherInstance();
  });
  afterAll(async () => {
    await second.close();
    await t.close();
  });

  it('answers at most 10 of them 401 and the rest 429, and then refuses the right password', async () => {
    await awayFromWindowEdge(900);
    const user = await registerUser(t.http);
    const instances = [t, second];
    const statuses = (
      await Promise.all(
        Array.from({ length: 60 }, (_, index) =>
          instances[index % 2].http.post('/api/login').send({ email: user.email, password: `wrong-${index}` }),
        ),
      )
    ).map((response) => response.status);
    const unauthorized = statuses.filter((status) => status === 401).length;
    expect(unauthorized).toBeGreaterThan(0);
    expect(unauthorized).toBeLessThanOrEqual(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(60 - unauthorized);
    await second.http.post('/api/login').send({ email: user.email, password: PASSWORD }).expect(429);
  });
});

describe('per-address limits', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_IP_PER_MINUTE: '3' });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After past the per-minute budget of an address', async () => {
    // Budgets are per clock minute: start early enough in one that the whole test fits in it.
    await awayFromWindowEdge(60);
    const statuses: number[] = [];
    for (let index = 0; index < 5; index++) {
      statuses.push((await t.http.post('/api/login').send({ email: 'a@example.com', password: 'whatever-123' })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const limited = await t.http.post('/api/login').send({ email: 'a@example.com', password: 'whatever-123' }).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.headers['ratelimit-policy']).toBe('"ip";q=3;w=60');
    expect(limited.headers.ratelimit).toBe(`"ip";r=0;t=${limited.headers['retry-after']}`);
    // Budgets are per action: registration still has its own.
    const registered = await t.http
      .post('/api/register')
      .send({ email: `x-${randomBytes(4).toString('hex')}@example.com`, password: PASSWORD })
      .expect(201);
    expect(registered.headers.ratelimit).toMatch(/^"ip";r=2;t=\d+$/);
    // Endpoints without a limit send no RateLimit fields.
    expect((await t.http.get('/api/health').expect(200)).headers['ratelimit']).toBeUndefined();
  });
});

describe('JWT secret rotation, security headers and CORS', () => {
  let t: TestApp;

  afterEach(() => t.close());

  it('accepts tokens of a previous secret listed in JWT_PREVIOUS_SECRETS, and no others', async () => {
    const oldSecret = randomBytes(32).toString('base64');
    t = await startTestApp({ JWT_SECRET: oldSecret });
    const user = await registerUser(t.http);
    process.env.JWT_SECRET = randomBytes(32).toString('base64');
    process.env.JWT_PREVIOUS_SECRETS = oldSecret;
    const rotated = await startAnotherInstance();
    const fresh = await rotated.http.post('/api/login').send({ email: user.email, password: PASSWORD }).expect(200);
    try {
      await rotated.http.get('/api/user/me').set(user.auth).expect(200);
    } finally {
      await rotated.close();
    }
    process.env.JWT_PREVIOUS_SECRETS = '';
    const forgetful = await startAnotherInstance();
    try {
      await forgetful.http.get('/api/user/me').set(user.auth).expect(401);
      await forgetful.http.get('/api/user/me').set('Authorization', `Bearer ${fresh.body.token}`).expect(200);
    } finally {
      await forgetful.close();
    }
  });

  it('sends security headers, and no CORS permission unless an origin is configured', async () => {
    t = await startTestApp({ CORS_ORIGINS: 'https://admin.panzoto.example' });
    const plain = await t.http.get('/api/health').set('Origin', 'https://evil.example').expect(200);
    expect(plain.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' });
    expect(plain.headers['strict-transport-security']).toBeDefined();
    expect(plain.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    const docs = await t.http.get('/docs').expect(200);
    expect(docs.headers['content-security-policy']).toMatch(/script-src 'self' 'unsafe-inline'/);
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
    const allowed = await t.http.get('/api/health').set('Origin', 'https://admin.panzoto.example').expect(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://admin.panzoto.example');
  });
});
