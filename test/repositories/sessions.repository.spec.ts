import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { DynamoDbSessionsRepository } from '../../src/sessions/dynamodb-sessions.repository';
import type { Session } from '../../src/sessions/session';
import { repositoryOnDynamoDbLocal } from '../support/repository-under-test';

function aSession(overrides: Partial<Session> = {}): Session {
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  return {
    id: randomUUID(),
    userId: randomUUID(),
    refreshHash: 'a'.repeat(64),
    usedHashes: [],
    createdAt: now,
    lastUsedAt: now,
    expiresAt: new Date(now.getTime() + 3600_000),
    userAgent: 'jest',
    ...overrides,
  };
}

describe('DynamoDbSessionsRepository (DynamoDB Local)', () => {
  const under = repositoryOnDynamoDbLocal(DynamoDbSessionsRepository);
  let repository: DynamoDbSessionsRepository;
  beforeAll(() => {
    repository = under.repository;
  });

  it('stores a session and reads it back; a new session has no sealed successor', async () => {
    const session = aSession();
    await repository.create(session);
    expect(await repository.findById(session.id)).toEqual({ ...session, sealedSuccessor: undefined });
  });

  it('rotates only from the expected hash, storing the sealed successor; of concurrent rotations exactly one wins', async () => {
    const session = aSession();
    await repository.create(session);
    const next = (index: number) => ({
      refreshHash: String(index).padStart(64, 'b'),
      usedHashes: [session.refreshHash],
      sealedSuccessor: `sealed-${index}`,
      lastUsedAt: new Date(session.lastUsedAt.getTime() + 1000),
      expiresAt: new Date(session.expiresAt.getTime() + 1000),
    });
    const outcomes = await Promise.all([0, 1, 2, 3, 4].map((index) => repository.rotate(session, session.refreshHash, next(index))));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const winner = outcomes.indexOf(true);
    expect(await repository.findById(session.id)).toEqual({ ...session, ...next(winner) });
    expect(await repository.rotate(session, session.refreshHash, next(9))).toBe(false);
  });

  it('lists a user’s sessions, deletes one, and reports whether it was there', async () => {
    const userId = randomUUID();
    const [first, second] = [aSession({ userId }), aSession({ userId })];
    await Promise.all([repository.create(first), repository.create(second)]);
    expect((await repository.listByUser(userId)).map((session) => session.id).sort()).toEqual([first.id, second.id].sort());
    expect(await repository.delete(first.id)).toBe(true);
    expect(await repository.delete(first.id)).toBe(false);
    expect(await repository.findById(first.id)).toBeUndefined();
  });

  it('treats a session past its expiry as gone before TTL removes it', async () => {
    const session = aSession({ expiresAt: new Date(Date.now() - 1000) });
    await repository.create(session);
    expect(await repository.findById(session.id)).toBeUndefined();
  });

  it('never overwrites an existing session with a second create of its id', async () => {
    const session = aSession();
    await repository.create(session);
    await expect(repository.create({ ...session, userId: randomUUID(), refreshHash: 'c'.repeat(64) })).rejects.toBeInstanceOf(
      ConditionalCheckFailedException,
    );
    expect(await repository.findById(session.id)).toEqual({ ...session, sealedSuccessor: undefined });
  });

  it('rotates nothing for a session that is gone, and lists only live sessions', async () => {
    const userId = randomUUID();
    const gone = aSession({ userId });
    expect(await repository.rotate(gone, gone.refreshHash, { ...gone, sealedSuccessor: 'x' })).toBe(false);
    const expired = aSession({ userId, expiresAt: new Date(Date.now() - 1000) });
    const live = aSession({ userId });
    await Promise.all([repository.create(expired), repository.create(live)]);
    expect((await repository.listByUser(userId)).map((session) => session.id)).toEqual([live.id]);
  });
});
