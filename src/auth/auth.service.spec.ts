import { JwtService } from '@nestjs/jwt';
import { FakeRepositories, newTestService } from '../../test/support/test-service';
import { AppConfig } from '../config/app-config';
import { ApiException } from '../common/errors/api.exception';
import { UsersService } from '../users/users.service';
import { AuthService } from './auth.service';
import { PasswordHasher } from '../password-gate/password-hasher';
import { mapAuthResponse } from './dto/auth-response.dto';
import { unwrapUserKey } from '../crypto/user-key';

describe('AuthService (repositories faked)', () => {
  let config: AppConfig;
  let repository: FakeRepositories['users'];
  let sessions: FakeRepositories['sessions'];
  let hasher: PasswordHasher;
  let jwt: JwtService;
  let auth: AuthService;

  const client = { ip: '203.0.113.7', userAgent: 'jest' };

  beforeEach(async () => {
    const built = await newTestService(AuthService);
    ({
      sut: auth,
      config,
      repositories: { users: repository, sessions },
    } = built);
    [hasher, jwt] = [built.get(PasswordHasher), built.get(JwtService)];
  });

  it('registers: hashes the password, makes a 32-byte key salt, signs a token for the new user', async () => {
    const result = mapAuthResponse(await auth.register({ email: 'a@example.com', password: 'long enough password' }, client));
    const stored = repository.users.get(result.user_id);
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(stored?.passwordHash).not.toContain('long enough password');
    expect(result.key_salt).toMatch(/^[0-9a-f]{64}$/);
    expect(jwt.verify(result.token)).toMatchObject({
      sub: result.user_id,
      user_id: result.user_id,
      sid: result.session_id,
      iss: config.jwt.issuer,
      aud: config.jwt.audience,
    });
    expect(result.refresh_token).toMatch(new RegExp(`^${result.session_id}\\.[A-Za-z0-9_-]{43}$`));
    expect(sessions.sessions.get(result.session_id)?.refreshHash).not.toContain(result.refresh_token.split('.')[1]);
  });

  it('makes a different key salt for every account', async () => {
    const first = mapAuthResponse(await auth.register({ email: 'a@example.com', password: 'long enough password' }, client));
    const second = mapAuthResponse(await auth.register({ email: 'b@example.com', password: 'long enough password' }, client));
    expect(first.key_salt).not.toBe(second.key_salt);
  });

  it('turns a taken email into 409 EMAIL_TAKEN', async () => {
    await auth.register({ email: 'a@example.com', password: 'long enough password' }, client);
    const attempt = auth.register({ email: 'a@example.com', password: 'another password' }, client);
    await expect(attempt).rejects.toBeInstanceOf(ApiException);
    await expect(attempt).rejects.toMatchObject({ status: 409, code: 'EMAIL_TAKEN' });
  });

  it('logs in with the right password', async () => {
    const registered = mapAuthResponse(await auth.register({ email: 'a@example.com', password: 'long enough password' }, client));
    const result = mapAuthResponse(await auth.login({ email: 'a@example.com', password: 'long enough password' }, client));
    expect(result).toMatchObject({ user_id: registered.user_id, key_salt: registered.key_salt, user: registered.user });
  });

  it('refuses a wrong password and an unknown email alike, running a full verification for both', async () => {
    await auth.register({ email: 'a@example.com', password: 'long enough password' }, client);
    const verify = jest.spyOn(hasher, 'verify');
    const wrong = auth.login({ email: 'a@example.com', password: 'wrong password' }, client);
    const unknown = auth.login({ email: 'nobody@example.com', password: 'long enough password' }, client);
    await expect(wrong).rejects.toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS', message: 'Invalid email or password' });
    await expect(unknown).rejects.toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS', message: 'Invalid email or password' });
    expect(verify).toHaveBeenCalledTimes(2);
    expect(verify).toHaveBeenCalledWith(undefined, 'long enough password');
  });

  it('wraps a fresh 32-byte user key under Argon2id(password, key_salt), separate from the login hash', async () => {
    const result = mapAuthResponse(await auth.register({ email: 'a@example.com', password: 'long enough password' }, client));
    const stored = repository.users.get(result.user_id);
    expect(result.encryption).toMatchObject({
      format: 'tink/aes-gcm-hkdf-streaming',
      key_salt: result.key_salt,
      kdf: { algorithm: 'argon2id', version: 19, memory_kib: 19456, iterations: 2, parallelism: 1, key_length: 32 },
      wrapped_user_key: stored?.userKey?.wrapped,
      key_wrapping: { algorithm: 'AES-256-GCM', associated_data: `panzoto/user-key/v1:${result.user_id}` },
    });
    const kek = await hasher.deriveKey('long enough password', Buffer.from(result.key_salt, 'hex'), result.encryption.kdf);
    expect(unwrapUserKey(kek, result.encryption.wrapped_user_key, result.user_id)).toHaveLength(32);
    const wrongKek = await hasher.deriveKey('wrong password!!', Buffer.from(result.key_salt, 'hex'), result.encryption.kdf);
    expect(unwrapUserKey(wrongKek, result.encryption.wrapped_user_key, result.user_id)).toBeUndefined();
    // The login hash has its own random salt: the key salt never appears in it.
    const hashSalt = Buffer.from((stored?.passwordHash as string).split('$')[4], 'base64');
    expect(hashSalt.equals(Buffer.from(result.key_salt, 'hex').subarray(0, hashSalt.length))).toBe(false);
  });

  it('gives a migrated account its user key at first login, and the same one afterwards', async () => {
    const registered = mapAuthResponse(await auth.register({ email: 'a@example.com', password: 'long enough password' }, client));
    const user = repository.users.get(registered.user_id) as NonNullable<ReturnType<typeof repository.users.get>>;
    delete user.userKey;
    const first = mapAuthResponse(await auth.login({ email: 'a@example.com', password: 'long enough password' }, client));
    const second = mapAuthResponse(await auth.login({ email: 'a@example.com', password: 'long enough password' }, client));
    expect(first.encryption.wrapped_user_key).toEqual(expect.any(String));
    expect(second.encryption.wrapped_user_key).toBe(first.encryption.wrapped_user_key);
  });

  it('re-wraps the same user key when the KDF parameters were raised', async () => {
    const registered = mapAuthResponse(await auth.register({ email: 'a@example.com', password: 'long enough password' }, client));
    const { sut: upgraded, get } = await newTestService(AuthService, {
      env: { ARGON2_TIME_COST: '3' },
      repositories: { users: repository, sessions },
    });
    const [users, stronger] = [get(UsersService), get(PasswordHasher)];
    const result = mapAuthResponse(await upgraded.login({ email: 'a@example.com', password: 'long enough password' }, client));
    expect(result.encryption.kdf.iterations).toBe(3);
    // The login hash is upgraded too (needsRehash), and still verifies.
    expect(repository.users.get(registered.user_id)?.passwordHash).toMatch(/\$m=19456,t=3,p=1\$/);
    await upgraded.login({ email: 'a@example.com', password: 'long enough password' }, client);
    const unwrap = async (withHasher: PasswordHasher, wrapped: string, kdf: typeof registered.encryption.kdf) =>
      unwrapUserKey(await withHasher.deriveKey('long enough password', Buffer.from(registered.key_salt, 'hex'), kdf), wrapped, registered.user_id);
    const before = await unwrap(hasher, registered.encryption.wrapped_user_key, registered.encryption.kdf);
    const stored = (await users.getById(registered.user_id)).userKey as NonNullable<Awaited<ReturnType<typeof users.getById>>['userKey']>;
    const after = await unwrap(stronger, stored.wrapped, stored.kdf);
    expect(after?.equals(before as Buffer)).toBe(true);
  });
});
