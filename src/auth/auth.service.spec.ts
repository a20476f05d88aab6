import { JwtService } from '@nestjs/jwt';
import { InMemoryUsersRepository } from '../../test/fakes/in-memory-users.repository';
import { testConfig } from '../../test/fakes/config';
import { ApiException } from '../common/errors/api.exception';
import { UsersService } from '../users/users.service';
import { AuthService } from './auth.service';
import { PasswordHasher } from './password-hasher';

describe('AuthService (repositories faked)', () => {
  const config = testConfig();
  let repository: InMemoryUsersRepository;
  let hasher: PasswordHasher;
  let jwt: JwtService;
  let auth: AuthService;

  beforeAll(async () => {
    hasher = new PasswordHasher(config);
    await hasher.onModuleInit();
  });

  beforeEach(() => {
    repository = new InMemoryUsersRepository();
    jwt = new JwtService({ secret: config.jwt.secret, signOptions: { algorithm: 'HS256', expiresIn: 60, issuer: 'i', audience: 'a' } });
    auth = new AuthService(new UsersService(repository, config), hasher, jwt);
  });

  it('registers: hashes the password, makes a 32-byte key salt, signs a token for the new user', async () => {
    const result = await auth.register({ email: 'a@example.com', password: 'long enough password' });
    const stored = repository.users.get(result.user_id);
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(stored?.passwordHash).not.toContain('long enough password');
    expect(result.key_salt).toMatch(/^[0-9a-f]{64}$/);
    expect(jwt.verify(result.token)).toMatchObject({ sub: result.user_id, user_id: result.user_id, iss: 'i', aud: 'a' });
  });

  it('makes a different key salt for every account', async () => {
    const first = await auth.register({ email: 'a@example.com', password: 'long enough password' });
    const second = await auth.register({ email: 'b@example.com', password: 'long enough password' });
    expect(first.key_salt).not.toBe(second.key_salt);
  });

  it('turns a taken email into 409 EMAIL_TAKEN', async () => {
    await auth.register({ email: 'a@example.com', password: 'long enough password' });
    const attempt = auth.register({ email: 'a@example.com', password: 'another password' });
    await expect(attempt).rejects.toBeInstanceOf(ApiException);
    await expect(attempt).rejects.toMatchObject({ status: 409, code: 'EMAIL_TAKEN' });
  });

  it('logs in with the right password', async () => {
    const registered = await auth.register({ email: 'a@example.com', password: 'long enough password' });
    const result = await auth.login({ email: 'a@example.com', password: 'long enough password' });
    expect(result).toMatchObject({ user_id: registered.user_id, key_salt: registered.key_salt, user: registered.user });
  });

  it('refuses a wrong password and an unknown email alike, running a full verification for both', async () => {
    await auth.register({ email: 'a@example.com', password: 'long enough password' });
    const verify = jest.spyOn(hasher, 'verify');
    const wrong = auth.login({ email: 'a@example.com', password: 'wrong password' });
    const unknown = auth.login({ email: 'nobody@example.com', password: 'long enough password' });
    await expect(wrong).rejects.toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS', message: 'Invalid email or password' });
    await expect(unknown).rejects.toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS', message: 'Invalid email or password' });
    expect(verify).toHaveBeenCalledTimes(2);
    expect(verify).toHaveBeenCalledWith(undefined, 'long enough password');
  });
});
