import { JwtService } from '@nestjs/jwt';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { jwtOptions } from '../../src/auth/auth.module';
import { newAccountToken } from '../../src/recovery/account-tokens/account-token';
import { AccountTokensRepository } from '../../src/recovery/account-tokens/account-tokens.repository';
import { UsersService } from '../../src/users/users.service';
import { DynamoDbCall, DynamoDbFaultProxy } from '../support/dynamodb-fault-proxy';
import { PASSWORD, registerUser, startAnotherInstance, startTestApp, TestApp } from '../support/test-app';

const UPLOAD_URL = '/api/audio-files/upload-url';
const LIST = '/api/user/audio-files';
const NEW_PASSWORD = 'A-Brand-New-Passphrase-42';

describe('the caches of AUTH_CACHE_TTL_MS, the guard’s session check and the list’s open key ids (HTTP, DynamoDB Local behind a counting proxy)', () => {
  let proxy: DynamoDbFaultProxy;
  let t: TestApp;
  const calls: DynamoDbCall[] = [];
  /** The guard's reads: the route itself reads only the user item. */
  const sessionReads = (): DynamoDbCall[] => calls.filter((call) => call.body.TableName === t.config.dynamodb.tables.sessions);

  beforeAll(async () => {
    proxy = new DynamoDbFaultProxy(process.env.DYNAMODB_ENDPOINT as string);
    t = await startTestApp({ DYNAMODB_ENDPOINT: await proxy.start(), AUTH_CACHE_TTL_MS: '60000' });
  });
  beforeEach(() => {
    calls.length = 0;
    proxy.arm((call) => {
      calls.push(call);
      return false;
    });
  });
  afterEach(() => proxy.disarm());
  afterAll(async () => {
    await t.close();
    await proxy.stop();
  });

  it('makes no DynamoDB call for a request whose session is cached', async () => {
    const user = await registerUser(t.http);
    calls.length = 0;
    for (let i = 0; i < 5; i++) await t.http.post(UPLOAD_URL).set(user.auth).send({ file_size: 1024 }).expect(201);
    expect(calls.length).toBeGreaterThan(0);
    expect(sessionReads()).toEqual([]);
  });

  it('lists files with one DynamoDB call, the Query, once the session and the open key ids are cached', async () => {
    const user = await registerUser(t.http);
    await t.http.get(LIST).set(user.auth).expect(200);
    calls.length = 0;
    await t.http.get(LIST).set(user.auth).expect(200);
    expect(calls.map((call) => [call.operation, call.body.TableName])).toEqual([['Query', t.config.dynamodb.tables.audioFiles]]);
  });

  it('checks a token’s signature once, yet refuses it as expired the second it expires (401 TOKEN_EXPIRED)', async () => {
    const user = await registerUser(t.http);
    const { sub, sid } = JSON.parse(Buffer.from(user.token.split('.')[1], 'base64url').toString()) as { sub: string; sid: string };
    const shortLived = new JwtService(jwtOptions(t.config)).sign({ sub, sid }, { expiresIn: 2 });
    const { exp } = JSON.parse(Buffer.from(shortLived.split('.')[1], 'base64url').toString()) as { exp: number };
    await t.http.get('/api/user/me').set('Authorization', `Bearer ${shortLived}`).expect(200);
    await t.http.get('/api/user/me').set('Authorization', `Bearer ${shortLived}`).expect(200);

    await sleep(exp * 1000 - Date.now() + 10);
    const expired = await t.http.get('/api/user/me').set('Authorization', `Bearer ${shortLived}`).expect(401);
    expect(expired.body).toMatchObject({ error: 'Token has expired', code: 'TOKEN_EXPIRED' });
  });

  it('reads the session once on an instance that has not cached it, however many requests arrive at once', async () => {
    const user = await registerUser(t.http);
    const other = await startAnotherInstance();
    try {
      calls.length = 0;
      const responses = await Promise.all(Array.from({ length: 8 }, () => other.http.post(UPLOAD_URL).set(user.auth).send({ file_size: 1024 })));
      expect(responses.map((response) => response.status)).toEqual(Array(8).fill(201));
      await other.http.post(UPLOAD_URL).set(user.auth).send({ file_size: 1024 }).expect(201);
      expect(sessionReads().map((call) => call.operation)).toEqual(['GetItem']);
    } finally {
      await other.close();
    }
  });

  it('lists a reset as locked at once on its instance and within AUTH_CACHE_TTL_MS on others, whose decryption reads afresh (423)', async () => {
    const user = await registerUser(t.http);
    const file = await t.client.uploadRecording(user.session, await t.client.unlockUserKey(user.session, PASSWORD), { data: randomBytes(1000) });
    const other = await startAnotherInstance();
    try {
      await other.http.get(LIST).set(user.auth).expect(200);
      const { keyringVersion } = await t.app.get(UsersService).getById(user.userId);
      const { token, stored } = newAccountToken({ purpose: 'password-reset', userId: user.userId, email: user.email, keyringVersion });
      await t.app.get(AccountTokensRepository).save(stored);
      await t.http.post('/api/auth/reset-password').send({ token, new_password: NEW_PASSWORD }).expect(200);
      const signedIn = await t.http.post('/api/login').send({ email: user.email, password: NEW_PASSWORD }).expect(200);
      const auth = { Authorization: `Bearer ${signedIn.body.token}` };
      const lockedFlags = async (http: TestApp['http']) =>
        (await http.get(LIST).set(auth).expect(200)).body.audio_files.map((listed: { locked: boolean }) => listed.locked);

      expect(await lockedFlags(t.http)).toEqual([true]);
      // The other instance still lists what it read before the reset, until its cache entry expires.
      expect(await lockedFlags(other.http)).toEqual([false]);
      const decrypted = await other.http.post('/api/decrypt-audio?mode=stream').set(auth).send({ password: NEW_PASSWORD, file_id: file.file_id });
      expect(decrypted.status).toBe(423);
    } finally {
      await other.close();
    }
  });
});
