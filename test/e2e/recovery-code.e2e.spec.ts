import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { PasswordHasher } from '../../src/password-gate/password-hasher';
import { UserKeysService } from '../../src/user-keys/user-keys.service';
import { canonicalRecoveryCode } from '../../src/crypto/recovery-code';
import type { RecoveryWrap } from '../../src/users/user';
import { UsersService } from '../../src/users/users.service';
import { PASSWORD, registerUser, scanAll, startTestApp, TestApp } from '../support/test-app';

const CODE_FORMAT = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){6}$/;

describe('recovery codes (HTTP, DynamoDB Local)', () => {
  let t: TestApp;
  let userKeys: UserKeysService;

  beforeAll(async () => {
    t = await startTestApp();
    userKeys = t.app.get(UserKeysService);
  });
  afterAll(() => t.close());

  const storedUser = async (userId: string) =>
    (await t.documents.send(new GetCommand({ TableName: t.config.dynamodb.tables.users, Key: { user_id: userId } }))).Item as Record<string, unknown>;
  const storedRecovery = async (userId: string): Promise<RecoveryWrap> => (await t.app.get(UsersService).getById(userId)).recovery as RecoveryWrap;
  /** The user key that `code` opens from what is stored now (undefined: it opens nothing). */
  const keyUnder = async (userId: string, code: string) => (await userKeys.openRecovery(userId, await storedRecovery(userId), code))?.get(1);

  it('registration returns the code once; only its salt and the wrapped key are stored, and it opens the user key', async () => {
    const user = await registerUser(t.http);
    const code = user.session.recovery_code as string;
    expect(code).toMatch(CODE_FORMAT);
    const stored = JSON.stringify(await scanAll(t.documents, t.config.dynamodb.tables.users));
    expect(stored).not.toContain(code);
    expect(stored).not.toContain(canonicalRecoveryCode(code));
    const item = await storedUser(user.userId);
    expect(item.recovery).toEqual({
      salt: expect.stringMatching(/^[0-9a-f]{64}$/),
      kdf: expect.objectContaining({ algorithm: 'argon2id' }),
      keys: [{ key_id: 1, wrapped: expect.any(String) }],
    });

    const userKey = await t.client.unlockUserKey(user.session, PASSWORD);
    expect((await keyUnder(user.userId, code))?.equals(userKey)).toBe(true);
    // Typed back in lower case, with spaces instead of hyphens, it still opens the key.
    expect((await keyUnder(user.userId, code.toLowerCase().replace(/-/g, ' ')))?.equals(userKey)).toBe(true);

    const login = await t.http.post('/api/login').send({ email: user.email, password: PASSWORD }).expect(200);
    expect(login.body.recovery_code).toBeUndefined();
    expect(login.body.encryption.key_id).toBe(1);
  });

  it('replacing the code needs the password, and the old code stops opening anything', async () => {
    const user = await registerUser(t.http);
    const old = user.session.recovery_code as string;
    const wrong = await t.http.put('/api/user/recovery-code').set(user.auth).send({ password: 'not-the-password' }).expect(401);
    expect(wrong.body.code).toBe('INVALID_PASSWORD');
    await t.http.put('/api/user/recovery-code').set(user.auth).send({}).expect(400);
    expect(await keyUnder(user.userId, old)).toBeDefined();

    const replaced = await t.http.put('/api/user/recovery-code').set(user.auth).send({ password: PASSWORD }).expect(200);
    expect(replaced.body.recovery_code).toMatch(CODE_FORMAT);
    expect(replaced.body.recovery_code).not.toBe(old);
    const userKey = await t.client.unlockUserKey(user.session, PASSWORD);
    expect((await keyUnder(user.userId, replaced.body.recovery_code))?.equals(userKey)).toBe(true);
    expect(await keyUnder(user.userId, old)).toBeUndefined();
  });

  it('offers an account from before recovery codes a code at its next login, once, even to concurrent logins', async () => {
    const user = await registerUser(t.http);
    await t.documents.send(
      new UpdateCommand({ TableName: t.config.dynamodb.tables.users, Key: { user_id: user.userId }, UpdateExpression: 'REMOVE recovery' }),
    );
    const logins = await Promise.all(
      Array.from({ length: 3 }, () => t.http.post('/api/login').send({ email: user.email, password: PASSWORD }).expect(200)),
    );
    const offered = logins.map((login) => login.body.recovery_code).filter((code): code is string => code !== undefined);
    // However the logins interleave, every code handed out is the stored one: never one that opens nothing.
    expect(offered.length).toBeGreaterThanOrEqual(1);
    expect(new Set(offered).size).toBe(1);
    const userKey = await t.client.unlockUserKey(user.session, PASSWORD);
    expect((await keyUnder(user.userId, offered[0]))?.equals(userKey)).toBe(true);

    const later = await t.http.post('/api/login').send({ email: user.email, password: PASSWORD }).expect(200);
    expect(later.body.recovery_code).toBeUndefined();
  });

  it('derives the code key with the account’s stored KDF parameters (the same cost as passwords)', async () => {
    const user = await registerUser(t.http);
    expect((await storedRecovery(user.userId)).kdf).toEqual(t.app.get(PasswordHasher).currentKdf);
  });
});
