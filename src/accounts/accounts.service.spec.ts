import type { EmailVerificationService } from '../auth/email-verification/email-verification.service';
import { RateLimiter } from '../auth/rate-limits/rate-limiter.service';
import { InMemoryRateLimitsRepository } from '../../test/fakes/in-memory-auth';
import { randomBytes, randomUUID } from 'node:crypto';
import { testConfig } from '../../test/fakes/config';
import { InMemoryAudioFilesRepository } from '../../test/fakes/in-memory-audio-files.repository';
import { inMemoryPasswordGate, InMemorySessionsRepository } from '../../test/fakes/in-memory-auth';
import { InMemoryDecryptJobs } from '../../test/fakes/in-memory-decrypt-jobs';
import { InMemoryObjectStorage } from '../../test/fakes/in-memory-object-storage';
import { InMemoryUsersRepository } from '../../test/fakes/in-memory-users.repository';
import { AudioFilesService } from '../audio-files/audio-files.service';
import { PasswordHasher } from '../auth/password-hasher';
import { SessionsService } from '../auth/sessions/sessions.service';
import { UserKeysService } from '../auth/user-keys.service';
import { DependencyUnavailableError } from '../common/errors/domain.errors';
import { DecryptService } from '../decrypt/decrypt.service';
import type { Keyring } from '../users/user';
import { UsersService } from '../users/users.service';
import { AccountsService } from './accounts.service';

/** Commits the credentials, then fails as a lost DynamoDB response would. */
class CredentialsCommitThenFail extends InMemoryUsersRepository {
  override async saveKeyring(userId: string, keyring: Keyring, expectedVersion: number): Promise<boolean> {
    await super.saveKeyring(userId, keyring, expectedVersion);
    throw new DependencyUnavailableError('DynamoDB', new Error('connection reset after the write'));
  }
}

/** Ends sessions until DynamoDB goes away. */
class SessionsFailingToEnd extends InMemorySessionsRepository {
  override async delete(): Promise<boolean> {
    throw new DependencyUnavailableError('DynamoDB', new Error('connection refused'));
  }
}

describe('AccountsService password change under faults (repositories faked)', () => {
  const config = testConfig();
  const client = { ip: '203.0.113.7' };
  const oldPassword = 'the old password';
  const newPassword = 'the new password';
  let hasher: PasswordHasher;

  beforeAll(async () => {
    hasher = new PasswordHasher(config);
    await hasher.onModuleInit();
  });

  /** An account with three sessions (the caller's and two others) over the given repositories. */
  async function setUp(usersRepository: InMemoryUsersRepository, sessionsRepository: InMemorySessionsRepository) {
    const users = new UsersService(usersRepository);
    const gate = inMemoryPasswordGate(config, hasher);
    const userKeys = new UserKeysService(hasher, users, gate);
    const sessions = new SessionsService(sessionsRepository, config);
    const storage = new InMemoryObjectStorage();
    const audioFiles = new AudioFilesService(new InMemoryAudioFilesRepository(), storage, users, config);
    const accounts = new AccountsService(
      users,
      hasher,
      gate,
      userKeys,
      sessions,
      audioFiles,
      new DecryptService(userKeys, audioFiles, storage, new InMemoryDecryptJobs(), config),
      {} as EmailVerificationService,
      new RateLimiter(new InMemoryRateLimitsRepository(), config),
    );
    const id = randomUUID();
    const keySalt = randomBytes(32).toString('hex');
    await users.create({ id, email: 'a@example.com', passwordHash: await hasher.hash(oldPassword), keySalt, userKey: await userKeys.create(id, oldPassword, keySalt) });
    const [caller, ...others] = await Promise.all([0, 1, 2].map(() => sessions.start(id, 'jest')));
    const change = () => accounts.changePassword({ userId: id, sessionId: caller.session.id }, { current_password: oldPassword, new_password: newPassword }, client);
    const opens = (password: string) => userKeys.open({ action: 'decrypt', account: id, client }, password).then(() => true, () => false);
    return { id, caller, others, change, opens, users };
  }

  it('ends every other session before the new credentials are written, so a fault after the write leaves no thief signed in', async () => {
    const sessionsRepository = new InMemorySessionsRepository();
    const { caller, others, change, opens } = await setUp(new CredentialsCommitThenFail(), sessionsRepository);
    await expect(change()).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(await opens(newPassword)).toBe(true);
    expect([...sessionsRepository.sessions.keys()]).toEqual([caller.session.id]);
    expect(others.every((other) => !sessionsRepository.sessions.has(other.session.id))).toBe(true);
  });

  it('keeps the old password when the other sessions cannot be ended', async () => {
    const { id, change, opens, users } = await setUp(new InMemoryUsersRepository(), new SessionsFailingToEnd());
    const before = (await users.getById(id)).passwordHash;
    await expect(change()).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect((await users.getById(id)).passwordHash).toBe(before);
    expect(await opens(oldPassword)).toBe(true);
    expect(await opens(newPassword)).toBe(false);
  });

  it('changes the password and ends only the other sessions when nothing fails', async () => {
    const sessionsRepository = new InMemorySessionsRepository();
    const { caller, change, opens } = await setUp(new InMemoryUsersRepository(), sessionsRepository);
    await expect(change()).resolves.toMatchObject({ key_salt: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect([...sessionsRepository.sessions.keys()]).toEqual([caller.session.id]);
    expect(await opens(newPassword)).toBe(true);
    expect(await opens(oldPassword)).toBe(false);
  });
});
