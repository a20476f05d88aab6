import { randomUUID } from 'node:crypto';
import type { AudioFile } from '../../src/audio-files/audio-file';
import { S3KeyAlreadyRegisteredError } from '../../src/audio-files/audio-files.repository';
import { DynamoDbAudioFilesRepository } from '../../src/audio-files/dynamodb-audio-files.repository';
import { DynamoDbUsersRepository } from '../../src/users/dynamodb-users.repository';
import { AccountDeletedError } from '../../src/users/users.repository';
import { anAccount } from '../fakes/in-memory-users.repository';
import { repositoryOnDynamoDbLocal } from '../support/repository-under-test';

function aFile(userId: string, index: number, overrides: Partial<AudioFile> = {}): AudioFile {
  return {
    id: randomUUID(),
    userId,
    s3Key: `users/${userId}/${index}-${randomUUID()}.3gp`,
    fileSize: 1000 + index,
    uploadedAt: new Date(Date.UTC(2026, 10, 25, 12, 0, 0, index)),
    keyId: 1,
    ...overrides,
  };
}

describe('DynamoDbAudioFilesRepository (DynamoDB Local)', () => {
  const under = repositoryOnDynamoDbLocal(DynamoDbAudioFilesRepository);
  let repository: DynamoDbAudioFilesRepository;
  let users: DynamoDbUsersRepository;
  const owner = randomUUID();
  const files: AudioFile[] = [];

  beforeAll(async () => {
    repository = under.repository;
    users = new DynamoDbUsersRepository(under.documents, under.config);
    const others = Array.from({ length: 150 }, (_, index) => aFile(randomUUID(), index));
    files.push(...Array.from({ length: 25 }, (_, index) => aFile(owner, index)));
    for (const userId of new Set([...others, ...files].map((file) => file.userId))) await users.create(anAccount(userId));
    for (const file of [...others, ...files]) await repository.create(file);
  });

  it('reads a record back by id with the same values and types', async () => {
    expect(await repository.findById(files[3].id)).toEqual(files[3]);
    expect(await repository.findById(randomUUID())).toBeUndefined();
  });

  it('finds every record by its exact s3_key among 175 records', async () => {
    for (const file of files) expect(await repository.findByS3Key(file.s3Key)).toEqual(file);
    expect(await repository.findByS3Key(`${files[0].s3Key}x`)).toBeUndefined();
  });

  it('refuses a second record for an s3_key, whoever asks', async () => {
    const someone = randomUUID();
    await users.create(anAccount(someone));
    await expect(repository.create(aFile(someone, 0, { s3Key: files[0].s3Key }))).rejects.toBeInstanceOf(S3KeyAlreadyRegisteredError);
  });

  it('refuses a record whose account is being deleted or gone, writing nothing', async () => {
    const deleting = randomUUID();
    await users.create(anAccount(deleting));
    await users.markDeleting(deleting, new Date(), new Date());
    for (const file of [aFile(deleting, 0), aFile(randomUUID(), 0)]) {
      await expect(repository.create(file)).rejects.toBeInstanceOf(AccountDeletedError);
      expect(await repository.findById(file.id)).toBeUndefined();
      expect(await repository.findByS3Key(file.s3Key)).toBeUndefined();
    }
  });

  it('lists one user’s files newest first, in pages that resume exactly where they stopped', async () => {
    const newestFirst = [...files].sort((a, b) => b.uploadedAt.getTime() - a.uploadedAt.getTime());
    const seen: AudioFile[] = [];
    let page = await repository.listByUser(owner, 10);
    seen.push(...page.files);
    while (page.next) {
      page = await repository.listByUser(owner, 10, page.next);
      seen.push(...page.files);
    }
    expect(seen).toEqual(newestFirst);
  });

  it('says there is no next page when the last page is exactly full', async () => {
    const page = await repository.listByUser(owner, 25);
    expect(page.files).toHaveLength(25);
    expect(page.next).toBeUndefined();
  });

  it('stores a missing file_size as absent and reads it back as null', async () => {
    const file = aFile(owner, 99, { fileSize: null });
    await repository.create(file);
    expect(await repository.findById(file.id)).toEqual(file);
  });

  it('deletes a record with its s3_key claim, so the key can be registered again; a second delete is false', async () => {
    const someone = randomUUID();
    await users.create(anAccount(someone));
    const file = aFile(someone, 7);
    await repository.create(file);
    expect(await repository.delete(file)).toBe(true);
    expect(await repository.findById(file.id)).toBeUndefined();
    expect(await repository.findByS3Key(file.s3Key)).toBeUndefined();
    expect(await repository.delete(file)).toBe(false);
    const again = aFile(file.userId, 8, { s3Key: file.s3Key });
    await repository.create(again);
    expect(await repository.findByS3Key(file.s3Key)).toEqual(again);
  });

  it('of concurrent deletes of one record, exactly one reports it', async () => {
    const someone = randomUUID();
    await users.create(anAccount(someone));
    const file = aFile(someone, 9);
    await repository.create(file);
    const outcomes = await Promise.all([0, 1, 2, 3].map(() => repository.delete(file)));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
  });
});
