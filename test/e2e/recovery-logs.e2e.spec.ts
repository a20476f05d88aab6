import { randomUUID } from 'node:crypto';
import { canonicalRecoveryCode } from '../../src/crypto/recovery-code';
import { tokenIn, waitForMails } from '../support/mailbox';
import { killServices, logLines, productionEnv, startService } from '../support/service-process';
import { isolatedTables, PASSWORD } from '../support/test-app';

describe('the built service never logs a reset token, a recovery code or a verification link', () => {
  afterEach(killServices);

  it('at LOG_LEVEL=trace, through registration, verification, forgot, a wrong code, reset, redeem and email change', async () => {
    const config = await isolatedTables();
    const service = await startService(productionEnv(config, process.env.DYNAMODB_ENDPOINT as string, { LOG_LEVEL: 'trace' }));
    const post = async (path: string, body: object, token?: string) =>
      fetch(`${service.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });

    const email = `logs-${randomUUID()}@example.com`;
    const registered = (await (await post('/api/register', { email, password: PASSWORD })).json()) as { token: string; recovery_code: string };
    const [verification] = await waitForMails(email, { subject: /^Confirm your email address/ });
    expect((await post('/api/auth/verify-email', { token: tokenIn(verification) })).status).toBe(200);

    expect((await post('/api/auth/forgot-password', { email })).status).toBe(202);
    const [reset] = await waitForMails(email, { subject: /^Reset your Panzoto password$/ });
    const resetToken = tokenIn(reset);
    expect(
      (
        await post('/api/auth/reset-password', {
          token: resetToken,
          new_password: 'Reset-Password-1',
          recovery_code: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ',
        })
      ).status,
    ).toBe(400);
    expect((await post('/api/auth/reset-password', { token: resetToken, new_password: 'Reset-Password-1' })).status).toBe(200);
    const login = (await (await post('/api/login', { email, password: 'Reset-Password-1' })).json()) as { token: string; recovery_code: string };
    const redeemed = await post(
      '/api/user/recovery-code/redeem',
      { recovery_code: registered.recovery_code, password: 'Reset-Password-1' },
      login.token,
    );
    expect(redeemed.status).toBe(200);
    const { recovery_code: redeemedCode } = (await redeemed.json()) as { recovery_code: string };

    const newEmail = `logs-moved-${randomUUID()}@example.com`;
    expect((await post('/api/user/email', { new_email: newEmail, password: 'Reset-Password-1' }, login.token)).status).toBe(202);
    const [change] = await waitForMails(newEmail, { subject: /^Confirm your new email address/ });
    expect((await post('/api/auth/confirm-email-change', { token: tokenIn(change) })).status).toBe(200);
    await waitForMails(email, { subject: /^Your Panzoto email address was changed$/ });

    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    const output = `${service.stdout()}\n${service.stderr()}`;
    const codes = [registered.recovery_code, login.recovery_code, redeemedCode];
    const tokens = [tokenIn(verification), resetToken, tokenIn(change)];
    for (const secret of [...codes, ...codes.map((code) => canonicalRecoveryCode(code) as string), ...tokens]) {
      expect(output).not.toContain(secret);
    }
    expect(output).not.toMatch(/token=/);
    // The mails were logged as sent (so the test saw the lines it checks), by message id and subject only.
    const mailLines = logLines(service).filter((line) => line.msg === 'Mail sent');
    expect(mailLines).toHaveLength(4);
    // Logged on behalf of the request that sent the mail: each line carries its id.
    expect(mailLines.every((line) => typeof line.request_id === 'string')).toBe(true);
  });
});
