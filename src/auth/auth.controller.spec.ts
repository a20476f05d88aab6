import { randomUUID } from 'node:crypto';
import { controllerSpec } from '../../test/support/controller-app';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { mapAuthResponse, mapTokenPair } from './dto/auth-response.dto';
import type { User } from '../users/user';

const CALLER = '3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11';

describe('AuthController (HTTP pipeline, service faked)', () => {
  const app = controllerSpec(AuthController, [AuthService]);
  const service = app.get(AuthService);
  const issued = { accessToken: 'access', refreshToken: `${CALLER}.${'r'.repeat(43)}`, expiresInSeconds: 900, sessionId: CALLER };
  const tokens = mapTokenPair(issued);
  const userKey = {
    wrapped: 'd3JhcHBlZA==',
    kdf: { algorithm: 'argon2id', version: 19, memory_kib: 19456, iterations: 2, parallelism: 1, key_length: 32 },
  } as const;
  const user = { id: CALLER, email: 'a@example.com', keySalt: 'ab'.repeat(32), keyId: 1, createdAt: new Date('2026-11-25T10:00:00.000Z') } as User;
  const signedInAs = { user, userKey, tokens: issued };
  const signedIn = mapAuthResponse(signedInAs);

  it('registers without a token (201) with the normalised email, the client, and the service’s answer as the body', async () => {
    service.register.mockResolvedValue(signedInAs);
    const response = await app
      .http()
      .post('/api/register')
      .set('User-Agent', 'jest-app')
      .send({ email: ' A@Example.COM ', password: 'long enough password' })
      .expect(201);
    expect(response.body).toEqual(signedIn);
    expect(service.register).toHaveBeenCalledWith(
      { email: 'a@example.com', password: 'long enough password' },
      expect.objectContaining({ ip: expect.any(String), userAgent: 'jest-app' }),
    );
  });

  it('logs in with 200 (not 201) and passes the failure of a wrong password on as a 401 envelope', async () => {
    service.login.mockResolvedValue(signedInAs);
    await app.http().post('/api/login').send({ email: 'a@example.com', password: 'x' }).expect(200, signedIn);
    service.login.mockRejectedValue(ApiException.unauthorized('Invalid email or password', ErrorCode.INVALID_CREDENTIALS));
    const response = await app.http().post('/api/login').send({ email: 'a@example.com', password: 'y' }).expect(401);
    expect(response.body).toEqual({ error: 'Invalid email or password', code: 'INVALID_CREDENTIALS', request_id: expect.any(String) });
  });

  it.each([
    ['/api/register', { email: 'a@example.com', password: 'short' }, 'password'],
    ['/api/register', { email: 'not an email', password: 'long enough password' }, 'email'],
    ['/api/register', { email: 'a@example.com', password: 'long enough password', admin: true }, 'admin'],
    ['/api/login', { email: 'a@example.com', password: 42 }, 'password'],
    ['/api/login', { password: 'long enough password' }, 'email'],
    ['/api/auth/refresh', { refresh_token: 'not-a-refresh-token' }, 'refresh_token'],
  ])('refuses POST %s %j with 400 naming %s, without calling the service', async (path, body, field) => {
    const response = await app.http().post(path).send(body).expect(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field })], request_id: expect.any(String) });
    expect(service.register).not.toHaveBeenCalled();
    expect(service.login).not.toHaveBeenCalled();
    expect(service.refresh).not.toHaveBeenCalled();
  });

  it('exchanges a refresh token without an access token (200)', async () => {
    service.refresh.mockResolvedValue(issued);
    await app.http().post('/api/auth/refresh').send({ refresh_token: tokens.refresh_token }).expect(200, tokens);
    expect(service.refresh).toHaveBeenCalledWith(tokens.refresh_token, expect.objectContaining({ ip: expect.any(String) }));
  });

  it('logs out the caller’s own session, or all of them (204), and only with a token', async () => {
    const sessionId = randomUUID();
    const logout = await app.http().post('/api/logout').set(app.bearer(CALLER, sessionId)).expect(204);
    expect(logout.text).toBe('');
    expect(service.logout).toHaveBeenCalledWith({ userId: CALLER, sessionId });
    await app.http().post('/api/logout-all').set(app.bearer(CALLER, sessionId)).expect(204);
    expect(service.logoutEverywhere).toHaveBeenCalledWith({ userId: CALLER, sessionId });
    await app.http().post('/api/logout').expect(401);
    await app.http().post('/api/logout-all').expect(401);
    expect(service.logout).toHaveBeenCalledTimes(1);
    expect(service.logoutEverywhere).toHaveBeenCalledTimes(1);
  });

  it('answers a rate-limited attempt with 429, Retry-After and the envelope', async () => {
    service.login.mockRejectedValue(ApiException.tooManyRequests(42));
    const response = await app.http().post('/api/login').send({ email: 'a@example.com', password: 'x' }).expect(429);
    expect(response.headers['retry-after']).toBe('42');
    expect(response.body).toMatchObject({ code: 'TOO_MANY_REQUESTS', request_id: expect.any(String) });
  });
});
