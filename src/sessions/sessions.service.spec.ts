import { FakeRepositories, newTestService } from '../../test/support/test-service';
import { openSuccessor, sealSuccessor } from './refresh-successor';
import { SessionsService } from './sessions.service';

describe('SessionsService refresh reuse interval (repository faked)', () => {
  let repository: FakeRepositories['sessions'];
  let sessions: SessionsService;

  beforeEach(async () => {
    ({
      sut: sessions,
      repositories: { sessions: repository },
    } = await newTestService(SessionsService, { env: { REFRESH_REUSE_INTERVAL_SECONDS: '10' } }));
  });

  /** Moves the session's latest rotation `seconds` into the past. */
  const age = (sessionId: string, seconds: number) => {
    const stored = repository.sessions.get(sessionId);
    if (stored) stored.lastUsedAt = new Date(stored.lastUsedAt.getTime() - seconds * 1000);
  };

  it('gives the token a refresh exchanged the current refresh token again, without rotating', async () => {
    const { session, refreshToken } = await sessions.start('user-1', 'jest');
    const first = await sessions.refresh(refreshToken);
    const stored = { ...repository.sessions.get(session.id) };
    const again = await sessions.refresh(refreshToken);
    expect(again.refreshToken).toBe(first.refreshToken);
    expect(repository.sessions.get(session.id)).toEqual(stored);
    await expect(sessions.refresh(again.refreshToken)).resolves.toMatchObject({ session: { id: session.id } });
  });

  it('answers every one of simultaneous refreshes with the winner’s token', async () => {
    const { refreshToken } = await sessions.start('user-1', 'jest');
    const results = await Promise.all([0, 1, 2, 3].map(() => sessions.refresh(refreshToken)));
    expect(new Set(results.map((result) => result.refreshToken)).size).toBe(1);
  });

  it('refuses an older spent token within the interval and keeps the session', async () => {
    const { session, refreshToken } = await sessions.start('user-1', 'jest');
    const first = await sessions.refresh(refreshToken);
    const second = await sessions.refresh(first.refreshToken);
    await expect(sessions.refresh(refreshToken)).rejects.toMatchObject({ status: 401 });
    expect(repository.sessions.has(session.id)).toBe(true);
    await expect(sessions.refresh(second.refreshToken)).resolves.toBeDefined();
  });

  it('ends the session when a spent token comes back after the interval', async () => {
    const { session, refreshToken } = await sessions.start('user-1', 'jest');
    const first = await sessions.refresh(refreshToken);
    age(session.id, 10);
    await expect(sessions.refresh(refreshToken)).rejects.toMatchObject({ status: 401 });
    expect(repository.sessions.has(session.id)).toBe(false);
    await expect(sessions.refresh(first.refreshToken)).rejects.toMatchObject({ status: 401 });
  });

  it('seals the successor so that only the token it replaced opens it, for its own session', () => {
    const sealed = sealSuccessor('previous-secret', 'next-secret', 'session-1');
    expect(sealed).not.toContain('next-secret');
    expect(openSuccessor(sealed, 'previous-secret', 'session-1')).toBe('next-secret');
    expect(openSuccessor(sealed, 'another-secret', 'session-1')).toBeUndefined();
    expect(openSuccessor(sealed, 'previous-secret', 'session-2')).toBeUndefined();
    expect(openSuccessor('short', 'previous-secret', 'session-1')).toBeUndefined();
  });
});

describe('SessionsService session check for the JWT guard (repository faked)', () => {
  let repository: FakeRepositories['sessions'];
  let reads: jest.SpyInstance;

  /** Another instance of the service (a cache of its own) on the same repository. */
  const service = async (cacheTtlMs: number): Promise<SessionsService> =>
    (await newTestService(SessionsService, { env: { AUTH_CACHE_TTL_MS: String(cacheTtlMs) }, repositories: { sessions: repository } })).sut;

  beforeEach(async () => {
    repository = (await newTestService(SessionsService)).repositories.sessions;
    reads = jest.spyOn(repository, 'findById');
  });

  it('answers a cached session without reading the repository, and reads every time with the cache off', async () => {
    const sessions = await service(60_000);
    const { session } = await sessions.start('user-1', 'jest');
    for (let i = 0; i < 5; i++) await expect(sessions.isActive(session.id, 'user-1')).resolves.toBe(true);
    await expect(sessions.isActive(session.id, 'user-2')).resolves.toBe(false);
    expect(reads).not.toHaveBeenCalled();

    const uncached = await service(0);
    await expect(uncached.isActive(session.id, 'user-1')).resolves.toBe(true);
    await expect(uncached.isActive(session.id, 'user-1')).resolves.toBe(true);
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it('makes one read for requests that miss the cache at the same time, then answers from the cache', async () => {
    const { session } = await (await service(60_000)).start('user-1', 'jest');
    const sessions = await service(60_000);
    const answers = await Promise.all(Array.from({ length: 10 }, () => sessions.isActive(session.id, 'user-1')));
    expect(answers).toEqual(Array(10).fill(true));
    await expect(sessions.isActive(session.id, 'user-1')).resolves.toBe(true);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('keeps a revocation that happens while a read is in flight, whatever that read answers', async () => {
    const { session } = await (await service(60_000)).start('user-1', 'jest');
    const sessions = await service(60_000);
    let release: () => void = () => undefined;
    const stored = await repository.findById(session.id);
    reads.mockClear();
    reads.mockImplementationOnce(() => new Promise((resolve) => (release = () => resolve(stored))));
    const during = sessions.isActive(session.id, 'user-1');
    await sessions.end(session.id);
    release();
    // The read started before the logout finished: its own answer may still be the old one.
    await expect(during).resolves.toBe(true);
    await expect(sessions.isActive(session.id, 'user-1')).resolves.toBe(false);
    expect(reads).toHaveBeenCalledTimes(1);
  });
});
