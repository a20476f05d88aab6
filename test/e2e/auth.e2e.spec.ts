import { PASSWORD, registerUser, scanAll, startTestApp, TestApp } from '../support/test-app';

describe('register and login (HTTP, DynamoDB Local)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const accountsWithEmail = async (email: string) =>
    (await scanAll(t.documents, t.config.dynamodb.tables.users)).filter((item) => item.email === email);

  it('registers with the seed contract: token, user_id, 64-hex key_salt, user with ISO-8601 UTC created_at', async () => {
    const response = await t.http.post('/api/register').send({ email: '  New.User@Example.COM ', password: PASSWORD }).expect(201);
    expect(response.body).toEqual({
      token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      refresh_token: expect.stringMatching(new RegExp(`^${response.body.session_id}\\.`)),
      expires_in: 900,
      session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      user_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      key_salt: expect.stringMatching(/^[0-9a-f]{64}$/),
      recovery_code: expect.stringMatching(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){6}$/),
      user: {
        user_id: response.body.user_id,
        email: 'new.user@example.com',
        email_verified: false,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      },
      encryption: expect.objectContaining({
        format: 'tink/aes-gcm-hkdf-streaming',
        key_salt: response.body.key_salt,
        wrapped_user_key: expect.any(String),
        kdf: { algorithm: 'argon2id', version: 19, memory_kib: 19456, iterations: 2, parallelism: 1, key_length: 32 },
      }),
    });
    expect(response.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('stores a hash, not the password, and times as epoch milliseconds plus ISO-8601', async () => {
    const { userId, email } = await registerUser(t.http);
    const [item] = await accountsWithEmail(email);
    expect(item.user_id).toBe(userId);
    expect(item.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(JSON.stringify(item)).not.toContain(PASSWORD);
    expect(item.created_at).toEqual(new Date(item.created_at_iso as string).getTime());
  });

  it('refuses a second account for the same email, whatever its case or spaces (409)', async () => {
    const { email } = await registerUser(t.http);
    const response = await t.http
      .post('/api/register')
      .send({ email: ` ${email.toUpperCase()}`, password: PASSWORD })
      .expect(409);
    expect(response.body).toMatchObject({ error: 'User already exists', code: 'EMAIL_TAKEN' });
    expect(await accountsWithEmail(email)).toHaveLength(1);
  });

  it('lets exactly one of 20 concurrent registrations of one email through', async () => {
    const email = `race-${Date.now()}@example.com`;
    const responses = await Promise.all(Array.from({ length: 20 }, () => t.http.post('/api/register').send({ email, password: PASSWORD })));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    expect(await accountsWithEmail(email)).toHaveLength(1);
  });

  it('logs in with the same shape as registration', async () => {
    const { email, userId } = await registerUser(t.http);
    const response = await t.http.post('/api/login').send({ email: email.toUpperCase(), password: PASSWORD }).expect(200);
    expect(response.body).toMatchObject({ user_id: userId, key_salt: expect.stringMatching(/^[0-9a-f]{64}$/), user: { email } });
    const registered = await t.http.post('/api/login').send({ email, password: PASSWORD }).expect(200);
    expect(registered.body.encryption.wrapped_user_key).toBe(response.body.encryption.wrapped_user_key);
    await t.http.get('/api/user/me').set('Authorization', `Bearer ${response.body.token}`).expect(200);
  });

  it('answers unknown email and wrong password with the same 401 body', async () => {
    const { email } = await registerUser(t.http);
    const wrong = await t.http.post('/api/login').send({ email, password: 'not-the-password' }).expect(401);
    const unknown = await t.http.post('/api/login').send({ email: 'nobody@example.com', password: PASSWORD }).expect(401);
    const strip = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).filter(([key]) => key !== 'request_id'));
    expect(strip(wrong.body)).toEqual({ error: 'Invalid email or password', code: 'INVALID_CREDENTIALS' });
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
  });

  it.each([
    ['no body at all', undefined],
    ['a missing password', { email: 'a@example.com' }],
    ['a missing email', { password: PASSWORD }],
    ['an invalid email', { email: 'not-an-email', password: PASSWORD }],
    ['an email given as a number', { email: 12345, password: PASSWORD }],
    ['a 7-character password', { email: 'a@example.com', password: '1234567' }],
    ['a 1025-character password', { email: 'a@example.com', password: 'x'.repeat(1025) }],
    ['a password given as an object', { email: 'a@example.com', password: { $ne: '' } }],
    ['an unknown field', { email: 'a@example.com', password: PASSWORD, admin: true }],
    ['a JSON array', [{ email: 'a@example.com', password: PASSWORD }]],
  ])('refuses registration with %s (400, nothing stored)', async (_case, body) => {
    const before = (await scanAll(t.documents, t.config.dynamodb.tables.users)).length;
    const call = t.http.post('/api/register');
    const response = await (body === undefined ? call : call.send(body as object)).expect(400);
    expect(response.body).toEqual(expect.objectContaining({ error: expect.any(String), code: 'VALIDATION_FAILED' }));
    expect((await scanAll(t.documents, t.config.dynamodb.tables.users)).length).toBe(before);
  });

  it('refuses malformed JSON, a text/plain body and a huge body with clear 4xx JSON errors', async () => {
    const malformed = await t.http.post('/api/login').set('Content-Type', 'application/json').send('{"email":').expect(400);
    expect(malformed.body.code).toBe('INVALID_JSON');
    const text = await t.http.post('/api/register').set('Content-Type', 'text/plain').send('email=a@b.c').expect(400);
    expect(text.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const huge = await t.http
      .post('/api/register')
      .send({ email: 'big@example.com', password: 'x'.repeat(1024 * 1024) })
      .expect(413);
    expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a login body with a wrong type without trying the password (400)', async () => {
    const response = await t.http
      .post('/api/login')
      .send({ email: ['a@example.com'], password: PASSWORD })
      .expect(400);
    expect(response.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'email' })]));
  });
});
