import { randomUUID } from 'node:crypto';
import { controllerSpec } from '../../test/support/controller-app';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { mapChangePassword } from './dto/account.dto';
import type { User } from '../users/user';

const CALLER = '3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11';

describe('AccountsController (HTTP pipeline, service faked)', () => {
  const app = controllerSpec(AccountsController, [AccountsService]);
  const service = app.get(AccountsService);
  const sessionId = randomUUID();
  const asCaller = () => app.bearer(CALLER, sessionId);

  it('changes the caller’s password with the caller’s session and client, answering the service’s result as its DTO (200)', async () => {
    const rekeyed = {
      user: { id: CALLER, email: 'a@example.com', keySalt: 'cd'.repeat(32), keyId: 1, createdAt: new Date('2026-11-25T10:00:00.000Z') } as User,
      userKey: {
        wrapped: 'd3JhcHBlZA==',
        kdf: { algorithm: 'argon2id', version: 19, memory_kib: 19456, iterations: 2, parallelism: 1, key_length: 32 },
      } as const,
    };
    service.changePassword.mockResolvedValue(rekeyed);
    const body = { current_password: 'old password', new_password: 'new long password' };
    await app.http().put('/api/user/password').set(asCaller()).set('User-Agent', 'jest-app').send(body).expect(200, mapChangePassword(rekeyed));
    expect(service.changePassword).toHaveBeenCalledWith({ userId: CALLER, sessionId }, body, expect.objectContaining({ userAgent: 'jest-app' }));
  });

  it('deletes the caller’s account with the confirming password (204)', async () => {
    const response = await app.http().delete('/api/user').set(asCaller()).send({ password: 'the password' }).expect(204);
    expect(response.text).toBe('');
    expect(service.deleteAccount).toHaveBeenCalledWith(
      { userId: CALLER, sessionId },
      'the password',
      expect.objectContaining({ ip: expect.any(String) }),
    );
  });

  it.each([
    ['put', '/api/user/password', { current_password: 'old password', new_password: 'short' }, 'new_password'],
    ['put', '/api/user/password', { new_password: 'new long password' }, 'current_password'],
    ['put', '/api/user/password', { current_password: 'old', new_password: 'new long password', user_id: randomUUID() }, 'user_id'],
    ['delete', '/api/user', {}, 'password'],
    ['delete', '/api/user', { password: ['a'] }, 'password'],
  ] as const)('refuses %s %s %j with 400 naming %s, without calling the service', async (method, path, body, field) => {
    const response = await app.http()[method](path).set(asCaller()).send(body).expect(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field })], request_id: expect.any(String) });
    expect(service.changePassword).not.toHaveBeenCalled();
    expect(service.deleteAccount).not.toHaveBeenCalled();
  });

  it('needs a token for both routes (401)', async () => {
    await app.http().put('/api/user/password').send({ current_password: 'old password', new_password: 'new long password' }).expect(401);
    await app.http().delete('/api/user').send({ password: 'the password' }).expect(401);
    expect(service.changePassword).not.toHaveBeenCalled();
    expect(service.deleteAccount).not.toHaveBeenCalled();
  });

  it('passes a wrong current password on as the 401 envelope with its own code', async () => {
    service.changePassword.mockRejectedValue(ApiException.unauthorized('Invalid password', ErrorCode.INVALID_PASSWORD));
    const response = await app
      .http()
      .put('/api/user/password')
      .set(asCaller())
      .send({ current_password: 'wrong', new_password: 'new long password' })
      .expect(401);
    expect(response.body).toEqual({ error: 'Invalid password', code: 'INVALID_PASSWORD', request_id: expect.any(String) });
  });
});
