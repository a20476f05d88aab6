import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { createHmac } from 'node:crypto';
import { TOKEN_LIFETIME_ALLOWANCE_SECONDS } from '../../src/auth/access-tokens';
import { registerUser, startTestApp, TestApp } from '../support/test-app';

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Builds a JWT by hand, so tests can craft what a well-behaved signer never would. */
function craftToken(claims: object, secret: string, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const unsigned = `${base64url(header)}.${base64url(claims)}`;
  const signature = header && (header as { alg?: string }).alg === 'none' ? '' : createHmac('sha256', secret).update(unsigned).digest('base64url');
  return `${unsigned}.${signature}`;
}

describe('JWT guard (HTTP, DynamoDB Local)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // No session cache here, so an ended session is refused at once.
    t = await startTestApp({ AUTH_CACHE_TTL_MS: '0' });
  });
  afterAll(() => t.close());

  const secret = () => t.config.jwt.secret;
  const now = () => Math.floor(Date.now() / 1000);
  const standard = () => ({ iss: t.config.jwt.issuer, aud: t.config.jwt.audience, iat: now(), exp: now() + 600 });
  const me = (authorization?: string) => {
    const call = t.http.get('/api/user/me');
    return authorization === undefined ? call : call.set('Authorization', authorization);
  };

  it('accepts its own token', async () => {
    const user = await registerUser(t.http);
    const response = await me(`Bearer ${user.token}`).expect(200);
    expect(response.body.user).toMatchObject({ user_id: user.userId, email: user.email });
  });

  it('refuses a missing header, a token without "Bearer ", and another scheme (401)', async () => {
    const user = await registerUser(t.http);
    const missing = await me().expect(401);
    expect(missing.body.error).toMatch(/Missing bearer token/);
    await me(user.token).expect(401);
    await me(`Basic ${user.token}`).expect(401);
  });

  it('refuses a token whose session has ended (401)', async () => {
    const user = await registerUser(t.http);
    await me(`Bearer ${user.token}`).expect(200);
    await t.documents.send(new DeleteCommand({ TableName: t.config.dynamodb.tables.sessions, Key: { session_id: user.session.session_id } }));
    const response = await me(`Bearer ${user.token}`).expect(401);
    expect(response.body.error).toMatch(/session of this token has ended/);
  });

  it('refuses validly signed tokens without a usable subject or session (401)', async () => {
    const user = await registerUser(t.http);
    const other = await registerUser(t.http);
    const sid = user.session.session_id;
    await me(`Bearer ${craftToken({ ...standard(), sid }, secret())}`).expect(401);
    await me(`Bearer ${craftToken({ ...standard(), sid, sub: 'not-a-uuid' }, secret())}`).expect(401);
    await me(`Bearer ${craftToken({ ...standard(), sid, sub: 42 }, secret())}`).expect(401);
    await me(`Bearer ${craftToken({ ...standard(), sid, sub: user.userId, user_id: other.userId }, secret())}`).expect(401);
    await me(`Bearer ${craftToken({ ...standard(), sub: user.userId }, secret())}`).expect(401);
    // Another user's session id does not work with this user's subject.
    await me(`Bearer ${craftToken({ ...standard(), sub: user.userId, sid: other.session.session_id }, secret())}`).expect(401);
    await me(`Bearer ${craftToken({ ...standard(), sub: user.userId, sid }, secret())}`).expect(200);
  });

  it('accepts the Flask design’s user_id claim when there is no sub', async () => {
    const user = await registerUser(t.http);
    await me(`Bearer ${craftToken({ ...standard(), user_id: user.userId, sid: user.session.session_id }, secret())}`).expect(200);
  });

  it('refuses alg "none", another algorithm, another secret, issuer or audience, and expired tokens (401)', async () => {
    const user = await registerUser(t.http);
    const claims = { ...standard(), sub: user.userId, sid: user.session.session_id };
    await me(`Bearer ${craftToken(claims, secret(), { alg: 'none', typ: 'JWT' })}`).expect(401);
    await me(`Bearer ${craftToken(claims, secret(), { alg: 'HS512', typ: 'JWT' })}`).expect(401);
    await me(`Bearer ${craftToken(claims, 'another-secret-another-secret-another')}`).expect(401);
    await me(`Bearer ${craftToken({ ...claims, iss: 'someone-else' }, secret())}`).expect(401);
    await me(`Bearer ${craftToken({ ...claims, aud: 'another-app' }, secret())}`).expect(401);
    const expired = await me(`Bearer ${craftToken({ ...claims, iat: now() - 7200, exp: now() - 3600 }, secret())}`).expect(401);
    expect(expired.body).toMatchObject({ error: 'Token has expired', code: 'TOKEN_EXPIRED' });
    // Invalid and revoked tokens keep the general code: only expiry tells the client to refresh.
    const forged = await me(`Bearer ${craftToken(claims, 'another-secret-another-secret-another')}`).expect(401);
    expect(forged.body.code).toBe('UNAUTHORIZED');
    await me('Bearer not.a.jwt').expect(401);
    await me(`Bearer ${'x'.repeat(5000)}`).expect(401);
  });

  it('refuses correctly signed tokens without exp, without iat, or living longer than JWT_TTL_SECONDS (401)', async () => {
    const user = await registerUser(t.http);
    const claimsWithout = (claim: 'exp' | 'iat'): Record<string, unknown> => {
      const claims: Record<string, unknown> = { ...standard(), sub: user.userId, sid: user.session.session_id };
      delete claims[claim];
      return claims;
    };
    const withoutExpiry = claimsWithout('exp');
    const withoutIssuedAt = claimsWithout('iat');
    const noExpiry = await me(`Bearer ${craftToken(withoutExpiry, secret())}`).expect(401);
    expect(noExpiry.body).toMatchObject({ code: 'UNAUTHORIZED', error: expect.stringMatching(/no expiry or lives longer/) });
    await me(`Bearer ${craftToken(withoutIssuedAt, secret())}`).expect(401);
    const tenYears = await me(`Bearer ${craftToken({ ...withoutExpiry, exp: now() + 10 * 365 * 24 * 3600 }, secret())}`).expect(401);
    expect(tenYears.body.code).toBe('UNAUTHORIZED');
    const ttl = t.config.jwt.ttlSeconds;
    await me(`Bearer ${craftToken({ ...withoutExpiry, iat: now(), exp: now() + ttl + TOKEN_LIFETIME_ALLOWANCE_SECONDS + 1 }, secret())}`).expect(401);
    await me(`Bearer ${craftToken({ ...withoutExpiry, iat: now(), exp: now() + ttl + TOKEN_LIFETIME_ALLOWANCE_SECONDS }, secret())}`).expect(200);
  });

  it('refuses a correctly signed token that lists critical header extensions (401)', async () => {
    const user = await registerUser(t.http);
    const claims = { ...standard(), sub: user.userId, sid: user.session.session_id };
    const header = JSON.parse(Buffer.from(user.token.split('.')[0], 'base64url').toString()) as object;
    await me(`Bearer ${craftToken(claims, secret(), header)}`).expect(200);
    await me(`Bearer ${craftToken(claims, secret(), { ...header, crit: ['exp'] })}`).expect(401);
    await me(`Bearer ${craftToken(claims, secret(), { ...header, crit: ['b64'], b64: true })}`).expect(401);
  });
});
