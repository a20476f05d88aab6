import { controllerSpec } from '../../test/support/controller-app';
import { ApiException } from '../common/errors/api.exception';
import { initialKeyring } from './user';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

const CALLER = '3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11';

describe('UsersController (HTTP pipeline, service faked)', () => {
  const app = controllerSpec(UsersController, [UsersService]);
  const service = app.get(UsersService);

  it('answers the caller’s own account, without the hash, the key salt or the wrapped key', async () => {
    service.getById.mockResolvedValue({
      id: CALLER,
      email: 'a@example.com',
      passwordHash: '$argon2id$secret',
      keySalt: 'ab'.repeat(32),
      createdAt: new Date('2026-11-25T10:00:00.123Z'),
      userKey: { wrapped: 'wrapped-key', kdf: {} as never },
      ...initialKeyring(),
    });
    await app
      .http()
      .get('/api/user/me')
      .set(app.bearer(CALLER))
      .expect(200, {
        user: { user_id: CALLER, email: 'a@example.com', email_verified: false, created_at: '2026-11-25T10:00:00.123Z' },
      });
    expect(service.getById).toHaveBeenCalledWith(CALLER);
  });

  it('needs a token (401) and passes a missing account on as a 404 envelope', async () => {
    await app.http().get('/api/user/me').expect(401);
    expect(service.getById).not.toHaveBeenCalled();
    service.getById.mockRejectedValue(ApiException.notFound('User not found'));
    const response = await app.http().get('/api/user/me').set(app.bearer(CALLER)).expect(404);
    expect(response.body).toEqual({ error: 'User not found', code: 'NOT_FOUND', request_id: expect.any(String) });
  });

  it('answers an unknown route under /api/user with the 404 envelope', async () => {
    const response = await app.http().get('/api/user/someone-else').set(app.bearer(CALLER)).expect(404);
    expect(response.body).toMatchObject({ code: 'ROUTE_NOT_FOUND', request_id: expect.any(String) });
  });
});
