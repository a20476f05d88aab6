import { FakeRepositories, newTestService } from '../../../test/support/test-service';
import { openSuccessor, sealSuccessor } from './refresh-successor';
import { SessionsService } from './sessions.service';

describe('SessionsService refresh reuse interval (repository faked)', () => {
  let repository: FakeRepositories['sessions'];
  let sessions: SessionsService;

  beforeEach(async () => {
    ({ sut: sessions, repositories: { sessions: repository } } = await newTestService(SessionsService, { env: { REFRESH_REUSE_INTERVAL_SECONDS: '10' } }));
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
