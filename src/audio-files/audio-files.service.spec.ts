import { randomBytes, randomUUID } from 'node:crypto';
import { FakeRepositories, newTestService } from '../../test/support/test-service';
import { anAccount } from '../../test/fakes/in-memory-users.repository';
import { AccountsService } from '../accounts/accounts.service';
import { PasswordHasher } from '../password-gate/password-hasher';
import { newAccountToken } from '../recovery/account-tokens/account-token';
import { PasswordResetService } from '../recovery/password-reset/password-reset.service';
import { SessionsService } from '../sessions/sessions.service';
import { UserKeysService } from '../user-keys/user-keys.service';
import { FIRST_KEY_ID } from '../users/user';
import { UsersService } from '../users/users.service';
import { AudioFilesService } from './audio-files.service';

describe('AudioFilesService (repositories faked)', () => {
  const alice = randomUUID();
  const bob = randomUUID();
  let repository: FakeRepositories['audioFiles'];
  let storage: FakeRepositories['storage'];
  let service: AudioFilesService;
  let users: FakeRepositories['users'];
  const client = { ip: '203.0.113.7' };
  const LIMITS = { MAX_RECORDING_BYTES: String(2 * 1024 * 1024), UPLOAD_URLS_PER_ACCOUNT_PER_HOUR: '5', UPLOAD_URLS_PER_IP_PER_HOUR: '8' };
  /** The service with tight limits, over the same fakes. */
  const serviceWithLimits = async () =>
    (await newTestService(AudioFilesService, { env: LIMITS, repositories: { audioFiles: repository, storage, users } })).sut;

  beforeEach(async () => {
    const built = await newTestService(AudioFilesService);
    service = built.sut;
    ({ audioFiles: repository, storage, users } = built.repositories);
    for (const id of [alice, bob]) users.users.set(id, anAccount(id));
  });

  const slotFor = (userId: string, fileSize: number, content_type: 'audio/3gpp' | 'audio/mp4' = 'audio/3gpp') =>
    service.uploadSlot(userId, { content_type, file_size: fileSize }, client);

  /** What the app does: ask for a slot, upload to it, register it. */
  const uploaded = async (userId: string, bytes = 10) => {
    const slot = await slotFor(userId, bytes);
    storage.put(slot.url, Buffer.alloc(bytes));
    return service.create(userId, { s3_key: slot.s3Key });
  };

  const createMany = async (userId: string, count: number) => {
    for (let index = 0; index < count; index++) {
      await uploaded(userId, index);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };

  it('issues upload slots for the recording’s key, whose URL writes a pending upload of the declared size', async () => {
    const slot = await slotFor(alice, 3056, 'audio/mp4');
    expect(slot.s3Key).toBe(`users/${alice}/${slot.fileId}.m4a`);
    expect(slot.url).toContain(`uploads/${alice}/${slot.fileId}/3056?`);
    expect(slot.url).toContain('content-length=3056');
    expect(slot.expiresAt.getTime() - Date.now()).toBeGreaterThan(890_000);
  });

  it('records an upload under the id from its key, with its real size, moving it to the key', async () => {
    const slot = await slotFor(alice, 1234);
    storage.put(slot.url, Buffer.alloc(1234));
    const file = await service.create(alice, { s3_key: slot.s3Key, file_size: 99 });
    expect(file).toMatchObject({ id: slot.fileId, userId: alice, s3Key: slot.s3Key, fileSize: 1234 });
    expect(repository.files.get(file.id)).toEqual(file);
    expect([...storage.objects.keys()]).toEqual([slot.s3Key]);
  });

  it('refuses keys outside the caller’s prefix (403), foreign forms (400), mismatched ids (400) and missing objects (404)', async () => {
    const slot = await slotFor(alice, 1);
    storage.put(slot.url, Buffer.alloc(1));
    await expect(service.create(bob, { s3_key: slot.s3Key })).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });
    await expect(service.create(alice, { s3_key: `users/${alice}/my-recording.3gp` })).rejects.toMatchObject({ status: 400 });
    await expect(service.create(alice, { s3_key: slot.s3Key, file_id: randomUUID() })).rejects.toMatchObject({ status: 400 });
    const unused = await slotFor(alice, 1);
    await expect(service.create(alice, { s3_key: unused.s3Key })).rejects.toMatchObject({ status: 404, code: 'OBJECT_NOT_FOUND' });
    expect(repository.files.size).toBe(0);
  });

  it('answers 410 ACCOUNT_DELETED when the account’s deletion sweeps the upload while it is being registered', async () => {
    const slot = await slotFor(alice, 10);
    storage.put(slot.url, Buffer.alloc(10));
    storage.copy.mockImplementationOnce(async () => {
      await users.markDeleting(alice, new Date(), new Date(Date.now() + 60_000));
      return false;
    });
    await expect(service.create(alice, { s3_key: slot.s3Key })).rejects.toMatchObject({ status: 410, code: 'ACCOUNT_DELETED' });
    expect(repository.files.size).toBe(0);
  });

  it('turns a second registration into 409 S3_KEY_TAKEN, and an upload through the old URL never reaches the recording', async () => {
    const slot = await slotFor(alice, 10);
    storage.put(slot.url, Buffer.alloc(10, 1));
    const file = await service.create(alice, { s3_key: slot.s3Key });
    storage.put(slot.url, Buffer.alloc(10, 2));
    await expect(service.create(alice, { s3_key: file.s3Key })).rejects.toMatchObject({ status: 409, code: 'S3_KEY_TAKEN' });
    expect(storage.objects.get(file.s3Key)).toEqual(Buffer.alloc(10, 1));
    expect([...storage.objects.keys()]).toEqual([file.s3Key]);
  });

  it('refuses (and deletes) an upload of another size than declared (422) or over MAX_RECORDING_BYTES (413)', async () => {
    service = await serviceWithLimits();
    const smaller = await slotFor(alice, 100);
    storage.put(smaller.url, Buffer.alloc(99));
    await expect(service.create(alice, { s3_key: smaller.s3Key })).rejects.toMatchObject({ status: 422, code: 'UPLOAD_SIZE_MISMATCH' });
    const tooLarge = await slotFor(alice, 2 * 1024 * 1024);
    storage.put(tooLarge.url, Buffer.alloc(2 * 1024 * 1024 + 1));
    await expect(service.create(alice, { s3_key: tooLarge.s3Key })).rejects.toMatchObject({ status: 413, code: 'RECORDING_TOO_LARGE' });
    expect(storage.objects.size).toBe(0);
    expect(repository.files.size).toBe(0);
    await expect(slotFor(alice, 2 * 1024 * 1024 + 1)).rejects.toMatchObject({ status: 413, code: 'RECORDING_TOO_LARGE' });
  });

  it('limits upload URLs per account and per client address (429 with Retry-After)', async () => {
    service = await serviceWithLimits();
    for (let index = 0; index < 5; index++) await slotFor(alice, 10);
    await expect(slotFor(alice, 10)).rejects.toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS', retryAfterSeconds: expect.any(Number) });
    for (let index = 0; index < 2; index++) await slotFor(bob, 10);
    await expect(slotFor(bob, 10)).rejects.toMatchObject({ status: 429 });
    await expect(service.uploadSlot(bob, { content_type: 'audio/3gpp', file_size: 10 }, { ip: '198.51.100.1' })).resolves.toBeDefined();
  });

  it('pages with a cursor that resumes the listing and ends with null', async () => {
    await createMany(alice, 5);
    const first = await service.list(alice, 2);
    expect(first.files).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await service.list(alice, 2, first.nextCursor as string);
    const third = await service.list(alice, 2, second.nextCursor as string);
    expect(third.files).toHaveLength(1);
    expect(third.nextCursor).toBeNull();
    const ids = [...first.files, ...second.files, ...third.files].map((file) => file.id);
    expect(new Set(ids).size).toBe(5);
  });

  it('refuses a cursor issued to someone else, a tampered one, and one from another secret (400 INVALID_CURSOR)', async () => {
    await createMany(alice, 3);
    const { nextCursor } = await service.list(alice, 1);
    await expect(service.list(bob, 1, nextCursor as string)).rejects.toMatchObject({ status: 400, code: 'INVALID_CURSOR' });
    await expect(service.list(alice, 1, `${nextCursor}x`)).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
    const { sut: otherService } = await newTestService(AudioFilesService, {
      env: { JWT_SECRET: 'a-different-secret-a-different-secret-!' },
      repositories: { audioFiles: repository, storage, users },
    });
    await expect(otherService.list(alice, 1, nextCursor as string)).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
  });

  it('hides other users’ files behind the same 404 as missing ones', async () => {
    const file = await uploaded(alice);
    await expect(service.getOwned(alice, file.id)).resolves.toEqual(file);
    await expect(service.getOwned(bob, file.id)).rejects.toMatchObject({ status: 404, message: 'Audio file not found' });
    await expect(service.getOwned(bob, randomUUID())).rejects.toMatchObject({ status: 404, message: 'Audio file not found' });
    await expect(service.getOwnedByS3Key(bob, file.s3Key)).rejects.toMatchObject({ status: 404 });
    await expect(service.getOwnedByS3Key(alice, file.s3Key)).resolves.toEqual(file);
  });

  it('deletes the object, its decrypted copies and the record; a second delete is 404', async () => {
    const file = await uploaded(alice);
    const otherFile = await uploaded(alice);
    storage.objects.set(`decrypted/${alice}/${file.id}/job.3gp`, Buffer.alloc(1));
    storage.objects.set(`decrypted/${alice}/${otherFile.id}/job.3gp`, Buffer.alloc(1));
    await expect(service.delete(bob, file.id)).rejects.toMatchObject({ status: 404 });
    await service.delete(alice, file.id);
    expect([...storage.objects.keys()].sort()).toEqual([otherFile.s3Key, `decrypted/${alice}/${otherFile.id}/job.3gp`].sort());
    expect(repository.files.has(file.id)).toBe(false);
    await expect(service.delete(alice, file.id)).rejects.toMatchObject({ status: 404 });
  });
});

describe('AudioFilesService open key ids of the list (repositories faked)', () => {
  const client = { ip: '203.0.113.7' };
  const password = 'the first password';
  const newPassword = 'the reset password';

  /** An account with a recovery code, and the services that reset its password and redeem its code on this instance. */
  async function setUp(cacheTtlMs: number) {
    const { sut: audioFiles, repositories, get } = await newTestService(AudioFilesService, { env: { AUTH_CACHE_TTL_MS: String(cacheTtlMs) } });
    const [users, userKeys, hasher] = [get(UsersService), get(UserKeysService), get(PasswordHasher)];
    const id = randomUUID();
    const keySalt = randomBytes(32).toString('hex');
    const { userKey, recovery, code } = await userKeys.createWithRecovery(id, password, keySalt, FIRST_KEY_ID);
    const user = await users.create({ id, email: `${id}@example.com`, passwordHash: await hasher.hash(password), keySalt, userKey, recovery });
    const { token, stored } = newAccountToken({ purpose: 'password-reset', userId: id, email: user.email, keyringVersion: user.keyringVersion });
    await repositories.accountTokens.save(stored);
    const resetWithoutCode = () => get(PasswordResetService).reset({ token, new_password: newPassword }, client);
    const redeem = async () => {
      const caller = { userId: id, sessionId: (await get(SessionsService).start(id, 'jest')).session.id };
      return get(AccountsService).redeemRecoveryCode(caller, { password: newPassword, recovery_code: code }, client);
    };
    const userReads = jest.spyOn(repositories.users, 'findById');
    return { audioFiles, id, resetWithoutCode, redeem, userReads };
  }

  it('reads the user once within AUTH_CACHE_TTL_MS, and again after this instance resets the password or redeems the code', async () => {
    const { audioFiles, id, resetWithoutCode, redeem, userReads } = await setUp(60_000);
    const listed = async () => [...(await audioFiles.openKeyIds(id))];

    expect(await listed()).toEqual([FIRST_KEY_ID]);
    expect(await listed()).toEqual([FIRST_KEY_ID]);
    expect(userReads).toHaveBeenCalledTimes(1);

    await expect(resetWithoutCode()).resolves.toEqual([FIRST_KEY_ID]);
    userReads.mockClear();
    expect(await listed()).toEqual([FIRST_KEY_ID + 1]);
    expect(await listed()).toEqual([FIRST_KEY_ID + 1]);
    expect(userReads).toHaveBeenCalledTimes(1);

    await expect(redeem()).resolves.toMatchObject({ unlocked: [FIRST_KEY_ID] });
    userReads.mockClear();
    expect((await listed()).sort()).toEqual([FIRST_KEY_ID, FIRST_KEY_ID + 1]);
    expect(userReads).toHaveBeenCalledTimes(1);
  });

  it('reads the user for every list with the cache off', async () => {
    const { audioFiles, id, userReads } = await setUp(0);
    await audioFiles.openKeyIds(id);
    await audioFiles.openKeyIds(id);
    expect(userReads).toHaveBeenCalledTimes(2);
  });
});
