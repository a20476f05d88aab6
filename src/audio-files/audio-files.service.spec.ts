import { randomUUID } from 'node:crypto';
import { FakeRepositories, newTestService } from '../../test/support/test-service';
import { anAccount } from '../../test/fakes/in-memory-users.repository';
import { AudioFilesService } from './audio-files.service';

describe('AudioFilesService (repositories faked)', () => {
  const alice = randomUUID();
  const bob = randomUUID();
  let repository: FakeRepositories['audioFiles'];
  let storage: FakeRepositories['storage'];
  let service: AudioFilesService;
  let users: FakeRepositories['users'];

  beforeEach(async () => {
    const built = await newTestService(AudioFilesService);
    service = built.sut;
    ({ audioFiles: repository, storage, users } = built.repositories);
    for (const id of [alice, bob]) users.users.set(id, anAccount(id));
  });

  /** What the app does: ask for a slot, upload to it, register it. */
  const uploaded = async (userId: string, bytes = 10) => {
    const slot = await service.uploadSlot(userId, 'audio/3gpp');
    storage.objects.set(slot.s3Key, Buffer.alloc(bytes));
    return service.create(userId, { s3_key: slot.s3Key });
  };

  const createMany = async (userId: string, count: number) => {
    for (let index = 0; index < count; index++) {
      await uploaded(userId, index);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };

  it('issues upload slots under the caller’s prefix, with the file id in the key', async () => {
    const slot = await service.uploadSlot(alice, 'audio/mp4');
    expect(slot.s3Key).toBe(`users/${alice}/${slot.fileId}.m4a`);
    expect(slot.url).toContain(slot.s3Key);
    expect(slot.expiresAt.getTime() - Date.now()).toBeGreaterThan(890_000);
  });

  it('records an uploaded object under the id from its key, with its real size', async () => {
    const slot = await service.uploadSlot(alice, 'audio/3gpp');
    storage.objects.set(slot.s3Key, Buffer.alloc(1234));
    const file = await service.create(alice, { s3_key: slot.s3Key, file_size: 99 });
    expect(file).toMatchObject({ id: slot.fileId, userId: alice, s3Key: slot.s3Key, fileSize: 1234 });
    expect(repository.files.get(file.id)).toEqual(file);
  });

  it('refuses keys outside the caller’s prefix (403), foreign forms (400), mismatched ids (400) and missing objects (404)', async () => {
    const slot = await service.uploadSlot(alice, 'audio/3gpp');
    storage.objects.set(slot.s3Key, Buffer.alloc(1));
    await expect(service.create(bob, { s3_key: slot.s3Key })).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });
    await expect(service.create(alice, { s3_key: `users/${alice}/my-recording.3gp` })).rejects.toMatchObject({ status: 400 });
    await expect(service.create(alice, { s3_key: slot.s3Key, file_id: randomUUID() })).rejects.toMatchObject({ status: 400 });
    const unused = await service.uploadSlot(alice, 'audio/3gpp');
    await expect(service.create(alice, { s3_key: unused.s3Key })).rejects.toMatchObject({ status: 404, code: 'OBJECT_NOT_FOUND' });
    expect(repository.files.size).toBe(0);
  });

  it('turns a second registration of an object into 409 S3_KEY_TAKEN', async () => {
    const file = await uploaded(alice);
    await expect(service.create(alice, { s3_key: file.s3Key })).rejects.toMatchObject({ status: 409, code: 'S3_KEY_TAKEN' });
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
