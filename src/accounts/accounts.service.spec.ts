import { randomBytes, randomUUID } from 'node:crypto';
import { commitThenFail, dynamoDbUnavailable } from '../../test/fakes/faults';
import { FakeRepositories, newTestService } from '../../test/support/test-service';
import { PasswordHasher } from '../auth/password-hasher';
import { SessionsService } from '../auth/sessions/sessions.service';
import { UserKeysService } from '../auth/user-keys.service';
import { DependencyUnavailableError } from '../common/errors/domain.errors';
import { UsersService } from '../users/users.service';
import { AccountsService } from './accounts.service';

describe('AccountsService password change under faults (repositories faked)', () => {
  const client = { ip: '203.0.113.7' };
  const oldPassword = 'the old password';
  const newPassword = 'the new password';

  /** An account with three sessions (the caller's and two others); `fault` breaks a repository first. */
  async function setUp(fault: (repositories: FakeRepositories) => void = () => undefined) {
    const { sut: accounts, repositories, get } = await newTestService(AccountsService);
    fault(repositories);
    const [users, userKeys, sessions, hasher] = [get(UsersService), get(UserKeysService), get(SessionsService), get(PasswordHasher)];
    const id = randomUUID();
    const keySalt = randomBytes(32).toString('hex');
    await users.create({ id, email: 'a@example.com', passwordHash: await hasher.hash(oldPassword), keySalt, userKey: await userKeys.create(id, oldPassword, keySalt) });
    const [caller, ...others] = await Promise.all([0, 1, 2].map(() => sessions.start(id, 'jest')));
    const change = () => accounts.changePassword({ userId: id, sessionId: caller.session.id }, { current_password: oldPassword, new_password: newPassword }, client);
    const opens = (password: string) => userKeys.open({ action: 'decrypt', account: id, client }, password).then(() => true, () => false);
    return { id, caller, others, change, opens, users, sessionsRepository: repositories.sessions };
  }

  it('ends every other session before the new credentials are written, so a fault after the write leaves no thief signed in', async () => {
    const { caller, others, change, opens, sessionsRepository } = await setUp(({ users }) => commitThenFail(users.replaceCredentials));
    await expect(change()).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(await opens(newPassword)).toBe(true);
    expect([...sessionsRepository.sessions.keys()]).toEqual([caller.session.id]);
    expect(others.every((other) => !sessionsRepository.sessions.has(other.session.id))).toBe(true);
  });

  it('keeps the old password when the other sessions cannot be ended', async () => {
    const { id, change, opens, users } = await setUp(({ sessions }) => sessions.delete.mockRejectedValue(dynamoDbUnavailable()));
    const before = (await users.getById(id)).passwordHash;
    await expect(change()).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect((await users.getById(id)).passwordHash).toBe(before);
    expect(await opens(oldPassword)).toBe(true);
    expect(await opens(newPassword)).toBe(false);
  });

  it('changes the password and ends only the other sessions when nothing fails', async () => {
    const { caller, change, opens, sessionsRepository } = await setUp();
    await expect(change()).resolves.toMatchObject({ key_salt: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect([...sessionsRepository.sessions.keys()]).toEqual([caller.session.id]);
    expect(await opens(newPassword)).toBe(true);
    expect(await opens(oldPassword)).toBe(false);
  });
});
