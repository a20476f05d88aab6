import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type { AudioFile } from '../../src/audio-files/audio-file';
import { S3KeyAlreadyRegisteredError } from '../../src/audio-files/audio-files.repository';
import { DynamoDbAudioFilesRepository } from '../../src/audio-files/dynamodb-audio-files.repository';
import { DynamoDbUsersRepository } from '../../src/users/dynamodb-users.repository';
import { AccountDeletedError } from '../../src/users/users.repository';
import { AppConfig } from '../../src/config/app-config';
import { createDocumentClient, createDynamoDbClient } from '../../src/database/dynamodb-client';
import { anAccount } from '../fakes/in-memory-users.repository';
import { isolatedTables } from '../support/test-app';

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
  let config: AppConfig;
  let client: DynamoDBClient;
  let repository: DynamoDbAudioFilesRepository;
  let users: DynamoDbUsersRepository;
  const owner = randomUUID();
  const files: AudioFile[] = [];

  beforeAll(async () => {
    config = await isolatedTables();
    client = createDynamoDbClient(config.dynamodb);
    repository = new DynamoDbAudioFilesRepository(createDocumentClient(client), config);
    users = new DynamoDbUsersRepository(createDocumentClient(client), config);
    const others = Array.from({ length: 150 }, (_, index) => aFile(randomUUID(), index));
    files.push(...Array.from({ length: 25 }, (_, index) => aFile(owner, index)));
    for (const userId of new Set([...others, ...files].map((file) => file.userId))) await users.create(anAccount(userId));
    for (const file of [...others, ...files]) await repository.create(file);
  });
  afterAll(() => client.destroy());

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
    await expect(repository.create(aFile(someone, 0, { s3Key: files[0].s3Key }))).rejects.toBeInstanceOf(
      S3KeyAlreadyRegisteredError,
    );
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
});
