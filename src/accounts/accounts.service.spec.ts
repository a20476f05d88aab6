import { Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { testConfig } from '../../test/fakes/config';
import { commitThenFail, dynamoDbUnavailable } from '../../test/fakes/faults';
import { WriteJournal } from '../../test/fakes/write-journal';
import { FakeRepositories, newFakeRepositories, newTestService } from '../../test/support/test-service';
import { AudioFilesService } from '../audio-files/audio-files.service';
import { AuthService } from '../auth/auth.service';
import type { AuthenticatedUser } from '../common/http/authenticated-user';
import { PasswordHasher } from '../password-gate/password-hasher';
import { SessionsService } from '../sessions/sessions.service';
import { UserKeysService } from '../user-keys/user-keys.service';
import { DependencyUnavailableError } from '../common/errors/domain.errors';
import { DecryptService } from '../decrypt/decrypt.service';
import { UsersService } from '../users/users.service';
import { AccountsService } from './accounts.service';
import { mapChangePassword } from './dto/account.dto';

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
    await users.create({
      id,
      email: 'a@example.com',
      passwordHash: await hasher.hash(oldPassword),
      keySalt,
      userKey: await userKeys.create(id, oldPassword, keySalt),
    });
    const [caller, ...others] = await Promise.all([0, 1, 2].map(() => sessions.start(id, 'jest')));
    const change = () =>
      accounts.changePassword({ userId: id, sessionId: caller.session.id }, { current_password: oldPassword, new_password: newPassword }, client);
    const opens = (password: string) =>
      userKeys.open({ action: 'decrypt', account: id, client }, password).then(
        () => true,
        () => false,
      );
    return { id, caller, others, change, opens, users, sessionsRepository: repositories.sessions };
  }

  it('ends every other session before the new credentials are written, so a fault after the write leaves no thief signed in', async () => {
    const { caller, others, change, opens, sessionsRepository } = await setUp(({ users }) => commitThenFail(users.saveKeyring));
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
    await expect(change().then(mapChangePassword)).resolves.toMatchObject({ key_salt: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect([...sessionsRepository.sessions.keys()]).toEqual([caller.session.id]);
    expect(await opens(newPassword)).toBe(true);
    expect(await opens(oldPassword)).toBe(false);
  });
});

const PASSWORD = 'the right password';
const SWEEP_DELAY_SECONDS = 1800;
const deletionClient = { ip: '203.0.113.7', userAgent: 'jest' };

/** Repository and storage calls that change something: the steps of a deletion. */
const WRITES = new Set(['markDeleting', 'release', 'leaseDeletion', 'removeDeleted', 'delete', 'deletePrefix', 'deleteAllForUser']);

describe('AccountsService: account deletion (repositories faked)', () => {
  let hasher: PasswordHasher;
  let passwordHash: string;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    hasher = new PasswordHasher(testConfig());
    await hasher.onModuleInit();
    passwordHash = await hasher.hash(PASSWORD);
  });

  /** One account with two sessions, two recordings, a decrypted copy and its job; and a bystander's recording. */
  async function world() {
    const journal = new WriteJournal(WRITES);
    const fakes = newFakeRepositories();
    const { sut: accounts, get } = await newTestService(AccountsService, {
      env: { ACCOUNT_SWEEP_DELAY_SECONDS: String(SWEEP_DELAY_SECONDS) },
      repositories: {
        users: journal.wrap('users', fakes.users),
        sessions: journal.wrap('sessions', fakes.sessions),
        storage: journal.wrap('storage', fakes.storage),
        audioFiles: journal.wrap('records', fakes.audioFiles),
        decryptJobs: journal.wrap('jobs', fakes.decryptJobs),
      },
    });
    const [users, sessions, audioFiles, decrypt, auth] = [
      get(UsersService),
      get(SessionsService),
      get(AudioFilesService),
      get(DecryptService),
      get(AuthService),
    ];
    const { users: usersRepository, audioFiles: filesRepository, storage, decryptJobs: jobs, sessions: sessionsRepository } = fakes;

    const newAccount = async (email: string) => {
      const user = await users.create({ email, passwordHash, keySalt: randomBytes(32).toString('hex') });
      const upload = async () => {
        const slot = await audioFiles.uploadSlot(user.id, { content_type: 'audio/3gpp', file_size: 64 }, deletionClient);
        storage.put(slot.url, randomBytes(64));
        return audioFiles.create(user.id, { s3_key: slot.s3Key });
      };
      return { user, upload };
    };
    const owner = await newAccount(`owner-${randomUUID()}@example.com`);
    const bystander = await newAccount(`bystander-${randomUUID()}@example.com`);
    const [first] = [await owner.upload(), await owner.upload()];
    await bystander.upload();
    const jobId = randomUUID();
    storage.objects.set(`decrypted/${owner.user.id}/${first.id}/${jobId}.3gp`, randomBytes(16));
    await jobs.save({
      id: jobId,
      userId: owner.user.id,
      fileId: first.id,
      createdAt: new Date(),
      status: 'completed',
      expiresAt: new Date(Date.now() + 3600_000),
    });
    const own = await sessions.start(owner.user.id, 'this phone');
    const other = await sessions.start(owner.user.id, 'another phone');
    const caller: AuthenticatedUser = { userId: owner.user.id, sessionId: own.session.id };

    /** Whatever of the owner's account is still stored. */
    const leftovers = () => ({
      account: usersRepository.users.has(owner.user.id),
      tombstone: usersRepository.deletions.has(owner.user.id),
      records: [...filesRepository.files.values()].filter((file) => file.userId === owner.user.id).length,
      objects: [...storage.objects.keys()].filter((key) => key.includes(owner.user.id)).length,
      jobs: [...jobs.jobs.values()].filter((job) => job.userId === owner.user.id).length,
      sessions: [...sessionsRepository.sessions.values()].filter((session) => session.userId === owner.user.id).length,
    });
    const callerSessionAlive = () => sessionsRepository.sessions.has(caller.sessionId);
    journal.steps.splice(0);
    return {
      callerSessionAlive,
      journal,
      accounts,
      auth,
      audioFiles,
      decrypt,
      users,
      usersRepository,
      storage,
      owner,
      bystander,
      caller,
      other,
      leftovers,
    };
  }

  const NOTHING = { account: false, tombstone: false, records: 0, objects: 0, jobs: 0, sessions: 0 };
  /** What stays from the end of the request until the final sweep. */
  const ONLY_TOMBSTONE_AND_CALLER = { ...NOTHING, tombstone: true, sessions: 1 };
  const later = (seconds: number) => new Date(Date.now() + seconds * 1000);

  it('marks first, sweeps files, jobs and the other sessions, then releases the account and its email in one step', async () => {
    const w = await world();
    await w.accounts.deleteAccount(w.caller, PASSWORD, deletionClient);
    expect(w.journal.steps).toEqual([
      'users.markDeleting',
      'storage.deletePrefix',
      'storage.deletePrefix',
      'storage.deletePrefix',
      'records.delete',
      'records.delete',
      'jobs.deleteAllForUser',
      'sessions.delete',
      'users.release',
    ]);
    // The caller's session outlives the request: a repeat (its answer lost) authenticates and is done.
    expect(w.callerSessionAlive()).toBe(true);
    await w.accounts.deleteAccount(w.caller, 'not even the password', deletionClient);
    expect(w.journal.steps).toHaveLength(9);
    expect(w.leftovers()).toEqual(ONLY_TOMBSTONE_AND_CALLER);
    expect(w.usersRepository.deletions.get(w.owner.user.id)?.email).toBeUndefined();
    // The bystander keeps everything.
    expect([...w.storage.objects.keys()].filter((key) => key.includes(w.bystander.user.id))).toHaveLength(1);
  });

  it('after a fault following any step, the caller’s session and password still work and a retry finishes the deletion', async () => {
    let step = 1;
    for (; ; step++) {
      const w = await world();
      w.journal.failAfterStep(step);
      const outcome = await w.accounts.deleteAccount(w.caller, PASSWORD, deletionClient).catch((error: unknown) => error);
      if (!w.journal.faulted) {
        expect(outcome).toBeUndefined();
        break;
      }
      expect(outcome).toBeInstanceOf(DependencyUnavailableError);
      const failedAfter = w.journal.steps[step - 1];
      // What the JWT guard needs for the retry: the caller's session.
      expect({ failedAfter, session: w.callerSessionAlive() }).toEqual({ failedAfter, session: true });
      await w.accounts.deleteAccount(w.caller, PASSWORD, deletionClient);
      expect({ failedAfter, left: w.leftovers() }).toEqual({ failedAfter, left: ONLY_TOMBSTONE_AND_CALLER });
      expect(await w.accounts.sweepDueDeletions(later(SWEEP_DELAY_SECONDS + 1))).toBe(1);
      expect({ failedAfter, left: w.leftovers() }).toEqual({ failedAfter, left: NOTHING });
    }
    expect(step).toBe(10);
  });

  it('from the mark on refuses upload URLs, registration, refresh, decryption and password change (410), and login', async () => {
    const w = await world();
    const slot = await w.audioFiles.uploadSlot(w.owner.user.id, { content_type: 'audio/3gpp', file_size: 8 }, deletionClient);
    const login = await w.auth.login({ email: w.owner.user.email, password: PASSWORD }, deletionClient);
    w.journal.failAfterStep(1);
    await expect(w.accounts.deleteAccount(w.caller, PASSWORD, deletionClient)).rejects.toBeInstanceOf(DependencyUnavailableError);
    w.journal.failAfterStep(Number.POSITIVE_INFINITY);
    const gone = { status: 410, code: 'ACCOUNT_DELETED' };

    await expect(w.audioFiles.uploadSlot(w.owner.user.id, { content_type: 'audio/3gpp', file_size: 8 }, deletionClient)).rejects.toMatchObject(gone);
    w.storage.put(slot.url, randomBytes(8));
    await expect(w.audioFiles.create(w.owner.user.id, { s3_key: slot.s3Key })).rejects.toMatchObject(gone);
    await expect(w.auth.refresh(login.tokens.refreshToken, deletionClient)).rejects.toMatchObject(gone);
    await expect(w.decrypt.decryptToCopy(w.owner.user.id, { password: PASSWORD, file_id: randomUUID() }, deletionClient)).rejects.toMatchObject(gone);
    await expect(
      w.accounts.changePassword(w.caller, { current_password: PASSWORD, new_password: 'a new password 123' }, deletionClient),
    ).rejects.toMatchObject(gone);
    await expect(w.auth.login({ email: w.owner.user.email, password: PASSWORD }, deletionClient)).rejects.toMatchObject({
      status: 401,
      code: 'INVALID_CREDENTIALS',
    });
    // The bystander is not affected.
    await expect(w.audioFiles.uploadSlot(w.bystander.user.id, { content_type: 'audio/3gpp', file_size: 8 }, deletionClient)).resolves.toMatchObject({
      fileId: expect.any(String),
    });
  });

  it('sweeps what an old upload URL stored after the deletion, but only once the sweep is due, and on one instance', async () => {
    const w = await world();
    const oldSlot = await w.audioFiles.uploadSlot(w.owner.user.id, { content_type: 'audio/3gpp', file_size: 8 }, deletionClient);
    await w.accounts.deleteAccount(w.caller, PASSWORD, deletionClient);
    w.storage.put(oldSlot.url, randomBytes(8));
    expect(w.leftovers()).toEqual({ ...ONLY_TOMBSTONE_AND_CALLER, objects: 1 });

    expect(await w.accounts.sweepDueDeletions(later(SWEEP_DELAY_SECONDS - 60))).toBe(0);
    expect(w.leftovers().objects).toBe(1);
    const due = later(SWEEP_DELAY_SECONDS + 1);
    const instances = await Promise.all([w.accounts.sweepDueDeletions(due), w.accounts.sweepDueDeletions(due)]);
    expect(instances.sort()).toEqual([0, 1]);
    expect(w.leftovers()).toEqual(NOTHING);
  });

  it('finishes by itself a deletion that failed half-way and was never called again, the caller’s session and email claim included', async () => {
    const w = await world();
    w.journal.failAfterStep(3);
    await expect(w.accounts.deleteAccount(w.caller, PASSWORD, deletionClient)).rejects.toBeInstanceOf(DependencyUnavailableError);
    w.journal.failAfterStep(Number.POSITIVE_INFINITY);
    expect(w.leftovers().account).toBe(true);
    expect(await w.accounts.sweepDueDeletions(later(SWEEP_DELAY_SECONDS + 1))).toBe(1);
    expect(w.leftovers()).toEqual(NOTHING);
    await expect(w.users.create({ email: w.owner.user.email, passwordHash, keySalt: '00'.repeat(32) })).resolves.toMatchObject({
      email: w.owner.user.email,
    });
  });
});
