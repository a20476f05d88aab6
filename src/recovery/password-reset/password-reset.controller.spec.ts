import { controllerSpec } from '../../../test/support/controller-app';
import { ApiException } from '../../common/errors/api.exception';
import { ErrorCode } from '../../common/errors/error-codes';
import { PasswordResetController } from './password-reset.controller';
import { PasswordResetService } from './password-reset.service';

const TOKEN = 'A'.repeat(43);

describe('PasswordResetController (HTTP pipeline, service faked)', () => {
  const app = controllerSpec(PasswordResetController, [PasswordResetService]);
  const service = app.get(PasswordResetService);

  it('answers 202 with the same message for any address, without a token, passing the normalised email and the client', async () => {
    service.forgot.mockResolvedValue(undefined);
    const forgot = app.http().post('/api/auth/forgot-password').set('User-Agent', 'phone');
    const response = await forgot.send({ email: ' Someone@Example.COM ' }).expect(202);
    expect(response.body).toEqual({ message: 'If an account uses this address and may receive reset mail, a link is on its way' });
    expect(service.forgot).toHaveBeenCalledWith('someone@example.com', expect.objectContaining({ ip: expect.any(String), userAgent: 'phone' }));
  });

  it('refuses a body that is not an email address with 400, without calling the service', async () => {
    const response = await app.http().post('/api/auth/forgot-password').send({ email: 'not an address' }).expect(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', request_id: expect.any(String) });
    expect(service.forgot).not.toHaveBeenCalled();
  });

  it('maps the keys a reset locked into the response', async () => {
    service.reset.mockResolvedValue([1, 2]);
    const body = { token: TOKEN, new_password: 'a brand new passphrase' };
    const response = await app.http().post('/api/auth/reset-password').send(body).expect(200);
    expect(response.body).toEqual({ all_recordings_readable: false, locked_key_ids: [1, 2] });
    expect(service.reset).toHaveBeenCalledWith(expect.objectContaining(body), expect.objectContaining({ ip: expect.any(String) }));

    service.reset.mockResolvedValue([]);
    const readable = await app.http().post('/api/auth/reset-password').send(body).expect(200);
    expect(readable.body).toEqual({ all_recordings_readable: true, locked_key_ids: [] });
  });

  it('refuses a malformed token or a short password with 400, and passes on the service’s INVALID_TOKEN', async () => {
    await app.http().post('/api/auth/reset-password').send({ token: 'short', new_password: 'a brand new passphrase' }).expect(400);
    await app.http().post('/api/auth/reset-password').send({ token: TOKEN, new_password: 'short' }).expect(400);
    expect(service.reset).not.toHaveBeenCalled();

    service.reset.mockRejectedValue(ApiException.badRequest('The link is invalid or has expired', ErrorCode.INVALID_TOKEN));
    const response = await app.http().post('/api/auth/reset-password').send({ token: TOKEN, new_password: 'a brand new passphrase' }).expect(400);
    expect(response.body).toEqual({ error: 'The link is invalid or has expired', code: 'INVALID_TOKEN', request_id: expect.any(String) });
  });
});
