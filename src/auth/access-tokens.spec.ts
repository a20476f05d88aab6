import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { testConfig } from '../../test/fakes/config';
import type { SessionsService } from '../sessions/sessions.service';
import { AccessTokens } from './access-tokens';
import { jwtOptions } from './auth.module';
import { TokenKeys } from './token-keys';

describe('AccessTokens: the verified-token cache', () => {
  const T0 = new Date('2026-12-02T12:00:00Z').getTime();
  const userId = randomUUID();
  const sessionId = randomUUID();
  let jwt: JwtService;
  let verify: jest.SpyInstance;
  let sessionActive: boolean;
  let isActive: jest.Mock<Promise<boolean>, [string, string]>;

  function accessTokens(cacheTtlMs: string): AccessTokens {
    const config = testConfig({ AUTH_CACHE_TTL_MS: cacheTtlMs, JWT_TTL_SECONDS: '900' });
    jwt = new JwtService(jwtOptions(config));
    verify = jest.spyOn(jwt, 'verify');
    isActive = jest.fn((sid: string, sub: string) => Promise.resolve(sessionActive && sid === sessionId && sub === userId));
    return new AccessTokens(config, new TokenKeys(config.jwt), jwt, { isActive } as unknown as SessionsService);
  }
  const bearer = (token: string): string => `Bearer ${token}`;
  const sign = (): string => jwt.sign({ sub: userId, sid: sessionId });

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    sessionActive = true;
  });
  afterEach(() => jest.useRealTimers());

  it('checks a token’s signature once while it is cached, and still asks for its session every time', async () => {
    const tokens = accessTokens('5000');
    const token = sign();

    for (let i = 0; i < 3; i++) await expect(tokens.authenticate(bearer(token))).resolves.toEqual({ userId, sessionId });
    expect(verify).toHaveBeenCalledTimes(1);
    expect(isActive).toHaveBeenCalledTimes(3);

    jest.setSystemTime(T0 + 5001);
    await tokens.authenticate(bearer(token));
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('refuses a cached token once it expires, as an expired token (TOKEN_EXPIRED)', async () => {
    const tokens = accessTokens('60000');
    const token = jwt.sign({ sub: userId, sid: sessionId }, { expiresIn: 30 });
    await tokens.authenticate(bearer(token));

    jest.setSystemTime(T0 + 29_999);
    await expect(tokens.authenticate(bearer(token))).resolves.toEqual({ userId, sessionId });
    expect(verify).toHaveBeenCalledTimes(1);
    jest.setSystemTime(T0 + 30_000);
    await expect(tokens.authenticate(bearer(token))).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
  });

  it('caches by the exact token: another signature on the same claims is checked, and refused', async () => {
    const tokens = accessTokens('5000');
    const token = sign();
    await tokens.authenticate(bearer(token));
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;

    await expect(tokens.authenticate(bearer(forged))).rejects.toMatchObject({ code: 'UNAUTHORIZED', response: { error: 'Token is invalid' } });
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('refuses a cached token whose session has ended', async () => {
    const tokens = accessTokens('5000');
    const token = sign();
    await tokens.authenticate(bearer(token));
    sessionActive = false;

    await expect(tokens.authenticate(bearer(token))).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      response: { error: 'The session of this token has ended: sign in again' },
    });
  });

  it('checks every time when AUTH_CACHE_TTL_MS is 0', async () => {
    const tokens = accessTokens('0');
    const token = sign();
    await tokens.authenticate(bearer(token));
    await tokens.authenticate(bearer(token));
    expect(verify).toHaveBeenCalledTimes(2);
  });
});
