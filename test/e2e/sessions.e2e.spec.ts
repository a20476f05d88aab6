import { randomBytes } from 'node:crypto';
import { PASSWORD, registerUser, RegisteredUser, startTestApp, TestApp } from '../support/test-app';

describe('sessions and refresh tokens (HTTP, DynamoDB Local)', () => {
  let t: TestApp;

  // Short enough to wait out, long enough that "at once" stays inside it on a loaded machine.
  const reuseIntervalSeconds = 4;
  const pastReuseInterval = () => new Promise((resolve) => setTimeout(resolve, (reuseIntervalSeconds + 1) * 1000));

  beforeAll(async () => {
    // No session cache: an ended session is refused by the very next request.
    t = await startTestApp({ AUTH_CACHE_TTL_MS: '0', REFRESH_REUSE_INTERVAL_SECONDS: String(reuseIntervalSeconds) });
  });
  afterAll(() => t.close());

  const refresh = (refreshToken: string) => t.http.post('/api/auth/refresh').send({ refresh_token: refreshToken });
  const me = (token: string) => t.http.get('/api/user/me').set('Authorization', `Bearer ${token}`);
  const login = (user: RegisteredUser, userAgent = 'panzoto-android/1.0') =>
    t.http.post('/api/login').set('User-Agent', userAgent).send({ email: user.email, password: PASSWORD }).expect(200);

  it('issues short-lived access tokens with sub, sid, iat, exp, iss and aud', async () => {
    const user = await registerUser(t.http);
    const claims = JSON.parse(Buffer.from(user.token.split('.')[1], 'base64url').toString());
    expect(claims).toEqual({
      sub: user.userId,
      user_id: user.userId,
      sid: user.session.session_id,
      iat: expect.any(Number),
      exp: claims.iat + 900,
      iss: 'panzoto-backend',
      aud: 'panzoto-mobile',
    });
    expect(JSON.parse(Buffer.from(user.token.split('.')[0], 'base64url').toString())).toMatchObject({ alg: 'HS256', kid: expect.any(String) });
  });

  it('rotates the refresh token on every use', async () => {
    const user = await registerUser(t.http);
    const first = await refresh(user.session.refresh_token).expect(200);
    expect(first.body).toEqual({
      token: expect.any(String),
      refresh_token: expect.any(String),
      expires_in: 900,
      session_id: user.session.session_id,
    });
    expect(first.body.refresh_token).not.toBe(user.session.refresh_token);
    await me(first.body.token).expect(200);
    const second = await refresh(first.body.refresh_token).expect(200);
    await me(second.body.token).expect(200);
  });

  it('ends the whole session when an already-used refresh token comes back after the reuse interval', async () => {
    const user = await registerUser(t.http);
    const first = await refresh(user.session.refresh_token).expect(200);
    const second = await refresh(first.body.refresh_token).expect(200);
    // Within the interval an older used token is refused, and the session stays.
    await refresh(user.session.refresh_token).expect(401);
    await me(second.body.token).expect(200);
    await pastReuseInterval();
    const replay = await refresh(user.session.refresh_token).expect(401);
    expect(replay.body.code).toBe('UNAUTHORIZED');
    await refresh(second.body.refresh_token).expect(401);
    await me(second.body.token).expect(401);
    await me(user.token).expect(401);
  });

  it('repeats a refresh whose response was lost: the same token at once gets the current pair, which keeps working', async () => {
    const user = await registerUser(t.http);
    const lost = await refresh(user.session.refresh_token).expect(200);
    const retried = await refresh(user.session.refresh_token).expect(200);
    expect(retried.body).toMatchObject({ session_id: user.session.session_id, refresh_token: lost.body.refresh_token, expires_in: 900 });
    await me(retried.body.token).expect(200);
    const next = await refresh(retried.body.refresh_token).expect(200);
    await me(next.body.token).expect(200);
    await refresh(next.body.refresh_token).expect(200);
  });

  it('ends the session when the token of a lost response comes back after the reuse interval', async () => {
    const user = await registerUser(t.http);
    const lost = await refresh(user.session.refresh_token).expect(200);
    await refresh(user.session.refresh_token).expect(200);
    await pastReuseInterval();
    await refresh(user.session.refresh_token).expect(401);
    await me(lost.body.token).expect(401);
    await refresh(lost.body.refresh_token).expect(401);
  });

  it('gives every one of simultaneous refreshes with the same token the same new refresh token, and keeps the session', async () => {
    for (let round = 0; round < 5; round++) {
      const user = await registerUser(t.http);
      const results = await Promise.all([0, 1, 2].map(() => refresh(user.session.refresh_token)));
      expect(results.map((result) => result.status)).toEqual([200, 200, 200]);
      expect(new Set(results.map((result) => result.body.refresh_token)).size).toBe(1);
      for (const result of results) await me(result.body.token).expect(200);
      const next = await refresh(results[0].body.refresh_token).expect(200);
      await me(next.body.token).expect(200);
    }
  });

  it('refuses forged and malformed refresh tokens (401/400)', async () => {
    const user = await registerUser(t.http);
    await refresh(`${user.session.session_id}.${randomBytes(32).toString('base64url')}`).expect(401);
    await refresh(`00000000-0000-4000-8000-000000000000.${randomBytes(32).toString('base64url')}`).expect(401);
    await refresh('not a token').expect(400);
    await t.http.post('/api/auth/refresh').send({}).expect(400);
    // The forged attempt did not end the real session.
    await refresh(user.session.refresh_token).expect(200);
  });

  it('logout ends this session at once: refresh token and access token', async () => {
    const user = await registerUser(t.http);
    const other = await login(user);
    await t.http.post('/api/logout').set(user.auth).expect(204);
    await refresh(user.session.refresh_token).expect(401);
    await me(user.token).expect(401);
    await me(other.body.token).expect(200);
  });

  it('logout-all ends every session and every refresh token', async () => {
    const user = await registerUser(t.http);
    const phone = await login(user);
    const tablet = await login(user);
    await t.http.post('/api/logout-all').set('Authorization', `Bearer ${phone.body.token}`).expect(204);
    for (const refreshToken of [user.session.refresh_token, phone.body.refresh_token, tablet.body.refresh_token]) {
      await refresh(refreshToken).expect(401);
    }
    await me(tablet.body.token).expect(401);
  });

  it('lists the account’s sessions with their device, and ends one by id', async () => {
    const user = await registerUser(t.http);
    const phone = await login(user, 'panzoto-ios/2.3');
    const list = await t.http.get('/api/sessions').set('Authorization', `Bearer ${phone.body.token}`).expect(200);
    expect(list.body.sessions).toHaveLength(2);
    expect(list.body.sessions).toContainEqual(
      expect.objectContaining({ session_id: phone.body.session_id, user_agent: 'panzoto-ios/2.3', current: true, last_used_at: expect.any(String) }),
    );
    expect(list.body.sessions).toContainEqual(expect.objectContaining({ session_id: user.session.session_id, current: false }));
    const stranger = await registerUser(t.http);
    await t.http.delete(`/api/sessions/${user.session.session_id}`).set(stranger.auth).expect(404);
    await t.http.delete(`/api/sessions/${user.session.session_id}`).set('Authorization', `Bearer ${phone.body.token}`).expect(204);
    await refresh(user.session.refresh_token).expect(401);
    await t.http.delete(`/api/sessions/${user.session.session_id}`).set('Authorization', `Bearer ${phone.body.token}`).expect(404);
    await t.http.delete('/api/sessions/abc').set('Authorization', `Bearer ${phone.body.token}`).expect(400);
  });
});
