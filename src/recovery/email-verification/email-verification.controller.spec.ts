import { controllerSpec } from '../../../test/support/controller-app';
import { ApiException } from '../../common/errors/api.exception';
import { ErrorCode } from '../../common/errors/error-codes';
import type { User } from '../../users/user';
import { EmailVerificationController } from './email-verification.controller';
import { EmailVerificationService } from './email-verification.service';

const CALLER = '3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11';
const TOKEN = 'b'.repeat(43);

describe('EmailVerificationController (HTTP pipeline, service faked)', () => {
  const app = controllerSpec(EmailVerificationController, [EmailVerificationService]);
  const service = app.get(EmailVerificationService);
  const account = (email: string): User =>
    ({ id: CALLER, email, emailVerified: true, createdAt: new Date('2026-11-25T10:00:00.000Z'), passwordHash: 'secret-hash' }) as User;
  const shown = (email: string) => ({ user: { user_id: CALLER, email, email_verified: true, created_at: '2026-11-25T10:00:00.000Z' } });

  it('verifies with a mailed token without a bearer token, answering the account without secrets', async () => {
    service.verify.mockResolvedValue(account('someone@example.com'));
    const response = await app.http().post('/api/auth/verify-email').send({ token: TOKEN }).expect(200);
    expect(response.body).toEqual(shown('someone@example.com'));
    expect(service.verify).toHaveBeenCalledWith(TOKEN, expect.objectContaining({ ip: expect.any(String) }));
  });

  it('confirms an email change and passes on the service’s 409 EMAIL_TAKEN as the envelope', async () => {
    service.confirmChange.mockResolvedValue(account('new@example.com'));
    const response = await app.http().post('/api/auth/confirm-email-change').send({ token: TOKEN }).expect(200);
    expect(response.body).toEqual(shown('new@example.com'));

    service.confirmChange.mockRejectedValue(ApiException.conflict('The address is taken', ErrorCode.EMAIL_TAKEN));
    const taken = await app.http().post('/api/auth/confirm-email-change').send({ token: TOKEN }).expect(409);
    expect(taken.body).toEqual({ error: 'The address is taken', code: 'EMAIL_TAKEN', request_id: expect.any(String) });
  });

  it('refuses a token of the wrong shape with 400, without calling the service', async () => {
    await app.http().post('/api/auth/verify-email').send({ token: 'not-a-token' }).expect(400);
    await app.http().post('/api/auth/confirm-email-change').send({ token: 42 }).expect(400);
    expect(service.verify).not.toHaveBeenCalled();
    expect(service.confirmChange).not.toHaveBeenCalled();
  });

  it('mails another link for the caller only with a bearer token (202, 401 without)', async () => {
    await app.http().post('/api/user/email/verification').set(app.bearer(CALLER)).expect(202);
    expect(service.resend).toHaveBeenCalledWith(CALLER, expect.objectContaining({ ip: expect.any(String) }));
    const response = await app.http().post('/api/user/email/verification').expect(401);
    expect(response.body).toMatchObject({ code: 'UNAUTHORIZED', request_id: expect.any(String) });
    expect(service.resend).toHaveBeenCalledTimes(1);
  });
});
