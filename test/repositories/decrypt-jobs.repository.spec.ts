import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import type { DecryptJob } from '../../src/decrypt/decrypt-job';
import { DynamoDbDecryptJobsRepository } from '../../src/decrypt/dynamodb-decrypt-jobs.repository';
import { repositoryOnDynamoDbLocal } from '../support/repository-under-test';

function aJob(overrides: Partial<DecryptJob> = {}): DecryptJob {
  const createdAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 123);
  return {
    id: randomUUID(),
    userId: randomUUID(),
    fileId: randomUUID(),
    createdAt,
    status: 'completed',
    outputKey: `decrypted/${randomUUID()}.3gp`,
    expiresAt: new Date(Math.floor(createdAt.getTime() / 1000) * 1000 + 3600_000),
    ...overrides,
  };
}

describe('DynamoDbDecryptJobsRepository (DynamoDB Local)', () => {
  const under = repositoryOnDynamoDbLocal(DynamoDbDecryptJobsRepository);

  it('stores a job and reads it back with the same values; an unknown id is absent', async () => {
    const job = aJob();
    await under.repository.save(job);
    expect(await under.repository.findById(job.id)).toEqual(job);
    expect(await under.repository.findById(randomUUID())).toBeUndefined();
  });

  it('stores a failed job without an output key, and its expiry as epoch seconds for DynamoDB’s TTL', async () => {
    const job = aJob({ status: 'failed', outputKey: undefined });
    await under.repository.save(job);
    expect(await under.repository.findById(job.id)).toEqual(job);
    const { Item } = await under.documents.send(new GetCommand({ TableName: under.config.dynamodb.tables.decryptJobs, Key: { job_id: job.id } }));
    expect(Item).not.toHaveProperty('output_key');
    expect(Item?.expires_at).toBe(job.expiresAt.getTime() / 1000);
  });

  it('replaces a job saved again under the same id', async () => {
    const job = aJob({ status: 'failed', outputKey: undefined });
    await under.repository.save(job);
    const completed = { ...job, status: 'completed' as const, outputKey: 'decrypted/done.3gp' };
    await under.repository.save(completed);
    expect(await under.repository.findById(job.id)).toEqual(completed);
  });

  it('treats a job past its expiry as gone before TTL removes it', async () => {
    const job = aJob({ expiresAt: new Date(Math.floor(Date.now() / 1000) * 1000 - 1000) });
    await under.repository.save(job);
    expect(await under.repository.findById(job.id)).toBeUndefined();
  });

  it('deletes every job of one user, expired ones included, and no one else’s; counting them', async () => {
    const userId = randomUUID();
    const mine = [aJob({ userId }), aJob({ userId }), aJob({ userId, expiresAt: new Date(Date.now() - 60_000) })];
    const theirs = aJob();
    await Promise.all([...mine, theirs].map((job) => under.repository.save(job)));
    expect(await under.repository.deleteAllForUser(userId)).toBe(3);
    for (const job of mine) {
      const { Item } = await under.documents.send(
        new GetCommand({ TableName: under.config.dynamodb.tables.decryptJobs, Key: { job_id: job.id }, ConsistentRead: true }),
      );
      expect(Item).toBeUndefined();
    }
    expect(await under.repository.findById(theirs.id)).toEqual(theirs);
    expect(await under.repository.deleteAllForUser(userId)).toBe(0);
  });
});
