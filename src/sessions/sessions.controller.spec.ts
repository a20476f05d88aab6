import { randomUUID } from 'node:crypto';
import { controllerSpec } from '../../test/support/controller-app';
import { ApiException } from '../common/errors/api.exception';
import type { Session } from './session';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

const CALLER = '3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11';

describe('SessionsController (HTTP pipeline, service faked)', () => {
  const app = controllerSpec(SessionsController, [SessionsService]);
  const service = app.get(SessionsService);
  const current = randomUUID();
  const other = randomUUID();
  const session = (id: string, userAgent?: string): Session => ({
    id,
    userId: CALLER,
    refreshHash: 'secret-hash',
    usedHashes: ['older-secret-hash'],
    createdAt: new Date('2026-11-25T10:00:00.000Z'),
    lastUsedAt: new Date('2026-11-25T11:00:00.000Z'),
    expiresAt: new Date('2026-12-25T11:00:00.000Z'),
    userAgent,
  });

  it('lists the caller’s sessions, marking the one of the token as current and showing no hashes', async () => {
    service.list.mockResolvedValue([session(current, 'phone'), session(other)]);
    const response = await app.http().get('/api/sessions').set(app.bearer(CALLER, current)).expect(200);
    expect(service.list).toHaveBeenCalledWith(CALLER);
    const rendered = { created_at: '2026-11-25T10:00:00.000Z', last_used_at: '2026-11-25T11:00:00.000Z', expires_at: '2026-12-25T11:00:00.000Z' };
    expect(response.body).toEqual({
      sessions: [
        { session_id: current, user_agent: 'phone', current: true, ...rendered },
        { session_id: other, current: false, ...rendered },
      ],
    });
  });

  it('ends one session of the caller (204) and passes on the service’s 404 as the envelope', async () => {
    await app.http().delete(`/api/sessions/${other}`).set(app.bearer(CALLER, current)).expect(204);
    expect(service.revoke).toHaveBeenCalledWith(CALLER, other);
    service.revoke.mockRejectedValue(ApiException.notFound('Session not found'));
    const response = await app.http().delete(`/api/sessions/${randomUUID()}`).set(app.bearer(CALLER, current)).expect(404);
    expect(response.body).toEqual({ error: 'Session not found', code: 'NOT_FOUND', request_id: expect.any(String) });
  });

  it('refuses a session id that is not a UUID with 400, without calling the service', async () => {
    const response = await app.http().delete('/api/sessions/not-a-uuid').set(app.bearer(CALLER)).expect(400);
    expect(response.body).toMatchObject({ error: 'session id must be a UUID', code: 'BAD_REQUEST' });
    expect(service.revoke).not.toHaveBeenCalled();
  });

  it('refuses a token whose session has ended (401), asking the service about that very session', async () => {
    service.isActive.mockResolvedValue(false);
    const response = await app.http().get('/api/sessions').set(app.bearer(CALLER, current)).expect(401);
    expect(response.body).toMatchObject({ code: 'UNAUTHORIZED', request_id: expect.any(String) });
    expect(service.isActive).toHaveBeenCalledWith(current, CALLER);
    expect(service.list).not.toHaveBeenCalled();
  });
});
