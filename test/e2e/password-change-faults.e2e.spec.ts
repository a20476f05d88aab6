import { DynamoDbFaultProxy } from '../support/dynamodb-fault-proxy';
import { PASSWORD, registerUser, startTestApp, TestApp } from '../support/test-app';

const NEW_PASSWORD = 'AnotherSecurePassword456!';

describe('password change with DynamoDB failing after a chosen write (HTTP, DynamoDB Local behind a fault proxy)', () => {
  let proxy: DynamoDbFaultProxy;
  let t: TestApp;

  beforeAll(async () => {
    proxy = new DynamoDbFaultProxy(process.env.DYNAMODB_ENDPOINT as string);
    // Sessions are read on every request, so an ended one is refused at once.
    t = await startTestApp({ DYNAMODB_ENDPOINT: await proxy.start(), AUTH_CACHE_TTL_MS: '0', DYNAMODB_MAX_ATTEMPTS: '2' });
  });
  afterEach(() => proxy.disarm());
  afterAll(async () => {
    await t.close();
    await proxy.stop();
  });

  /** The account, signed in on the caller's device and on another one (a thief's, say). */
  async function signedInTwice() {
    const user = await registerUser(t.http);
    const other = await t.http.post('/api/login').send({ email: user.email, password: PASSWORD }).expect(200);
    const change = () => t.http.put('/api/user/password').set(user.auth).send({ current_password: PASSWORD, new_password: NEW_PASSWORD });
    const signsIn = async (password: string) => (await t.http.post('/api/login').send({ email: user.email, password })).status === 200;
    return { user, other: other.body as { token: string; refresh_token: string }, change, signsIn };
  }

  it('has ended every other session when it fails after the new credentials were written', async () => {
    const { other, change, signsIn } = await signedInTwice();
    proxy.arm(({ operation, body }) => operation === 'UpdateItem' && String(body.UpdateExpression).includes('password_hash'));
    const response = await change();
    expect(proxy.triggered).toBe(true);
    expect(response.status).toBe(503);
    proxy.disarm();
    expect(await signsIn(NEW_PASSWORD)).toBe(true);
    await t.http.post('/api/auth/refresh').send({ refresh_token: other.refresh_token }).expect(401);
    await t.http.get('/api/user/me').set('Authorization', `Bearer ${other.token}`).expect(401);
  });

  it('keeps the old password when it fails while ending the other sessions', async () => {
    const { other, change, signsIn } = await signedInTwice();
    proxy.arm(({ operation, body }) => operation === 'Query' && body.IndexName === 'user-sessions-index');
    const response = await change();
    expect(proxy.triggered).toBe(true);
    expect(response.status).toBe(503);
    proxy.disarm();
    expect(await signsIn(PASSWORD)).toBe(true);
    expect(await signsIn(NEW_PASSWORD)).toBe(false);
    await t.http.get('/api/user/me').set('Authorization', `Bearer ${other.token}`).expect(200);
  });
});
