import { randomUUID } from 'node:crypto';
import { testConfig } from '../../test/fakes/config';
import { InMemoryAudioFilesRepository } from '../../test/fakes/in-memory-audio-files.repository';
import { AudioFilesService } from './audio-files.service';

describe('AudioFilesService (repositories faked)', () => {
  const alice = randomUUID();
  const bob = randomUUID();
  let repository: InMemoryAudioFilesRepository;
  let service: AudioFilesService;

  beforeEach(() => {
    repository = new InMemoryAudioFilesRepository();
    service = new AudioFilesService(repository, testConfig());
  });

  const createMany = async (userId: string, count: number) => {
    for (let index = 0; index < count; index++) {
      await service.create(userId, { s3_key: `users/${userId}/${index}.3gp`, file_size: index });
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };

  it('creates a record owned by the caller with a new id and the current time', async () => {
    const before = Date.now();
    const file = await service.create(alice, { s3_key: 'users/a/1.3gp', file_size: 10 });
    expect(file).toMatchObject({ userId: alice, s3Key: 'users/a/1.3gp', fileSize: 10 });
    expect(file.uploadedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(repository.files.get(file.id)).toEqual(file);
  });

  it('records a missing file_size as null', async () => {
    expect((await service.create(alice, { s3_key: 'users/a/2.3gp' })).fileSize).toBeNull();
  });

  it('turns a taken s3_key into 409 S3_KEY_TAKEN', async () => {
    await service.create(alice, { s3_key: 'users/a/1.3gp' });
    await expect(service.create(bob, { s3_key: 'users/a/1.3gp' })).rejects.toMatchObject({ status: 409, code: 'S3_KEY_TAKEN' });
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
    const otherService = new AudioFilesService(repository, testConfig({ JWT_SECRET: 'a-different-secret-a-different-secret-!' }));
    await expect(otherService.list(alice, 1, nextCursor as string)).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
  });

  it('hides other users’ files behind the same 404 as missing ones', async () => {
    const file = await service.create(alice, { s3_key: 'users/a/secret.3gp' });
    await expect(service.getOwned(alice, file.id)).resolves.toEqual(file);
    await expect(service.getOwned(bob, file.id)).rejects.toMatchObject({ status: 404, message: 'Audio file not found' });
    await expect(service.getOwned(bob, randomUUID())).rejects.toMatchObject({ status: 404, message: 'Audio file not found' });
    await expect(service.getOwnedByS3Key(bob, file.s3Key)).rejects.toMatchObject({ status: 404 });
    await expect(service.getOwnedByS3Key(alice, file.s3Key)).resolves.toEqual(file);
  });
});
